#include "headless/rest/selfmetricscontroller.h"

#include "core/broker/redisexecutor.h"
#include "headless/rest/router.h"
#include "headless/rest/selfmetrics.h"

using namespace Qt::StringLiterals;

namespace Artemis {

SelfMetricsController::SelfMetricsController(SelfMetrics *metrics, const RedisExecutor *broker)
    : m_metrics(metrics), m_broker(broker)
{
}

bool SelfMetricsController::registerRoutes(Router &router)
{
    return router.add(Router::Method::Get, u"/metrics"_s, Router::Access::Open,
                      [this](const QHttpServerRequest &, const QStringList &) {
                          QByteArray text = m_metrics->render();
                          if (m_broker) {
                              text += "# HELP artemis_broker_refused_results_total Results "
                                      "entries refused: unsigned, or signed with another "
                                      "secret (--broker-secret-file).\n"
                                      "# TYPE artemis_broker_refused_results_total counter\n"
                                      "artemis_broker_refused_results_total "
                                      + QByteArray::number(m_broker->refusedResults()) + '\n';
                          }
                          return QHttpServerResponse("text/plain; version=0.0.4; charset=utf-8",
                                                     text);
                      });
}

} // namespace Artemis
