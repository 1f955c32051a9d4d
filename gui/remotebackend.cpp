#include "gui/remotebackend.h"

#include <memory>

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSaveFile>
#include <QSslConfiguration>

#include "core/base/duration.h"
#include "core/base/errorstatus.h"
#include "core/base/jsonvalues.h"
#include "core/hunt/huntrequestjson.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {
constexpr int CollectPageSize = 1000;
constexpr int PollPageSize = 1000; // the server caps limit at 1000
constexpr int RemoteMaxGroups = 200;
constexpr int RemoteMaxNodesPerGroup = 10000; // enough to filter the node table by a group
// Groups read page by page up to this many (50 pages); the view says when a path has more.
constexpr int RemoteMaxGroupsTotal = 10000;

QString serverErrorText(const QJsonDocument &doc)
{
    const QJsonObject obj = doc.object();
    QString text = obj.value(u"error"_s).toString();
    const QJsonValue details = obj.value(u"details"_s);
    if (details.isString() && !details.toString().isEmpty()) {
        text += u": "_s + details.toString();
    } else if (details.isArray() || details.isObject()) {
        text += u": "_s + jsonValueText(details);
    }
    return text;
}
} // namespace

// What is known of a hunt the server just accepted, until the first poll tells more.
HuntInfo submittedInfo(const QString &id, const QString &url, const FetchOptions &options,
                       int total)
{
    HuntInfo info;
    info.id = id;
    info.state = HuntState::Queued;
    info.url = url;
    info.options = options;
    info.total = total;
    info.createdAt = QDateTime::currentDateTimeUtc();
    return info;
}

QJsonArray remoteArray(const QJsonDocument &doc)
{
    if (doc.isArray()) {
        return doc.array();
    }
    const QJsonObject obj = doc.object();
    for (const QString &key : {u"hunts"_s, u"results"_s, u"items"_s, u"data"_s, u"outcomes"_s,
                               u"schedules"_s, u"history"_s}) {
        if (obj.value(key).isArray()) {
            return obj.value(key).toArray();
        }
    }
    return {};
}

RemoteBackend::RemoteBackend(QObject *parent) : HuntBackend(parent)
{
    m_nam.setProxy(QNetworkProxy::NoProxy);
}

RemoteBackend::~RemoteBackend() = default;

void RemoteBackend::setServer(const QUrl &baseUrl, const QString &token)
{
    m_baseUrl = baseUrl;
    m_token = token;
    for (Watch &w : m_watches) {
        delete w.timer;
    }
    m_watches.clear();
    setProblem({});
}

void RemoteBackend::setCaCertificates(const QList<QSslCertificate> &certificates)
{
    m_caCertificates = certificates;
    m_caProblem.clear();
    // QNAM keeps a connection per host with the TLS configuration of its first request
    // (measured: after a failed handshake the CA added later was not used until this).
    m_nam.clearConnectionCache();
    setProblem({});
}

Result<void> RemoteBackend::setCaFile(const QString &path)
{
    m_caFile = path;
    if (path.isEmpty()) {
        setCaCertificates({});
        return {};
    }
    QFile file(path);
    QString problem;
    QList<QSslCertificate> certificates;
    if (!file.open(QIODevice::ReadOnly)) {
        problem = u"Cannot read the CA file %1 (%2)."_s.arg(path, file.errorString());
    } else {
        certificates = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
        if (certificates.isEmpty()) {
            problem = u"The CA file %1 holds no PEM certificate."_s.arg(path);
        }
    }
    if (!problem.isEmpty()) {
        m_caCertificates.clear();
        m_caProblem = problem;
        setProblem(problem);
        return makeError(ErrorCode::InvalidArgument, problem);
    }
    setCaCertificates(certificates);
    return {};
}

QNetworkRequest RemoteBackend::makeRequest(const QUrl &url) const
{
    QNetworkRequest request(url);
    request.setTransferTimeout(m_timeoutMs);
    if (!m_token.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    }
    if (!m_caCertificates.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(m_caCertificates);
        request.setSslConfiguration(tls);
    }
    return request;
}

QString RemoteBackend::description() const
{
    return u"Remote: %1"_s.arg(m_baseUrl.toDisplayString());
}

