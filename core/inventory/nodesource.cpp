#include "core/inventory/nodesource.h"

#include <QDir>
#include <QFile>
#include <QFuture>
#include <QUrl>
#include <QtConcurrentRun>

#include "core/base/isotime.h"
#include "core/base/whenfinished.h"
#include "core/inventory/noderange.h"
#include "core/net/policedrequest.h"
#include "core/net/target.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

Error sourceError(const QString &message, ErrorCode code = ErrorCode::InvalidArgument)
{
    return Error{code, u"nodesFrom "_s + message};
}

// Where node i of a list is, for errors that must not quote it: its line, or its position.
QString nodeLocation(const NodeFile &file, qsizetype i)
{
    return i < file.lines.size() ? u"line %1"_s.arg(file.lines.at(i)) : u"target %1"_s.arg(i + 1);
}

// Every node of a list read is a target (or a range of them) the policy allows. Checked here,
// not left to HuntEngine::submit, whose errors quote the nodes: a list's text may be a secret
// (issue #21), so these name the line and the reason only.
Result<void> checkTargets(const NodeFile &file, const QString &name, int maxNodes,
                          const TargetPolicy *policy)
{
    for (qsizetype i = 0; i < file.nodes.size(); ++i) {
        const QString &node = file.nodes.at(i);
        auto fail = [&](const QString &reason) {
            return sourceError(u"%1 %2: %3"_s.arg(name, nodeLocation(file, i), reason));
        };
        QStringList expanded{node};
        if (hasNodeRange(node)) {
            const Result<qint64> count = nodeRangeCount(node, maxNodes);
            if (!count) {
                return fail(u"not a valid node range"_s);
            }
            if (*count > maxNodes) {
                return Error{
                    ErrorCode::TooLarge,
                    u"nodesFrom %1 %2: the range expands to more than %3 nodes (at most %3 per hunt)"_s
                        .arg(name, nodeLocation(file, i))
                        .arg(maxNodes)};
            }
            Result<QStringList> nodes = expandNodeRange(node);
            if (!nodes) {
                return fail(u"not a valid node range"_s);
            }
            expanded = std::move(nodes).value();
        }
        for (const QString &one : std::as_const(expanded)) {
            const Result<Target> target = parseTarget(one, u"/"_s);
            if (!target) {
                return fail(u"not a node (expected host:port)"_s);
            }
            if (policy && policy->checkHost(target->host)) {
                return Error{ErrorCode::Denied,
                             u"nodesFrom %1 %2: the host is refused by the target policy"_s.arg(
                                 name, nodeLocation(file, i))};
            }
        }
    }
    return {};
}

// What every list read must satisfy besides its format: not empty, every node a target the
// policy allows, within maxNodes once its ranges are expanded (checked here so that an
// oversized list never becomes the last good one).
// `targets`: check every node here (a file's list; an http_sd body's nodes are checked by
// HuntEngine::submit).
Result<NodeFile> checkList(Result<NodeFile> read, const QString &name, int maxNodes,
                           const TargetPolicy *policy, bool targets)
{
    if (!read) {
        return sourceError(read.error().message, read.error().code);
    }
    if (read->nodes.isEmpty()) {
        return sourceError(u"%1: the list has no targets"_s.arg(name));
    }
    if (const Result<void> valid =
            targets ? checkTargets(*read, name, maxNodes, policy) : Result<void>();
        !valid) {
        return valid.error();
    }
    const Result<ExpandedNodes> expanded = expandNodeRanges(read->nodes, read->labels, maxNodes);
    if (!expanded) {
        // Its message and details quote the node that passes the bound: not repeated.
        return Error{
            expanded.error().code,
            u"nodesFrom %1: more than %2 nodes once ranges are expanded (at most %2 per hunt)"_s
                .arg(name)
                .arg(maxNodes)};
    }
    return read;
}

