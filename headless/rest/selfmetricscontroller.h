#pragma once

namespace Artemis {

class RedisExecutor;
class Router;
class SelfMetrics;

// GET /metrics: Artemis' own counters in Prometheus text format. Open (no token).
class SelfMetricsController
{
public:
    // Neither is owned; `broker` (distributed mode) may be null.
    SelfMetricsController(SelfMetrics *metrics, const RedisExecutor *broker);
    [[nodiscard]] bool registerRoutes(Router &router);

private:
    SelfMetrics *m_metrics;
    const RedisExecutor *m_broker;
};

} // namespace Artemis
