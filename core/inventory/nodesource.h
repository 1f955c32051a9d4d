#pragma once

#include <functional>
#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>

#include "core/base/fileaccess.h"
#include "core/base/result.h"
#include "core/inventory/nodefile.h"
#include "core/net/resolver.h"
#include "core/net/targetpolicy.h"

class QNetworkAccessManager;

namespace Artemis {

// Where a schedule takes its nodes from instead of a fixed list (issue #14): a node file on
// this machine ({"file": PATH}: plain, file_sd JSON or YAML, core/inventory/nodefile.h) or a
// Prometheus http_sd endpoint ({"http": URL}: a JSON array of {"targets": [...], "labels": {...}}).
// Read again before every round.
struct NodeSource
{
    enum class Kind { File, Http };
    Kind kind = Kind::File;
    QString location; // the path, or the http(s) URL

    static constexpr qint64 MaxBytes = 16 * 1024 * 1024; // a larger file or body is an error

    // {"file": PATH} or {"http": URL}. Exactly one key; a path must be absolute (the service's
    // working directory is nobody's business); a URL http:// or https:// with a host and no
    // user info. Errors (InvalidArgument) say "nodesFrom: ...".
    static Result<NodeSource> fromJson(const QJsonValue &json);
    QJsonObject toJson() const;
    // The host the target policy must allow (http only; empty for a file).
    QString host() const;

    bool operator==(const NodeSource &) const = default;
};

// How the reads of a schedule's source went. lastError is set while the latest read failed
// (the rounds then run on the last good list); lastErrorAt and the count of consecutive
// failures stay until the next good read clears the count.
struct NodeSourceStatus
{
    QDateTime lastReadAt;  // last good read
    QDateTime lastErrorAt; // last failed read
    QString lastError;     // empty once a read succeeds again
    int failures = 0;      // consecutive failed reads

    // Merged into NodeSource::toJson's object by the schedule's JSON.
    void addToJson(QJsonObject &json) const;
    static NodeSourceStatus fromJson(const QJsonObject &json);
    void recordSuccess(const QDateTime &at);
    void recordFailure(const QDateTime &at, const QString &error);
};

// Reads node sources asynchronously: a file through Config::files on a pool of its own, an
// http_sd URL with its own QNetworkAccessManager (made on first use) and a timeout, the body
// parsed on the pool. The list read is bounded by `maxNodes` after expanding ranges
// (core/inventory/noderange.h), must not be empty, and an http read goes through the target policy
// as a node fetch does (PolicedRequest: the name resolved, every address checked, the connection
// pinned to a checked one; redirects are not followed). Errors (InvalidArgument; TooLarge over
// maxNodes) name the source and what was wrong: the file missing, a parse error with its
// position (core/inventory/nodefile.h), the HTTP status, a timeout, a body that is not http_sd JSON
// or is over NodeSource::MaxBytes (by its size: no error quotes the body); Denied naming the
// address the policy refused. A file's errors name the file, the line and the reason ("FILE line 3:
// not a node (expected host:port)"), never its text; a file outside the allowed dirs is Forbidden.
//
// Lives on the thread that made it (the scheduler's); `done` runs there, always later (never
// inside read()), and not at all once `context` is gone.
class NodeSourceReader final : public QObject
{
    Q_OBJECT
public:
    struct Config
    {
        int timeoutMs = 10000; // a whole HTTP read, connect to last byte
        int maxNodes = 100000;
        TargetPolicyPtr policy; // null: every host allowed
        ResolverPtr resolver;   // an http host's lookups; null: the system's
        // Which node files may be read (core/base/fileaccess.h): the service's --allow-files.
        FileAccess files = FileAccess::none();
    };
    using Done = std::function<void(Result<NodeFile>)>;

    explicit NodeSourceReader(Config config, QObject *parent = nullptr);
    ~NodeSourceReader() override;

    void read(const NodeSource &source, QObject *context, Done done);

    // The policy check alone (create() refuses a denied source before anything is read).
    static Result<void> checkPolicy(const NodeSource &source, const TargetPolicyPtr &policy);

private:
    void readFile(const NodeSource &source, QPointer<QObject> context, Done done);
    void readHttp(const NodeSource &source, QPointer<QObject> context, Done done);
    void parseLater(QByteArray body, const NodeSource &source, QPointer<QObject> context,
                    Done done);

    Config m_config;
    QNetworkAccessManager *m_nam = nullptr; // child, made on first use
    QThreadPool m_filePool;                 // file reads and their parse
};

} // namespace Artemis
