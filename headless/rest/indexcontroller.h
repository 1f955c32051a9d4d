#pragma once

#include <QByteArray>
#include <QString>

namespace Artemis {

class Router;

// What the service serves from resources/ (compiled in, no data in it, never changing while the
// process runs):
// GET / and GET /web/<file> : the web page (resources/web/: HTML, CSS and JavaScript modules,
// using the public API only; open, like /healthz, since the files hold nothing but code). Each
// answer carries its Content-Type, `Cache-Control: no-cache` with an ETag (a revalidation costs a
// 304), and a Content-Security-Policy that lets the page load and call nothing but this service.
// GET /api/v1/openapi.json : the OpenAPI 3 description of the whole API (token-protected like
// the rest of /api/v1).
// Stateless; lives on the server's thread.
class IndexController
{
public:
    [[nodiscard]] bool registerRoutes(Router &router);

    static QByteArray openApiJson(); // resources/openapi.json, compiled in
    // The policy every web file is sent with (tst_webpage checks the page keeps to it).
    static QByteArray contentSecurityPolicy();
};

} // namespace Artemis
