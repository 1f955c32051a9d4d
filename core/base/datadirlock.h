#pragma once

#include <memory>
#include <optional>

#include <QString>

#include "core/base/result.h"

namespace Artemis {

// Who holds a data dir's lock, as far as this machine can tell.
struct DataDirHolder
{
    qint64 pid = 0;
    QString hostName;
    QString command;    // the holder's command line (from /proc on Linux), else its app name
    QString serviceUrl; // the REST service the holder serves, when it is `serve`
};

// The one-writer-per-data-dir rule: serve, hunt and the GUI in local mode hold an exclusive
// lock on DATA_DIR/.artemis.lock (flock(2) on a read-only descriptor) for as long as they use
// the directory, taken before anything in it is read or changed. The kernel drops it when its
// holder dies (kill -9, a crash), so the next process simply takes it; one held by a live
// process refuses with ErrorCode::Locked, naming the holder and what to do instead.
// DATA_DIR/.artemis.owner (JSON, replaced atomically) tells other processes the holder's pid,
// host, command and, for `serve`, its URL (the GUI offers to connect there). Local file
// systems only: flock over NFS is emulated per client.
//
// Not thread-affine; owned by whoever opens the stack (core/service/localstack.h). Released on
// destruction.
class DataDirLock
{
public:
    ~DataDirLock();
    DataDirLock(const DataDirLock &) = delete;
    DataDirLock &operator=(const DataDirLock &) = delete;

    // Creates `dataDir` if needed and locks it. `command` names this process in the holder
    // record ("artemis-headless serve", "artemis"). Error: Locked (details: the holder as
    // JSON {"pid", "host", "command", "serviceUrl"}) or Io.
    static Result<std::unique_ptr<DataDirLock>> acquire(const QString &dataDir,
                                                        const QString &command);

    // The current holder of `dataDir`'s lock, if a live process holds it.
    static std::optional<DataDirHolder> holder(const QString &dataDir);

    // Records the URL of the service this process runs on the data dir (serve, once it
    // listens), for other processes that find the lock taken.
    void setServiceUrl(const QString &url);

    QString dataDir() const { return m_dataDir; }

private:
    DataDirLock(QString dataDir, QString command, int fd);
    void writeOwner() const;

    QString m_dataDir;
    QString m_command;
    QString m_serviceUrl;
    int m_fd; // the locked lock file, open read-only
};

// "in use by pid 42 on host (artemis-headless serve ...)": for messages.
QString describeHolder(const DataDirHolder &holder);
// A face's words for what to do about a data dir another process holds (core names no flag,
// route or face).
struct DataDirAdvice
{
    QString otherDir;   // how to give another data dir ("Give another --data-dir")
    QString viaService; // how to submit to the service holding it instead; %1 is its URL
};
// What a face prints when a data dir cannot be used: for a lock held by another process, who
// holds it and what to do instead (`advice`: another data dir, or the holder's service).
QString dataDirProblem(const QString &dataDir, const Error &error,
                       const DataDirAdvice &advice = {});

} // namespace Artemis