void RemoteBackend::setProblem(const QString &problem)
{
    if (problem != m_problem) {
        m_problem = problem;
        Q_EMIT problemChanged(problem);
    }
}

void RemoteBackend::send(const QByteArray &verb, const QString &path, const QUrlQuery &query,
                         const QByteArray &body, QObject *context, JsonCallback callback)
{
    const bool noServer =
        !m_baseUrl.isValid() || m_baseUrl.scheme().isEmpty() || m_baseUrl.host().isEmpty();
    if (noServer || !m_caProblem.isEmpty()) {
        const Error error =
            noServer ? makeError(ErrorCode::InvalidArgument,
                                 u"No server set: enter a URL like http://127.0.0.1:8080"_s)
                     : makeError(ErrorCode::Unavailable, m_caProblem);
        if (!noServer) {
            setProblem(m_caProblem);
        }
        QPointer<QObject> guard(context);
        QTimer::singleShot(0, this, [guard, callback, error] {
            if (guard) {
                callback(error);
            }
        });
        return;
    }
    QUrl url = m_baseUrl;
    QString basePath = url.path();
    while (basePath.endsWith(u'/')) {
        basePath.chop(1);
    }
    url.setPath(basePath + path);
    url.setQuery(query);
    QNetworkRequest req = makeRequest(url);
    req.setRawHeader("Accept", "application/json");
    if (!body.isEmpty() || verb == "POST") {
        req.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    }
    QNetworkReply *reply = m_nam.sendCustomRequest(req, verb, body);
    QPointer<QObject> guard(context);
    connect(reply, &QNetworkReply::finished, this, [this, reply, guard, callback] {
        reply->deleteLater();
        Result<QJsonDocument> result = interpret(reply);
        if (guard) {
            callback(std::move(result));
        }
    });
}

Result<QJsonDocument> RemoteBackend::interpret(QNetworkReply *reply)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray data = status != 0 ? reply->readAll() : QByteArray();
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(data, &parseError);
    const QString server = m_baseUrl.toDisplayString();

    if (status == 0) {
        // No HTTP answer at all: refused, unknown host, timeout, TLS...
        QString why = reply->errorString();
        if (reply->error() == QNetworkReply::OperationCanceledError
            || reply->error() == QNetworkReply::TimeoutError) {
            why = u"no answer within %1 s"_s.arg(m_timeoutMs / 1000.0);
        }
        if (reply->error() == QNetworkReply::SslHandshakeFailedError) {
            why = u"TLS: %1; if its certificate comes from your own CA, set the CA file"_s.arg(why);
        }
        const QString message = u"Cannot reach the server at %1 (%2)."_s.arg(server, why);
        setProblem(message);
        return makeError(ErrorCode::Unavailable, message);
    }
    if (status == 401 || status == 403) {
        const QString message =
            u"The server at %1 refused the token (HTTP %2). Check the API token."_s.arg(server).arg(
                status);
        setProblem(message);
        return makeError(errorCodeForHttpStatus(status), message);
    }
    setProblem({});
    if (status >= 400) {
        QString text = doc.isObject() ? serverErrorText(doc) : QString();
        if (text.isEmpty()) {
            text = reply->errorString();
        }
        return makeError(errorCodeForHttpStatus(status), u"HTTP %1: %2"_s.arg(status).arg(text),
                         doc.object());
    }
    if (data.isEmpty()) {
        return QJsonDocument();
    }
    if (parseError.error != QJsonParseError::NoError) {
        return makeError(
            ErrorCode::Unavailable,
            u"The server at %1 did not answer JSON (%2); is it artemis-headless?"_s.arg(
                server, parseError.errorString()));
    }
    return doc;
}

void RemoteBackend::checkConnection(QObject *context, Callback<bool> callback)
{
    send("GET", u"/api/v1/hunts"_s, QUrlQuery(u"limit=1"_s), {}, context,
         [callback](Result<QJsonDocument> doc) {
             if (!doc) {
                 callback(doc.error());
                 return;
             }
             callback(true);
         });
}

