#include "headless/selfmetricscontroller.h"

#include "headless/router.h"
#include "headless/selfmetrics.h"

using namespace Qt::StringLiterals;

namespace Artemis {

SelfMetricsController::SelfMetricsController(SelfMetrics *metrics) : m_metrics(metrics) {}

bool SelfMetricsController::registerRoutes(Router &router)
{
    return router.add(Router::Method::Get, u"/metrics"_s, Router::Access::Open,
                      [this](const QHttpServerRequest &, const QStringList &) {
                          return QHttpServerResponse("text/plain; version=0.0.4; charset=utf-8",
                                                     m_metrics->render());
                      });
}

} // namespace Artemis
