#include "headless/rest/router.h"

#include <QHttpServer>
#include <QPointer>
#include <QTcpSocket>
#include <QUrl>

#include "headless/rest/httperrors.h"
#include "headless/rest/reply.h"
#include "headless/rest/requestguard.h"
#include "headless/rest/selfmetrics.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

QStringList splitPath(const QString &path)
{
    return path.split(u'/', Qt::SkipEmptyParts);
}

QStringList decoded(QStringList args)
{
    for (QString &arg : args) {
        // QtHttpServer hands over the decoded path; decoding again is harmless for ids and
        // nodes (a valid node holds no '%') and covers clients that double-encode.
        arg = QUrl::fromPercentEncoding(arg.toUtf8());
    }
    return args;
}

// The request's Origin when it is one of --allow-origin (as the client sent it), else empty.
QByteArray allowedOrigin(const QHttpServerRequest &request, const QStringList &allowed)
{
    const QByteArray origin = request.value("Origin").trimmed();
    if (origin.isEmpty() || !allowed.contains(QString::fromLatin1(origin).toLower())) {
        return {};
    }
    return origin;
}

// What a page from an allowed origin may read: the answer itself (Vary: caches keep one per
// origin).
void allowReading(QHttpServerResponse &response, const QByteArray &origin)
{
    if (!origin.isEmpty()) {
        response.setHeader("Access-Control-Allow-Origin", origin);
        response.addHeader("Vary", "Origin");
    }
}

} // namespace

Router::Router(QHttpServer *server, RouterSettings settings, SelfMetrics *metrics)
    : m_server(server), m_settings(std::move(settings)), m_metrics(metrics)
{
}

QString Router::methodName(Method method)
{
    switch (method) {
    case Method::Get:
        return u"GET"_s;
    case Method::Put:
        return u"PUT"_s;
    case Method::Delete:
        return u"DELETE"_s;
    case Method::Post:
        return u"POST"_s;
    case Method::Head:
        return u"HEAD"_s;
    case Method::Options:
        return u"OPTIONS"_s;
    case Method::Patch:
        return u"PATCH"_s;
    default:
        return u"OTHER"_s;
    }
}

bool Router::add(Method method, const QString &path, Access access, Handler handler)
{
    return addStreaming(method, path, access,
                        [handler = std::move(handler)](const QHttpServerRequest &request,
                                                       const QStringList &args,
                                                       QHttpServerResponder &) {
                            return std::optional<QHttpServerResponse>(handler(request, args));
                        });
}

bool Router::addStreaming(Method method, const QString &path, Access access, StreamHandler handler)
{
    // The connection gate asks pathNeedsToken() before a body is read: a route must agree.
    Q_ASSERT((access == Access::Token) == pathNeedsToken(path));
    const Route route{method, path, splitPath(path), access};
    m_routes.append(route);
    const qsizetype arity = path.count(u"<arg>"_s);
    switch (arity) {
    case 0:
        return m_server->route(path, method,
                               [this, route, handler](const QHttpServerRequest &request,
                                                      QHttpServerResponder &&responder) {
                                   dispatch(route, request, {}, std::move(responder), handler);
                               });
    case 1:
        return m_server->route(
            path, method,
            [this, route, handler](const QString &a, const QHttpServerRequest &request,
                                   QHttpServerResponder &&responder) {
                dispatch(route, request, decoded({a}), std::move(responder), handler);
            });
    case 2:
        return m_server->route(
            path, method,
            [this, route, handler](const QString &a, const QString &b,
                                   const QHttpServerRequest &request,
                                   QHttpServerResponder &&responder) {
                dispatch(route, request, decoded({a, b}), std::move(responder), handler);
            });
    default:
        Q_ASSERT_X(false, "Router::addStreaming", "at most two path arguments");
        return false;
    }
}

std::optional<QHttpServerResponse> Router::guard(const Route &route,
                                                 const QHttpServerRequest &request) const
{
    const RequestFacts facts = requestFacts(request);
    const RequestSourcePolicy policy{!m_settings.token.isEmpty(), m_settings.allowedOrigins,
                                     m_settings.allowedHosts, m_settings.tls};
    if (const std::optional<RequestRefusal> refusal = checkRequestSource(facts, policy)) {
        return errorResponse(refusal->status, refusal->reason);
    }
    if (route.access == Access::Token && !m_settings.token.isEmpty()
        && !bearerTokenMatches(request.value("Authorization"), m_settings.token)) {
        QHttpServerResponse response = errorResponse(
            401, u"this endpoint needs 'Authorization: Bearer TOKEN' with the service's token"_s);
        response.setHeader("WWW-Authenticate", "Bearer");
        return response;
    }
    bool hasLength = false;
    const qint64 declared = request.value("Content-Length").toLongLong(&hasLength);
    const qint64 size = std::max<qint64>(request.body().size(), hasLength ? declared : 0);
    if (size > m_settings.maxBodyBytes) {
        return errorResponse(413,
                             u"request body of %1 bytes is over the %2-byte limit"_s.arg(size).arg(
                                 m_settings.maxBodyBytes));
    }
    if (const std::optional<RequestRefusal> refusal = checkRequestBody(facts)) {
        return errorResponse(refusal->status, refusal->reason);
    }
    return std::nullopt;
}