void RemoteBackend::submit(const HuntRequest &request, QObject *context,
                           Callback<HuntInfo> callback)
{
    // The server needs the header values, the password and the CA text to fetch: the wire form.
    const QJsonObject body = huntRequestToJson(request);
    const QPointer<RemoteBackend> self(this);
    send("POST", u"/api/v1/hunts"_s, {}, QJsonDocument(body).toJson(QJsonDocument::Compact),
         context, [self, context, callback, request](Result<QJsonDocument> doc) {
             if (!doc) {
                 callback(doc.error());
                 return;
             }
             const QString id = doc->object().value(u"hunt"_s).toString();
             if (id.isEmpty()) {
                 callback(makeError(ErrorCode::Unavailable,
                                    u"The server accepted the hunt but sent no id"_s));
                 return;
             }
             const HuntInfo info =
                 submittedInfo(id, request.url, request.options, int(request.nodes.size()));
             if (self) {
                 self->watch(info);
             }
             callback(info);
             Q_UNUSED(context);
         });
}

void RemoteBackend::watch(const HuntInfo &info)
{
    Watch w;
    w.timer = new QTimer(this);
    w.startedMs = QDateTime::currentMSecsSinceEpoch();
    const QString id = info.id;
    connect(w.timer, &QTimer::timeout, this, [this, id] { poll(id); });
    w.timer->start(m_pollIntervalMs);
    m_watches.insert(id, w);
    Q_EMIT huntStarted(info);
}

void RemoteBackend::poll(const QString &id)
{
    auto it = m_watches.find(id);
    if (it == m_watches.end() || it->busy) {
        return;
    }
    it->busy = true;
    send("GET", u"/api/v1/hunts/"_s + id, {}, {}, this, [this, id](Result<QJsonDocument> doc) {
        auto w = m_watches.find(id);
        if (w == m_watches.end()) {
            return;
        }
        if (!doc) {
            w->busy = false; // try again at the next tick; problemChanged tells the user
            return;
        }
        const Result<HuntInfo> info = HuntInfo::fromJson(doc->object());
        if (!info) {
            w->busy = false;
            return;
        }
        QUrlQuery query;
        query.addQueryItem(u"offset"_s, QString::number(w->fetched));
        query.addQueryItem(u"limit"_s, QString::number(PollPageSize));
        const HuntInfo hunt = *info;
        // A running hunt's live view (the service's HuntCatalog::liveProgress): the rate over
        // the last seconds and the nodes still waited on. Absent from an older service.
        const QJsonObject live = doc->object().value(u"progress"_s).toObject();
        send("GET", u"/api/v1/hunts/%1/results"_s.arg(id), query, {}, this,
             [this, id, hunt, live](Result<QJsonDocument> page) {
                 auto w2 = m_watches.find(id);
                 if (w2 == m_watches.end()) {
                     return;
                 }
                 w2->busy = false;
                 if (!page) {
                     return;
                 }
                 HuntProgress progress;
                 progress.id = id;
                 progress.state = hunt.state;
                 progress.done = hunt.done;
                 progress.total = hunt.total;
                 progress.counts = hunt.counts;
                 for (const QJsonValue &v : remoteArray(*page)) {
                     if (Result<Outcome> o = Outcome::fromJson(v.toObject())) {
                         progress.newOutcomes.append(std::move(*o));
                     }
                 }
                 w2->fetched += int(progress.newOutcomes.size());
                 if (live.contains(u"nodesPerSecond"_s)) {
                     progress.nodesPerSecond = live.value(u"nodesPerSecond"_s).toDouble();
                     progress.sinceLastOutcomeMs =
                         qint64(live.value(u"sinceLastOutcomeMs"_s).toDouble());
                     progress.unfinished =
                         UnfinishedSnapshot::fromJson(live.value(u"unfinished"_s).toObject());
                 } else {
                     const qint64 ms = QDateTime::currentMSecsSinceEpoch() - w2->startedMs;
                     progress.nodesPerSecond = ms > 0 ? hunt.done * 1000.0 / double(ms) : 0.0;
                 }
                 const bool complete = isFinished(hunt.state) && w2->fetched >= hunt.done;
                 // Every poll, also with nothing new: ages grow and the rate falls to 0 while
                 // the last nodes hang, as the local engine tells every second.
                 Q_EMIT huntProgress(progress);
                 if (complete) {
                     delete w2->timer;
                     m_watches.erase(w2);
                     Q_EMIT huntFinished(hunt);
                 } else if (!progress.newOutcomes.isEmpty()) {
                     QTimer::singleShot(0, this, [this, id] { poll(id); }); // catch up fast
                 }
             });
    });
}

