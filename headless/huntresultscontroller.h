#pragma once

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>

#include <optional>

namespace Artemis {

class HuntsController;
class ResultStore;
class Router;

// The results of a hunt:
//   GET /api/v1/hunts/{id}/results?outcome=&offset=&limit=   a page of JSON; with
//       `Accept: application/x-ndjson` the whole (filtered) set streamed as NDJSON
//   GET /api/v1/hunts/{id}/results/{node}                    one node's outcome (URL-encoded)
// Lives on the server's thread; borrows the store and the hunts controller (for lookups).
class HuntResultsController
{
public:
    HuntResultsController(ResultStore *store, HuntsController *hunts); // not owned
    [[nodiscard]] bool registerRoutes(Router &router);

    static constexpr int DefaultLimit = 100;
    static constexpr int MaxLimit = 1000;

private:
    std::optional<QHttpServerResponse> results(const QString &id,
                                               const QHttpServerRequest &request,
                                               QHttpServerResponder &responder);
    QHttpServerResponse result(const QString &id, const QString &node);

    ResultStore *m_store;     // not owned
    HuntsController *m_hunts; // not owned
};

} // namespace Artemis