RequestFacts Router::requestFacts(const QHttpServerRequest &request)
{
    RequestFacts facts;
    facts.method = methodName(request.method()).toLatin1();
    facts.path = request.url().path();
    facts.host = request.value("Host");
    facts.origin = request.value("Origin");
    facts.secFetchSite = request.value("Sec-Fetch-Site");
    facts.contentType = request.value("Content-Type");
    facts.hasBody = !request.body().isEmpty();
    return facts;
}

void Router::dispatch(const Route &route, const QHttpServerRequest &request,
                      const QStringList &args, QHttpServerResponder &&responder,
                      const StreamHandler &handler)
{
    const QByteArray origin = allowedOrigin(request, m_settings.allowedOrigins);
    // Answers written later on the socket (deferred, streamed) say the origin too, and record
    // the status they send: a stream that fails before its head gets its error status.
    QTcpSocket *socket = responder.socket();
    beginAnswer(socket, origin,
                [metrics = QPointer<SelfMetrics>(m_metrics), method = methodName(request.method()),
                 path = route.path](int status) {
                    if (metrics) {
                        metrics->recordRequest(method, path, status);
                    }
                });
    std::optional<QHttpServerResponse> response = guard(route, request);
    if (!response) {
        response = handler(request, args, responder);
    }
    if (!response) {
        return; // written later by writeReply(), which records its status
    }
    allowReading(*response, origin);
    recordAnswer(socket, int(response->statusCode()));
    response->write(std::move(responder));
}

bool Router::matches(const Route &route, const QStringList &segments)
{
    if (route.segments.size() != segments.size()) {
        return false;
    }
    for (qsizetype i = 0; i < segments.size(); ++i) {
        if (route.segments[i] != u"<arg>"_s && route.segments[i] != segments[i]) {
            return false;
        }
    }
    return true;
}

void Router::installFallback()
{
    m_server->setMissingHandler(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            answerMissing(request, std::move(responder));
        });
}

void Router::answerMissing(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    const QString path = request.url().path();
    const QStringList segments = splitPath(path);
    QStringList allowed;
    QString routePath = u"unmatched"_s;
    for (const Route &route : std::as_const(m_routes)) {
        if (matches(route, segments)) {
            allowed.append(methodName(route.method));
            routePath = route.path;
        }
    }
    if (request.method() == Method::Options && !allowed.isEmpty()) {
        QHttpServerResponse preflight = answerPreflight(request, allowed);
        record(request, routePath, int(preflight.statusCode()));
        preflight.write(std::move(responder));
        return;
    }
    QHttpServerResponse response = [&] {
        if (pathNeedsToken(path) && !m_settings.token.isEmpty()
            && !bearerTokenMatches(request.value("Authorization"), m_settings.token)) {
            QHttpServerResponse r =
                errorResponse(401, u"this endpoint needs 'Authorization: Bearer TOKEN'"_s);
            r.setHeader("WWW-Authenticate", "Bearer");
            return r;
        }
        if (!allowed.isEmpty()) {
            allowed.removeDuplicates();
            QHttpServerResponse r =
                errorResponse(405, u"%1 is not allowed on %2; allowed: %3"_s.arg(
                                       methodName(request.method()), path, allowed.join(u", "_s)));
            r.setHeader("Allow", allowed.join(u", "_s).toLatin1());
            return r;
        }
        return errorResponse(404, u"no such resource: %1 (see /api/v1/openapi.json)"_s.arg(path));
    }();
    allowReading(response, allowedOrigin(request, m_settings.allowedOrigins));
    record(request, routePath, int(response.statusCode()));
    response.write(std::move(responder));
}

QHttpServerResponse Router::answerPreflight(const QHttpServerRequest &request,
                                            QStringList allowed) const
{
    allowed.removeDuplicates();
    const RequestSourcePolicy policy{!m_settings.token.isEmpty(), m_settings.allowedOrigins,
                                     m_settings.allowedHosts, m_settings.tls};
    if (const std::optional<RequestRefusal> refusal =
            checkRequestSource(requestFacts(request), policy)) {
        return errorResponse(refusal->status, refusal->reason); // no CORS header: not readable
    }
    const QByteArray origin = allowedOrigin(request, m_settings.allowedOrigins);
    if (!request.value("Origin").isEmpty() && origin.isEmpty()) {
        // An open path (the Origin checks above guard the API only): still no cross-origin use.
        return errorResponse(403, u"Origin '%1' may not use this service (start serve with "
                                  "--allow-origin to let a page from it call the API)"_s.arg(
                                      QString::fromLatin1(request.value("Origin").left(200))));
    }
    QHttpServerResponse response(QHttpServerResponder::StatusCode::NoContent);
    const QByteArray methods = (allowed.join(u", "_s) + u", OPTIONS"_s).toLatin1();
    response.setHeader("Allow", methods);
    if (!origin.isEmpty()) {
        allowReading(response, origin);
        response.setHeader("Access-Control-Allow-Methods", methods);
        response.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
        response.setHeader("Access-Control-Max-Age", "600");
    }
    return response;
}

void Router::record(const QHttpServerRequest &request, const QString &route, int status)
{
    if (m_metrics) {
        m_metrics->recordRequest(methodName(request.method()), route, status);
    }
}

} // namespace Artemis
