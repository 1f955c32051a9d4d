#pragma once

namespace Artemis {

class HostMetrics;
class Router;

// GET /metric: this host's own metrics (core/base/hostmetrics.h), open without a token so that any
// machine running `artemis-headless serve` can be hunted. Borrows the reader.
class NodeMetricsController
{
public:
    explicit NodeMetricsController(HostMetrics *metrics); // not owned
    [[nodiscard]] bool registerRoutes(Router &router);

private:
    HostMetrics *m_metrics; // not owned
};

} // namespace Artemis