Result<NodeFile> readNodeFile(const QString &path, const NodeSourceReader::Config &config)
{
    const Result<QByteArray> text =
        config.files.read(path, NodeSource::MaxBytes, u"nodesFrom file"_s);
    if (!text) {
        return text.error();
    }
    return checkList(parseNodeFile(*text, path), path, config.maxNodes, config.policy.get(), true);
}

} // namespace

Result<NodeSource> NodeSource::fromJson(const QJsonValue &json)
{
    auto bad = [](const QString &message) { return sourceError(message); };
    const QJsonObject object = json.toObject();
    const bool file = object.contains(u"file"_s);
    const bool http = object.contains(u"http"_s);
    if (!json.isObject() || object.size() != 1 || file == http) {
        return bad(u"must be {\"file\": PATH} or {\"http\": URL}"_s);
    }
    NodeSource source;
    source.kind = file ? Kind::File : Kind::Http;
    const QJsonValue value = object.begin().value();
    source.location = value.toString();
    if (!value.isString() || source.location.isEmpty()) {
        return bad(file ? u"'file' must be a path"_s : u"'http' must be a URL"_s);
    }
    if (file) {
        if (!QDir::isAbsolutePath(source.location)) {
            return bad(u"'file' must be an absolute path, not '%1'"_s.arg(source.location));
        }
        source.location = QDir::cleanPath(source.location);
        return source;
    }
    const QUrl url(source.location, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s)
        || url.host().isEmpty() || !url.userInfo().isEmpty()) {
        return bad(u"'http' must be an http:// or https:// URL with a host (no user info), "
                   "not '%1'"_s.arg(source.location));
    }
    return source;
}

QJsonObject NodeSource::toJson() const
{
    return {{kind == Kind::File ? u"file"_s : u"http"_s, location}};
}

QString NodeSource::host() const
{
    return kind == Kind::Http ? QUrl(location).host() : QString();
}

void NodeSourceStatus::addToJson(QJsonObject &json) const
{
    json.insert(u"lastReadAt"_s, isoOrEmpty(lastReadAt));
    json.insert(u"failures"_s, failures);
    if (lastErrorAt.isValid()) {
        json.insert(u"lastErrorAt"_s, isoOrEmpty(lastErrorAt));
    }
    if (!lastError.isEmpty()) {
        json.insert(u"lastError"_s, lastError);
    }
}

NodeSourceStatus NodeSourceStatus::fromJson(const QJsonObject &json)
{
    NodeSourceStatus status;
    status.lastReadAt = parseIso(json.value(u"lastReadAt"_s));
    status.lastErrorAt = parseIso(json.value(u"lastErrorAt"_s));
    status.lastError = json.value(u"lastError"_s).toString();
    status.failures = std::max(0, json.value(u"failures"_s).toInt());
    return status;
}

void NodeSourceStatus::recordSuccess(const QDateTime &at)
{
    lastReadAt = at;
    lastError.clear();
    failures = 0;
}

void NodeSourceStatus::recordFailure(const QDateTime &at, const QString &error)
{
    lastErrorAt = at;
    lastError = error;
    ++failures;
}

NodeSourceReader::NodeSourceReader(Config config, QObject *parent)
    : QObject(parent), m_config(std::move(config))
{
    m_filePool.setMaxThreadCount(1); // one schedule's file at a time; reads are short
}

NodeSourceReader::~NodeSourceReader()
{
    m_filePool.waitForDone(); // its tasks read m_config's copy, but `then` targets this
}

Result<void> NodeSourceReader::checkPolicy(const NodeSource &source, const TargetPolicyPtr &policy)
{
    if (!policy || source.kind != NodeSource::Kind::Http) {
        return {};
    }
    // Like the nodes and a schedule's webhook: the service must not GET where it may not.
    if (const std::optional<QString> reason = policy->checkHost(source.host())) {
        return makeError(
            ErrorCode::Denied,
            u"nodesFrom host '%1' refused by the target policy: %2"_s.arg(source.host(), *reason));
    }
    return {};
}