void RemoteBackend::cancel(const QString &id, QObject *context, Callback<bool> callback)
{
    // Never falls back to DELETE: on this API it deletes the hunt's data.
    send("POST", u"/api/v1/hunts/%1/cancel"_s.arg(id), {}, {}, context,
         [callback](Result<QJsonDocument> doc) {
             if (!doc) {
                 callback(doc.error());
                 return;
             }
             callback(true);
         });
}

void RemoteBackend::listHunts(int limit, QObject *context, Callback<QList<HuntInfo>> callback)
{
    send("GET", u"/api/v1/hunts"_s, QUrlQuery(u"limit=%1"_s.arg(limit)), {}, context,
         [callback](Result<QJsonDocument> doc) {
             if (!doc) {
                 callback(doc.error());
                 return;
             }
             QList<HuntInfo> hunts;
             for (const QJsonValue &v : remoteArray(*doc)) {
                 if (Result<HuntInfo> info = HuntInfo::fromJson(v.toObject())) {
                     hunts.append(std::move(*info));
                 }
             }
             callback(hunts);
         });
}

void RemoteBackend::huntInfo(const QString &id, QObject *context, Callback<HuntInfo> callback)
{
    send("GET", u"/api/v1/hunts/"_s + id, {}, {}, context, [callback](Result<QJsonDocument> doc) {
        if (!doc) {
            callback(doc.error());
            return;
        }
        callback(HuntInfo::fromJson(doc->object()));
    });
}

void RemoteBackend::readResults(const QString &id, const ResultQuery &query, QObject *context,
                                Callback<ResultPage> callback)
{
    QUrlQuery q;
    q.addQueryItem(u"offset"_s, QString::number(query.offset));
    q.addQueryItem(u"limit"_s, QString::number(query.limit));
    if (query.outcome) {
        q.addQueryItem(u"outcome"_s, query.outcome.toString());
    }
    // Encoded here: QUrlQuery would take a '%' or '&' of the text for syntax.
    if (!query.sort.isFileOrder()) {
        q.addQueryItem(u"sort"_s,
                       QString::fromUtf8(QUrl::toPercentEncoding(query.sort.toString())));
    }
    if (!query.nodeContains.isEmpty()) {
        q.addQueryItem(u"search"_s, QString::fromUtf8(QUrl::toPercentEncoding(query.nodeContains)));
    }
    const int offset = query.offset;
    send("GET", u"/api/v1/hunts/%1/results"_s.arg(id), q, {}, context,
         [callback, offset](Result<QJsonDocument> doc) {
             if (!doc) {
                 callback(doc.error());
                 return;
             }
             ResultPage page;
             page.offset = offset;
             for (const QJsonValue &v : remoteArray(*doc)) {
                 if (Result<Outcome> o = Outcome::fromJson(v.toObject())) {
                     page.outcomes.append(std::move(*o));
                 }
             }
             const QJsonObject obj = doc->object();
             page.total = obj.contains(u"total"_s) ? obj.value(u"total"_s).toInt()
                                                   : offset + int(page.outcomes.size());
             page.skippedLines = obj.value(u"skippedLines"_s).toInt();
             callback(page);
         });
}

void RemoteBackend::collectValues(const QString &id, const QString &path, QObject *context,
                                  Callback<QList<CompareRow>> callback)
{
    if (const Result<JsonPath> parsed = parseJsonPath(path); !parsed) {
        deliver<QList<CompareRow>>(context, callback, parsed.error());
        return;
    }
    collectPage(id, path, 0, std::make_shared<QList<CompareRow>>(), context, std::move(callback));
}

