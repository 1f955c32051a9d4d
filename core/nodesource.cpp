#include "core/nodesource.h"

#include <QDir>
#include <QFile>
#include <QFuture>
#include <QUrl>
#include <QtConcurrentRun>

#include "core/huntinfo.h"
#include "core/noderange.h"
#include "core/policedrequest.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

Error sourceError(const QString &message, ErrorCode code = ErrorCode::InvalidArgument)
{
    return Error{code, u"nodesFrom "_s + message};
}

// What every list read must satisfy besides its format: not empty, within maxNodes once its
// ranges are expanded (checked here so that an oversized list never becomes the last good one).
Result<NodeFile> checkList(Result<NodeFile> read, const QString &name, int maxNodes)
{
    if (!read) {
        return sourceError(read.error().message, read.error().code);
    }
    if (read->nodes.isEmpty()) {
        return sourceError(u"%1: the list has no targets"_s.arg(name));
    }
    const Result<ExpandedNodes> expanded = expandNodeRanges(read->nodes, read->labels, maxNodes);
    if (!expanded) {
        return Error{expanded.error().code,
                     u"nodesFrom %1: %2"_s.arg(name, expanded.error().message),
                     expanded.error().details};
    }
    return read;
}

Result<NodeFile> readNodeFile(const QString &path, int maxNodes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return sourceError(u"%1: cannot read: %2"_s.arg(path, file.errorString()));
    }
    // One byte more than allowed tells "too large" from "exactly the limit".
    const QByteArray text = file.read(NodeSource::MaxBytes + 1);
    if (text.size() > NodeSource::MaxBytes) {
        return sourceError(u"%1: larger than %2 MiB"_s.arg(path).arg(NodeSource::MaxBytes >> 20),
                           ErrorCode::TooLarge);
    }
    return checkList(parseNodeFile(text, path), path, maxNodes);
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
    // A node file is small, but YAML of a few MiB takes a while to parse: on the pool.
    QtConcurrent::run([path = source.location, maxNodes = m_config.maxNodes] {
        return readNodeFile(path, maxNodes);
    }).then(this, [context, done = std::move(done)](Result<NodeFile> read) {
        if (context) {
            done(std::move(read));
        }
    });
}

void NodeSourceReader::parseLater(QByteArray body, const NodeSource &source,
                                  QPointer<QObject> context, Done done)
{
    QtConcurrent::run([body = std::move(body), name = source.location,
                       maxNodes = m_config.maxNodes] {
        // http_sd is JSON only: a body of plain lines is an error page, not a node list.
        if (!body.trimmed().startsWith('[')) {
            // Its size, never its text: the answer of a host the service was pointed at.
            return Result<NodeFile>(sourceError(
                u"%1: not http_sd JSON (want an array of {\"targets\": [...], \"labels\": "
                "{...}}): the %2-byte body is not a JSON array"_s.arg(name)
                    .arg(body.size())));
        }
        return checkList(parseFileSdJson(body, name), name, maxNodes);
    }).then(this, [context, done = std::move(done)](Result<NodeFile> read) {
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