void NodeSourceReader::read(const NodeSource &source, QObject *context, Done done)
{
    if (source.kind == NodeSource::Kind::File) {
        readFile(source, context, std::move(done));
    } else {
        readHttp(source, context, std::move(done));
    }
}

void NodeSourceReader::readFile(const NodeSource &source, QPointer<QObject> context, Done done)
{
    // A node file is small, but YAML of a few MiB takes a while to parse, and a file on a hung
    // network filesystem would hold its thread: on this reader's own pool, never the shared one
    // where the hunts' results are parsed and stored.
    whenFinished(
        QtConcurrent::run(&m_filePool, [path = source.location,
                                        config = m_config] { return readNodeFile(path, config); }),
        this, [context, done = std::move(done)](Result<NodeFile> read) {
            if (context) {
                done(std::move(read));
            }
        });
}

void NodeSourceReader::parseLater(QByteArray body, const NodeSource &source,
                                  QPointer<QObject> context, Done done)
{
    whenFinished(
        QtConcurrent::run(
            [body = std::move(body), name = source.location, maxNodes = m_config.maxNodes] {
                // http_sd is JSON only: a body of plain lines is an error page, not a node list.
                if (!body.trimmed().startsWith('[')) {
                    // Its size, never its text: the answer of a host the service was pointed at.
                    return Result<NodeFile>(sourceError(
                        u"%1: not http_sd JSON (want an array of {\"targets\": [...], \"labels\": "
                        "{...}}): the %2-byte body is not a JSON array"_s.arg(name)
                            .arg(body.size())));
                }
                return checkList(parseFileSdJson(body, name), name, maxNodes, nullptr, false);
            }),
        this, [context, done = std::move(done)](Result<NodeFile> read) {
            if (context) {
                done(std::move(read));
            }
        });
}

void NodeSourceReader::readHttp(const NodeSource &source, QPointer<QObject> context, Done done)
{
    if (!m_nam) {
        m_nam = PolicedRequest::newManager(this);
    }
    PolicedRequest::Options options;
    options.headers = {{"Accept", "application/json"},
                       // Prometheus sends it too; some http_sd servers tailor their answer to it.
                       {"X-Prometheus-Refresh-Interval-Seconds", "60"}};
    options.timeoutMs = m_config.timeoutMs;
    options.maxBodyBytes = NodeSource::MaxBytes;
    // Resolved, every address checked and the connection pinned, as a node fetch (issue #21):
    // checking the name alone let a name of a denied address through. No redirects: a 3xx is
    // an answer like any other non-200.
    const OutboundDialer dialer({m_config.policy}, m_config.resolver);
    PolicedRequest::send(
        m_nam, dialer, QUrl(source.location), std::move(options), this,
        [this, source, context,
         done = std::move(done)](Result<PolicedRequest::Response> answer) mutable {
            const QString name = source.location;
            if (!answer) {
                const Error &error = answer.error();
                if (context) {
                    done(error.code == ErrorCode::Denied
                             ? sourceError(u"%1: refused: %2"_s.arg(name, error.message),
                                           ErrorCode::Denied)
                             : sourceError(u"%1: %2"_s.arg(name, error.message),
                                           error.code == ErrorCode::TooLarge
                                               ? ErrorCode::TooLarge
                                               : ErrorCode::InvalidArgument));
                }
                return;
            }
            if (answer->status != 200) {
                if (context) {
                    done(sourceError(u"%1: HTTP %2 (want 200%3), %4-byte body"_s.arg(name)
                                         .arg(answer->status)
                                         .arg(answer->status >= 300 && answer->status < 400
                                                  ? u"; redirects are not followed"_s
                                                  : QString())
                                         .arg(answer->body.size())));
                }
                return;
            }
            parseLater(std::move(answer->body), source, context, std::move(done));
        });
}

} // namespace Artemis
