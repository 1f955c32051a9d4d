#pragma once

namespace Artemis {

class RedisExecutor;
class Router;

// GET /api/v1/workers -> {"mode": "local"|"distributed", "broker", "connected", "workers":
// [{name, host, pid, inFlight, done, jobs, startedAt, seenAt}]}: the live workers of a
// coordinator (from their heartbeats, refreshed every 2 s; never waits on Redis). In local
// mode the list is empty. Borrows the executor (may be null: local mode).
class WorkersController
{
public:
    explicit WorkersController(const RedisExecutor *broker) : m_broker(broker) {}
    [[nodiscard]] bool registerRoutes(Router &router);

private:
    const RedisExecutor *m_broker; // not owned; may be null
};

} // namespace Artemis