void RemoteBackend::collectPage(const QString &id, const QString &path, int offset,
                                std::shared_ptr<QList<CompareRow>> rows, QObject *context,
                                Callback<QList<CompareRow>> callback)
{
    ResultQuery query;
    query.offset = offset;
    query.limit = CollectPageSize;
    const QPointer<RemoteBackend> self(this);
    readResults(
        id, query, context, [self, id, path, rows, context, callback](Result<ResultPage> page) {
            if (!page) {
                callback(page.error());
                return;
            }
            const JsonPath parsed = *parseJsonPath(path);
            for (const Outcome &outcome : std::as_const(page->outcomes)) {
                CompareRow row;
                row.node = outcome.node;
                row.outcome = outcome.outcome;
                row.value = outcome.outcome == OutcomeKind::Ok ? jsonValueAt(outcome.body, parsed)
                                                               : QJsonValue(QJsonValue::Undefined);
                row.number = jsonNumber(row.value);
                rows->append(std::move(row));
            }
            const int next = page->offset + int(page->outcomes.size());
            if (page->outcomes.isEmpty() || next >= page->total || !self) {
                callback(*rows);
                return;
            }
            self->collectPage(id, path, next, rows, context, callback);
        });
}

void RemoteBackend::fleetValues(const QString &id, const QString &path,
                                const QStringList &groupByLabels, QObject *context,
                                Callback<FleetValues> callback)
{
    valuesPage(id, path, groupByLabels, nullptr, context, std::move(callback));
}

void RemoteBackend::valuesPage(const QString &id, const QString &path, const QStringList &groupBy,
                               std::shared_ptr<FleetValues> values, QObject *context,
                               Callback<FleetValues> callback)
{
    const int offset = values ? int(values->groups.size()) : 0;
    QUrlQuery query;
    query.addQueryItem(u"path"_s, QString::fromUtf8(QUrl::toPercentEncoding(path)));
    query.addQueryItem(u"groups"_s, QString::number(RemoteMaxGroups));
    query.addQueryItem(u"nodes"_s, QString::number(RemoteMaxNodesPerGroup));
    if (offset > 0) {
        query.addQueryItem(u"groupOffset"_s, QString::number(offset));
    } else if (!groupBy.isEmpty()) {
        query.addQueryItem(u"groupBy"_s,
                           QString::fromUtf8(QUrl::toPercentEncoding(labelGroupByText(groupBy))));
    }
    const QPointer<RemoteBackend> self(this);
    send("GET", u"/api/v1/hunts/%1/values"_s.arg(id), query, {}, context,
         [self, id, path, groupBy, values, context, callback](Result<QJsonDocument> doc) {
             if (!doc) {
                 callback(doc.error());
                 return;
             }
             Result<FleetValues> page = fleetValuesFromJson(doc->object());
             if (!page) {
                 callback(page.error());
                 return;
             }
             const qsizetype received = page->groups.size();
             std::shared_ptr<FleetValues> all = values;
             if (!all) {
                 all = std::make_shared<FleetValues>(std::move(*page));
             } else {
                 const int first = int(all->groups.size());
                 for (const int minority : std::as_const(page->minorities)) {
                     all->minorities.append(first + minority);
                 }
                 all->groups.append(std::move(page->groups));
             }
             const qsizetype have = all->groups.size();
             if (received == 0 || have >= all->groupCount || have >= RemoteMaxGroupsTotal
                 || all->distribution || !self) {
                 callback(std::move(*all));
                 return;
             }
             self->valuesPage(id, path, groupBy, all, context, callback);
         });
}

void RemoteBackend::nodeDiff(const QString &id, const QString &node, const QString &against,
                             QObject *context, Callback<NodeDiff> callback)
{
    QUrlQuery query;
    query.addQueryItem(u"node"_s, QString::fromUtf8(QUrl::toPercentEncoding(node)));
    query.addQueryItem(u"against"_s, QString::fromUtf8(QUrl::toPercentEncoding(against)));
    send("GET", u"/api/v1/hunts/%1/diff"_s.arg(id), query, {}, context,
         [callback](Result<QJsonDocument> doc) {
             if (!doc) {
                 callback(doc.error());
                 return;
             }
             callback(nodeDiffFromJson(doc->object()));
         });
}

void RemoteBackend::nodeOutcome(const QString &id, const QString &node, QObject *context,
                                Callback<Outcome> callback)
{
    const QString encoded = QString::fromUtf8(QUrl::toPercentEncoding(node));
    send("GET", u"/api/v1/hunts/%1/results/%2"_s.arg(id, encoded), {}, {}, context,
         [callback](Result<QJsonDocument> doc) {
             if (!doc) {
                 callback(doc.error());
                 return;
             }
             callback(Outcome::fromJson(doc->object()));
         });
}

