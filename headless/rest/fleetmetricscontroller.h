#pragma once

#include <optional>

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QThreadPool>

#include "core/base/result.h"
#include "core/service/fleetmetrics.h"
#include "core/service/fleetmetricscache.h"

namespace Artemis {

class HuntCatalog;
class Router;
class Scheduler;

// A hunt's nodes, or a schedule's latest finished round, as Prometheus metrics
// (core/service/fleetmetrics.h), for a Prometheus scrape job:
//   GET /api/v1/hunts/{id}/metrics       409 while the hunt is queued or running
//   GET /api/v1/schedules/{id}/metrics   its newest finished round (no samples before one)
// Token access as the rest of /api/v1 (a scrape config's `authorization: credentials_file`).
// Rendering reads the whole results file, so it runs on a pool of this controller and is
// answered when ready (headless/rest/deferredanswer.h), as text/plain; version=0.0.4.
// Finished rounds' texts are kept for the next scrape, and a scraped schedule's next round is
// rendered when it finishes (core/service/fleetmetricscache.h).
// Lives on the server's thread; borrows the catalog and the scheduler (may be null: no schedule
// route). Waits for running work on destruction.
class FleetMetricsController
{
public:
    FleetMetricsController(HuntCatalog *catalog, Scheduler *scheduler); // not owned
    ~FleetMetricsController();
    FleetMetricsController(const FleetMetricsController &) = delete;
    FleetMetricsController &operator=(const FleetMetricsController &) = delete;

    [[nodiscard]] bool registerRoutes(Router &router);

private:
    std::optional<QHttpServerResponse> answer(const Result<FleetMetricsTask> &task,
                                              QHttpServerResponder &responder);

    HuntCatalog *m_catalog; // not owned
    Scheduler *m_scheduler; // not owned; may be null
    QThreadPool m_pool;     // two renders at a time; each also parses on the global pool
    FleetMetricsCache m_cache;
};

} // namespace Artemis
