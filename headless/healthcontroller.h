#pragma once

namespace Artemis {

class ResultStore;
class Router;

// GET /healthz. Open (no token). 200 {"status": "ok", "storage": {...}} while the data dir takes
// writes; 503 {"status": "degraded", "storage": {"writable": false, "error": "No space left on
// device", ...}} when it does not (new hunts would fail). Either way the service answers: reads
// of stored hunts keep working. The answer never names the data dir's path.
class HealthController
{
public:
    explicit HealthController(const ResultStore *store) : m_store(store) {}
    [[nodiscard]] bool registerRoutes(Router &router);

private:
    const ResultStore *m_store;
};

} // namespace Artemis
