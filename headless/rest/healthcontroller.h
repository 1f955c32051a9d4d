#pragma once

namespace Artemis {

class HuntCatalog;
class Router;

// Probes, both open (no token), as Prometheus' /-/healthy and /-/ready:
// - GET /healthz (liveness): 200 {"status": "ok"} as long as the event loop answers. A full
//   disk does not make it fail: restarting the service would not help.
// - GET /readyz (readiness): 200 {"status": "ready", "storage": {...}} while the data dir takes
//   writes; 503 {"status": "not ready", "storage": {"writable": false, "error": "No space left
//   on device", ...}} when it does not (new hunts would fail; stored hunts stay readable).
//   Never names the data dir's path.
class HealthController
{
public:
    explicit HealthController(const HuntCatalog *catalog) : m_catalog(catalog) {}
    [[nodiscard]] bool registerRoutes(Router &router);

private:
    const HuntCatalog *m_catalog;
};

} // namespace Artemis
