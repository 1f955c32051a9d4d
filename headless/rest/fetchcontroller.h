#pragma once

#include <QHttpServerRequest>
#include <QHttpServerResponse>

namespace Artemis {

class HuntEngine;
class Router;

// The old tool's endpoint, unchanged for its callers:
//   POST /fetch  form fields `node` (repeatable, each may be a comma-separated list) and `url`
//                -> 202 {"success": "Request is being processed", "hunt": ID, "status": ...}
//   GET /fetch   -> 405 (Allow: POST) with a JSON explanation of the POST form.
// Lives on the server's thread; borrows the engine.
class FetchController
{
public:
    explicit FetchController(HuntEngine *engine); // not owned
    [[nodiscard]] bool registerRoutes(Router &router);

private:
    QHttpServerResponse fetch(const QHttpServerRequest &request);
    static QHttpServerResponse usage();

    HuntEngine *m_engine; // not owned
};

} // namespace Artemis
