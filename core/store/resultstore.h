#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include "core/base/result.h"
#include "core/fetch/outcome.h"
#include "core/hunt/huntinfo.h"
#include "core/rules/schedule.h"
#include "core/store/resultsort.h"

namespace Artemis {

class ResultIndex;

// Whether the data dir takes writes right now, and how much room it has.
struct StorageHealth
{
    bool writable = false;
    QString error;         // why not writable (the system's words: "No space left on device")
    qint64 freeBytes = -1; // available to this process; -1 when unknown
    qint64 totalBytes = -1;
};

// One page of a hunt's results.
struct ResultPage
{
    QList<Outcome> outcomes;
    int total = 0; // lines matching the filter
    int offset = 0;
    int skippedLines = 0; // torn/corrupt lines in the whole file (reported, never fatal)
};

// Query for a page of results.
struct ResultQuery
{
    int offset = 0;
    int limit = 100;
    OutcomeFilter outcome; // only these outcomes (empty: all)
    // Only results matching this search (empty: all): terms a node contains, case-insensitively,
    // or NAME=VALUE label terms ("rack=r7"); every term must match (core/inventory/nodesearch.h).
    QString nodeContains;
    ResultSort sort; // file order unless set (core/store/resultsort.h)

    // A search or a sort reads every matching line; a plain page reads only its own.
    bool readsEveryLine() const { return !nodeContains.isEmpty() || !sort.isFileOrder(); }
};

// The embedded store: DATA_DIR/hunts/<id>/{hunt.json,nodes.txt,results.ndjson}.
// hunt.json is replaced atomically (QSaveFile); results.ndjson is append-only, one outcome per
// line. Node strings never become file names; ids are validated before any path is built.
//
// Thread-safe: all methods may be called from any thread. Appends to one hunt must come from
// one writer at a time (the HuntEngine's writer); reads may run concurrently with appends.
class ResultStore
{
public:
    explicit ResultStore(QString dataDir);
    ~ResultStore();
    ResultStore(const ResultStore &) = delete;
    ResultStore &operator=(const ResultStore &) = delete;

    QString dataDir() const { return m_dataDir; }

    // Creates, writes (4 KiB, what a small results batch needs) and removes a probe file in the
    // data dir: a full or read-only disk shows here before a hunt fails on it.
    StorageHealth checkStorage() const;

    // Creates the directories. Marks hunts left queued/running by a dead process as
    // interrupted, recounting their results from results.ndjson. Returns their ids.
    // Restricts DATA_DIR/schedules (0700) and each schedule.json (0600) found wider.
    Result<QStringList> open();

    // Writes a new hunt's manifest and node list (and labels.json when `labels`, one per node,
    // is not empty). Fails if the id exists.
    Result<void> createHunt(const HuntInfo &info, const QStringList &nodes,
                            const QList<Labels> &labels = {});
    Result<void> saveManifest(const HuntInfo &info);
    Result<HuntInfo> loadManifest(const QString &id) const;
    Result<QStringList> loadNodes(const QString &id) const;
    // The labels createHunt stored, one per node of loadNodes (`count` of them); empty when the
    // hunt has none or they cannot be read (a resumed hunt then runs without them).
    QList<Labels> loadNodeLabels(const QString &id, qsizetype count) const;

    // Newest first. `before`: only ids < before (for paging); `state`: filter.
    Result<QList<HuntInfo>> listHunts(int limit = 100, const QString &before = {},
                                      std::optional<HuntState> state = {}) const;

    // Appends outcomes as NDJSON lines and flushes them to the kernel.
    Result<void> appendResults(const QString &id, const QList<Outcome> &outcomes);

    // Reads a page without loading the file whole: a line-offset index per hunt is built once
    // and extended as the file grows.
    Result<ResultPage> readResults(const QString &id, const ResultQuery &query) const;
    Result<Outcome> findResult(const QString &id, const QString &node) const;
    // Every line matching `query.outcome` and `query.nodeContains`, in `query.sort` order
    // (offset/limit ignored), for exports that stream them (read the lines from resultsPath()).
    // A search or a sort reads every line.
    Result<QList<LineRef>> selectLines(const QString &id, const ResultQuery &query) const;
    // DATA_DIR/hunts/<id>/results.ndjson; empty for an invalid id.
    QString resultsFile(const QString &id) const;

    // Reads every stored outcome in file order, calling `sink` for each (streaming).
    // Returns the number of torn/corrupt lines skipped.
    Result<int> forEachResult(const QString &id,
                              const std::function<bool(const Outcome &)> &sink) const;

    // Deletes a hunt's directory.
    Result<void> removeHunt(const QString &id);

    // DATA_DIR/hunts/<id>; empty for an invalid id.
    QString huntDir(const QString &id) const;

    // Schedules (core/watch/scheduler.h): DATA_DIR/schedules/<id>/schedule.json (replaced
    // atomically, with header values, so DATA_DIR/schedules is created owner-only) and
    // nodes.txt (+ labels.json with node labels; written once by createSchedule). Schedule ids are
    // hunt-style ids.
    Result<void> createSchedule(const Schedule &schedule);
    Result<void> saveSchedule(const Schedule &schedule); // state only; nodes are not rewritten
    // Replaces a schedule's nodes.txt and labels.json (a new list read from its nodesFrom).
    Result<void> saveScheduleNodes(const QString &id, const QStringList &nodes,
                                   const QList<Labels> &labels);
    // Every stored schedule with its nodes, oldest first; unreadable ones are skipped with a
    // warning (never fatal, never deleted).
    Result<QList<Schedule>> loadSchedules() const;
    Result<void> removeSchedule(const QString &id);
    // DATA_DIR/schedules/<id>/alerts.json (core/rules/alertstate.h; replaced atomically,
    // owner-only: it holds values of the answers). loadScheduleAlerts: NotFound when there is none
    // yet.
    Result<void> saveScheduleAlerts(const QString &id, const QJsonObject &alerts);
    Result<QJsonObject> loadScheduleAlerts(const QString &id) const;

private:
    Result<void> checkId(const QString &id) const;
    Result<void> checkExists(const QString &id) const; // valid id and its directory exists
    QString huntsDir() const;
    QString schedulesDir() const;
    void restrictSchedules() const; // see open()
    QString resultsPath(const QString &id) const;
    std::shared_ptr<ResultIndex> index(const QString &id) const;
    Result<void> writeManifest(const HuntInfo &info) const;

    QString m_dataDir;
    mutable QMutex m_mutex; // guards m_indexes (each index locks itself while scanning)
    mutable QHash<QString, std::shared_ptr<ResultIndex>> m_indexes;
};

} // namespace Artemis
