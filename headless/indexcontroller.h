#pragma once

#include <QByteArray>

namespace Artemis {

class ResultStore;
class Router;

// GET / : a small HTML page linking the API and listing recent hunts (open; the hunt list is
// shown only when no token is configured, since the page itself needs none).
// GET /api/v1/openapi.json : the OpenAPI 3 description of the whole API (token-protected like
// the rest of /api/v1).
class IndexController
{
public:
    IndexController(ResultStore *store, bool showHunts); // store not owned
    [[nodiscard]] bool registerRoutes(Router &router);

    static QByteArray openApiJson(); // resources/openapi.json, compiled in

private:
    QByteArray page() const;

    ResultStore *m_store; // not owned
    bool m_showHunts;
};

} // namespace Artemis
