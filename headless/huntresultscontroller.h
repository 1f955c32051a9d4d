#pragma once

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>

#include <optional>

namespace Artemis {

class HuntCatalog;
class Router;

// The results of a hunt:
//   GET /api/v1/hunts/{id}/results?outcome=&offset=&limit=   a page of JSON; with
//       `Accept: application/x-ndjson` the whole (filtered) set streamed as NDJSON
//   GET /api/v1/hunts/{id}/results/{node}                    one node's outcome (URL-encoded)
// Lives on the server's thread; borrows the catalog (lookups, and its store for reads).
class HuntResultsController
{
public:
    explicit HuntResultsController(HuntCatalog *catalog); // not owned
    [[nodiscard]] bool registerRoutes(Router &router);

    static constexpr int DefaultLimit = 100;
    static constexpr int MaxLimit = 1000;

private:
    std::optional<QHttpServerResponse> results(const QString &id,
                                               const QHttpServerRequest &request,
                                               QHttpServerResponder &responder);
    QHttpServerResponse result(const QString &id, const QString &node);

    HuntCatalog *m_catalog; // not owned
};

} // namespace Artemis
