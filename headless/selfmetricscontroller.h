#pragma once

namespace Artemis {

class Router;
class SelfMetrics;

// GET /metrics: Artemis' own counters in Prometheus text format. Open (no token).
class SelfMetricsController
{
public:
    explicit SelfMetricsController(SelfMetrics *metrics); // not owned
    [[nodiscard]] bool registerRoutes(Router &router);

private:
    SelfMetrics *m_metrics; // not owned
};

} // namespace Artemis
