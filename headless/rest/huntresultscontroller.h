#pragma once

#include <optional>

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QThreadPool>

#include "core/fleet/projection.h"
#include "core/hunt/huntinfo.h"
#include "core/store/resultstore.h"

namespace Artemis {

class HuntCatalog;
class Router;

// The results of a hunt:
//   GET /api/v1/hunts/{id}/results?outcome=&offset=&limit=&fields=&numbers=&sort=&format=
//       a page of JSON (only `fields` when given); with format=ndjson|csv (or `Accept:
//       application/x-ndjson` / `text/csv`) the whole filtered set streamed as NDJSON or CSV.
//       outcome: a kind, a comma list, or `failed`; sort: node, latency or a path (`-` first
//       for descending)
//   GET /api/v1/hunts/{id}/results/{node}                    one node's outcome (URL-encoded)
// Lives on the server's thread; borrows the catalog (lookups, and its store for reads).
class HuntResultsController
{
public:
    explicit HuntResultsController(HuntCatalog *catalog); // not owned
    ~HuntResultsController();
    HuntResultsController(const HuntResultsController &) = delete;
    HuntResultsController &operator=(const HuntResultsController &) = delete;
    [[nodiscard]] bool registerRoutes(Router &router);

    static constexpr int DefaultLimit = 100;
    static constexpr int MaxLimit = 1000;

private:
    std::optional<QHttpServerResponse> results(const QString &id, const QHttpServerRequest &request,
                                               QHttpServerResponder &responder);
    std::optional<QHttpServerResponse> stream(const HuntInfo &hunt, const ResultQuery &query,
                                              std::optional<Projection> projection,
                                              ExportFormat format, CsvCells cells,
                                              QHttpServerResponder &responder);
    QHttpServerResponse result(const QString &id, const QString &node);

    HuntCatalog *m_catalog; // not owned
    QThreadPool m_pool;     // sorted pages and exports read every line off the server's thread
};

} // namespace Artemis
