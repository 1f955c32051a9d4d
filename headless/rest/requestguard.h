#pragma once

#include <optional>

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace Artemis {

// Who may drive the service from where: the checks that keep a web page the operator happens
// to visit from using Artemis (a confused deputy that fetches internal addresses for it):
//  - Host: without a token, only a loopback name or address (localhost, 127.0.0.0/8, [::1],
//    with any port) or an --allow-host name; otherwise a page that rebinds its own name to
//    127.0.0.1 could read every answer (DNS rebinding).
//  - For /fetch and /api/v1/*: an --allow-origin `Origin` is accepted from any site; otherwise
//    `Sec-Fetch-Site: cross-site` is refused, and an `Origin` must be
//    the service's own (http[s]://HOST as the request names it) or an --allow-origin one
//    ("null" never is). Non-browser clients (curl, the GUI, Prometheus) send neither header.
//  - Bodies: JSON endpoints take `Content-Type: application/json` only (text/plain is what a
//    page may send without a CORS preflight); /fetch takes form bodies
//    (application/x-www-form-urlencoded, as the seed's curl sends).
// Pure; thread-safe.
struct RequestSourcePolicy
{
    bool tokenRequired = false; // a token protects the API: Host is not checked then
    QStringList allowedOrigins; // exact, lower-case ("http://dash.example:8080")
    QStringList allowedHosts;   // host names without port, lower-case
    bool tls = false;           // served over HTTPS: the own origin is https://HOST
};

struct RequestFacts
{
    QByteArray method; // "POST"
    QString path;      // "/api/v1/hunts"
    QByteArray host;   // the Host header
    QByteArray origin;
    QByteArray secFetchSite;
    QByteArray contentType;
    bool hasBody = false;
};

struct RequestRefusal
{
    int status = 403; // 403, or 415 for a body of the wrong type
    QString reason;   // names the origin, host or type
};

// Host, Sec-Fetch-Site and Origin (403). First, before the token and anything else.
std::optional<RequestRefusal> checkRequestSource(const RequestFacts &facts,
                                                 const RequestSourcePolicy &policy);
// The body's Content-Type (415). After the token and the size limit.
std::optional<RequestRefusal> checkRequestBody(const RequestFacts &facts);

// The paths a token protects when one is set, and that the Origin checks above guard: /fetch
// and the versioned API (/api/v1, /api/v1/*); /metric, /metrics, /healthz, /readyz, / and /web/*
// stay open. The one rule for the router (each route's access, unknown paths) and the connection
// gate (which checks the token when a request head is complete, before its body is read).
bool pathNeedsToken(const QString &path);
// Constant-time comparison of the bearer token in an `Authorization` value with `token`.
bool bearerTokenMatches(const QByteArray &authorization, const QByteArray &token);

// True for localhost, 127.0.0.0/8 and ::1 (no port, no brackets).
bool isLoopbackHostName(const QString &host);

} // namespace Artemis