void RemoteBackend::exportResults(const QString &id, const QStringList &fields, ExportFormat format,
                                  const OutcomeFilter &outcomes, const QString &filePath,
                                  QObject *context, Callback<qint64> callback)
{
    if (!m_baseUrl.isValid() || m_baseUrl.host().isEmpty()) {
        deliver<qint64>(context, callback,
                        makeError(ErrorCode::InvalidArgument, u"No server set"_s));
        return;
    }
    if (!m_caProblem.isEmpty()) {
        deliver<qint64>(context, callback, makeError(ErrorCode::Unavailable, m_caProblem));
        return;
    }
    auto file = std::make_shared<QSaveFile>(filePath);
    if (!file->open(QIODevice::WriteOnly)) {
        deliver<qint64>(
            context, callback,
            makeError(ErrorCode::Io, u"cannot write %1: %2"_s.arg(filePath, file->errorString())));
        return;
    }
    QUrlQuery query;
    query.addQueryItem(u"fields"_s,
                       QString::fromUtf8(QUrl::toPercentEncoding(fields.join(u','), ",")));
    query.addQueryItem(u"format"_s, format == ExportFormat::Csv      ? u"csv"_s
                                    : format == ExportFormat::Ndjson ? u"ndjson"_s
                                                                     : u"json"_s);
    if (outcomes) {
        query.addQueryItem(u"outcome"_s, outcomes.toString());
    }
    QUrl url = m_baseUrl;
    QString basePath = url.path();
    while (basePath.endsWith(u'/')) {
        basePath.chop(1);
    }
    url.setPath(basePath + u"/api/v1/hunts/%1/results"_s.arg(id));
    url.setQuery(query);
    // The transfer timeout is an inactivity one: a long export keeps going as long as bytes
    // keep arriving.
    QNetworkReply *reply = m_nam.get(makeRequest(url));
    auto failed = std::make_shared<bool>(false);
    auto bytes = std::make_shared<qint64>(0);
    // The body goes to the file as it arrives (never held whole); an error body is read at
    // the end instead.
    connect(reply, &QNetworkReply::readyRead, this, [reply, file, failed, bytes] {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status != 200 || *failed) {
            return;
        }
        const qint64 n = file->write(reply->readAll());
        *bytes += std::max<qint64>(n, 0);
        if (n < 0) {
            *failed = true;
            reply->abort();
        }
    });
    QPointer<QObject> guard(context);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, file, failed, bytes, guard, callback, filePath] {
                reply->deleteLater();
                const int status =
                    reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                Result<qint64> result = qint64(0);
                if (*failed) {
                    result = makeError(ErrorCode::Io,
                                       u"cannot write %1: %2"_s.arg(filePath, file->errorString()));
                } else if (status != 200 || reply->error() != QNetworkReply::NoError) {
                    const Result<QJsonDocument> answer = interpret(reply);
                    result = answer ? makeError(ErrorCode::Unavailable,
                                                u"export failed: %1"_s.arg(reply->errorString()))
                                    : answer.error();
                } else if (const QByteArray rest = reply->readAll();
                           file->write(rest) < 0 || !file->commit()) {
                    result = makeError(ErrorCode::Io,
                                       u"cannot write %1: %2"_s.arg(filePath, file->errorString()));
                } else {
                    result = *bytes + rest.size();
                    setProblem({});
                }
                if (!result) {
                    file->cancelWriting();
                }
                if (guard) {
                    callback(std::move(result));
                }
            });
}

