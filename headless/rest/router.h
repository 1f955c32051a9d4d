#pragma once

#include <functional>
#include <optional>

#include <QByteArray>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QList>
#include <QString>
#include <QStringList>

class QHttpServer;

namespace Artemis {

class SelfMetrics;
struct RequestFacts;

struct RouterSettings
{
    QByteArray token;                       // empty: no authentication
    qint64 maxBodyBytes = 10 * 1024 * 1024; // larger request bodies get 413
    QStringList allowedOrigins;             // --allow-origin (headless/rest/requestguard.h)
    QStringList allowedHosts;               // --allow-host
    bool tls = false;                       // served over HTTPS: the own origin is https://HOST
};

// The single place that calls QHttpServer::route(): every route is registered through it with
// its method, path and access, and gets the same treatment in front of its handler (Host,
// Origin and Content-Type checks of headless/rest/requestguard.h, bearer token check, body limit)
// and behind it (request metrics, `Access-Control-Allow-Origin` for an --allow-origin origin).
// OPTIONS on a known path is the CORS preflight (answerPreflight). Unknown paths get a JSON 404; a
// known path with the wrong method gets 405 with `Allow` (QtHttpServer 6.4 would say 404). Lives on
// the server's thread; borrows the server and the metrics.
class Router
{
public:
    enum class Access { Open, Token };
    using Method = QHttpServerRequest::Method;
    // Path arguments (`<arg>` in the path, percent-decoded) arrive in `args`.
    using Handler =
        std::function<QHttpServerResponse(const QHttpServerRequest &, const QStringList &args)>;
    // May take over `responder` (streaming) and return nullopt; otherwise returns a response.
    using StreamHandler = std::function<std::optional<QHttpServerResponse>(
        const QHttpServerRequest &, const QStringList &args, QHttpServerResponder &responder)>;

    // `server` and `metrics` (may be null) are not owned and must outlive the router.
    Router(QHttpServer *server, RouterSettings settings, SelfMetrics *metrics);

    // Returns route()'s result: false when QHttpServer refused the rule.
    [[nodiscard]] bool add(Method method, const QString &path, Access access, Handler handler);
    [[nodiscard]] bool addStreaming(Method method, const QString &path, Access access,
                                    StreamHandler handler);
    // Installs the 404/405 fallback. Call once after every route is added.
    void installFallback();

    static QString methodName(Method method);

private:
    struct Route
    {
        Method method;
        QString path;
        QStringList segments;
        Access access;
    };

    void dispatch(const Route &route, const QHttpServerRequest &request, const QStringList &args,
                  QHttpServerResponder &&responder, const StreamHandler &handler);
    std::optional<QHttpServerResponse> guard(const Route &route,
                                             const QHttpServerRequest &request) const;
    static RequestFacts requestFacts(const QHttpServerRequest &request);
    void answerMissing(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // OPTIONS on a known path: 204 with Allow, plus the CORS answer for an --allow-origin
    // origin; 403 (without any Access-Control header) for another origin.
    QHttpServerResponse answerPreflight(const QHttpServerRequest &request,
                                        QStringList allowed) const;
    void record(const QHttpServerRequest &request, const QString &route, int status);
    static bool matches(const Route &route, const QStringList &segments);

    QHttpServer *m_server; // not owned
    RouterSettings m_settings;
    SelfMetrics *m_metrics; // not owned; may be null
    QList<Route> m_routes;
};

} // namespace Artemis
