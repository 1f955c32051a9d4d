#include "headless/rest/nodemetricscontroller.h"

#include "core/base/hostmetrics.h"
#include "headless/rest/httperrors.h"
#include "headless/rest/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

NodeMetricsController::NodeMetricsController(HostMetrics *metrics) : m_metrics(metrics) {}

bool NodeMetricsController::registerRoutes(Router &router)
{
    return router.add(Router::Method::Get, u"/metric"_s, Router::Access::Open,
                      [this](const QHttpServerRequest &, const QStringList &) {
                          return jsonResponse(m_metrics->sample());
                      });
}

} // namespace Artemis