void RemoteBackend::createSchedule(const ScheduleSpec &spec, QObject *context,
                                   Callback<Schedule> callback)
{
    HuntRequest round;
    round.nodes = spec.nodes;
    round.labels = spec.labels;
    round.url = spec.url;
    round.options = spec.options;
    round.extract = spec.extract;
    QJsonObject body = huntRequestToJson(round);
    body.insert(u"every"_s, formatDurationMs(spec.everyMs));
    body.insert(u"retention"_s, QJsonObject{{u"keep"_s, spec.retention.keepRounds}});
    if (spec.maxRounds > 0) {
        body.insert(u"rounds"_s, spec.maxRounds);
    }
    if (!spec.conditions.isEmpty()) {
        body.insert(u"conditions"_s, alertRulesToJson(spec.conditions));
    }
    const QPointer<RemoteBackend> self(this);
    send("POST", u"/api/v1/schedules"_s, {}, QJsonDocument(body).toJson(QJsonDocument::Compact),
         context, [self, callback, spec](Result<QJsonDocument> doc) {
             if (!doc) {
                 callback(doc.error());
                 return;
             }
             Result<Schedule> schedule = Schedule::fromJson(doc->object());
             if (!schedule || schedule->rounds.isEmpty()) {
                 callback(
                     makeError(ErrorCode::Unavailable,
                               u"The server created the schedule but its answer is unreadable"_s));
                 return;
             }
             if (self) {
                 self->watch(submittedInfo(schedule->rounds.first().hunt, spec.url, spec.options,
                                           int(spec.nodes.size())));
             }
             callback(std::move(schedule));
         });
}

void RemoteBackend::listSchedules(QObject *context, Callback<QList<Schedule>> callback)
{
    send("GET", u"/api/v1/schedules"_s, {}, {}, context, [callback](Result<QJsonDocument> doc) {
        if (!doc) {
            callback(doc.error());
            return;
        }
        QList<Schedule> schedules;
        for (const QJsonValue &v : remoteArray(*doc)) {
            if (Result<Schedule> schedule = Schedule::fromJson(v.toObject())) {
                schedules.append(std::move(*schedule));
            }
        }
        callback(schedules);
    });
}

void RemoteBackend::nodeHistory(const QString &schedule, const QString &node, const QString &path,
                                int limit, QObject *context,
                                Callback<QList<NodeHistoryEntry>> callback)
{
    QUrlQuery query;
    query.addQueryItem(u"node"_s, QString::fromUtf8(QUrl::toPercentEncoding(node)));
    if (!path.isEmpty()) {
        query.addQueryItem(u"path"_s, QString::fromUtf8(QUrl::toPercentEncoding(path)));
    }
    query.addQueryItem(u"limit"_s, QString::number(limit));
    send("GET", u"/api/v1/schedules/%1/history"_s.arg(schedule), query, {}, context,
         [callback](Result<QJsonDocument> doc) {
             if (!doc) {
                 callback(doc.error());
                 return;
             }
             QList<NodeHistoryEntry> entries;
             for (const QJsonValue &v : remoteArray(*doc)) {
                 entries.append(NodeHistoryEntry::fromJson(v.toObject()));
             }
             callback(entries);
         });
}

void RemoteBackend::scheduleAlerts(const QString &schedule, QObject *context,
                                   Callback<ScheduleAlerts> callback)
{
    // The listing names the user's conditions; whether the built-in NodeDown is on, and for
    // how many rounds, is the schedule's: read first, so NodeDown rows show as the rule they are.
    const QPointer<RemoteBackend> self(this);
    send("GET", u"/api/v1/schedules/%1"_s.arg(schedule), {}, {}, context,
         [self, schedule, context, callback](Result<QJsonDocument> doc) {
             if (!doc) {
                 callback(doc.error());
                 return;
             }
             const Result<Schedule> found = Schedule::fromJson(doc->object());
             if (!found) {
                 callback(makeError(
                     ErrorCode::Unavailable,
                     u"The server's schedule is unreadable: %1"_s.arg(found.error().message)));
                 return;
             }
             if (!self) {
                 return;
             }
             // Every state (resolved too): the view filters, and the counts come with it.
             QUrlQuery query;
             query.addQueryItem(u"limit"_s, QString::number(RemoteAlertsLimit));
             self->send("GET", u"/api/v1/schedules/%1/alerts"_s.arg(schedule), query, {}, context,
                        [callback, nodeDown = found->spec.nodeDown](Result<QJsonDocument> listing) {
                            if (!listing) {
                                callback(listing.error());
                                return;
                            }
                            callback(ScheduleAlerts::fromListingJson(listing->object(), nodeDown));
                        });
         });
}

} // namespace Artemis::Gui
