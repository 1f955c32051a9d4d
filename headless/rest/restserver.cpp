#include "headless/rest/restserver.h"

#include <QHttpServer>
#include <QSslConfiguration>

#include "core/base/hostmetrics.h"
#include "core/service/huntcatalog.h"
#include "core/service/localstack.h"
#include "core/watch/scheduler.h"
#include "headless/rest/fetchcontroller.h"
#include "headless/rest/fleetmetricscontroller.h"
#include "headless/rest/healthcontroller.h"
#include "headless/rest/huntresultscontroller.h"
#include "headless/rest/huntscontroller.h"
#include "headless/rest/huntvaluescontroller.h"
#include "headless/rest/indexcontroller.h"
#include "headless/rest/nodemetricscontroller.h"
#include "headless/rest/router.h"
#include "headless/rest/schedulescontroller.h"
#include "headless/rest/selfmetrics.h"
#include "headless/rest/selfmetricscontroller.h"
#include "headless/rest/workerscontroller.h"

namespace Artemis {

RestServer::RestServer(LocalStack *stack, RestServerConfig config, QObject *parent)
    : QObject(parent),
      m_limits{config.maxBodyBytes,  config.maxConnections, config.idleTimeoutMs,
               config.bodyTimeoutMs, config.maxBodyMemory,  config.token,
               config.allowedOrigins},
      m_server(std::make_unique<QHttpServer>()),
      m_selfMetrics(new SelfMetrics(stack->engine(), this)),
      m_hostMetrics(std::make_unique<HostMetrics>(stack->catalog()->dataDir())),
      m_router(std::make_unique<Router>(m_server.get(),
                                        RouterSettings{config.token, config.maxBodyBytes,
                                                       config.allowedOrigins, config.allowedHosts,
                                                       !config.tlsChain.isEmpty()},
                                        m_selfMetrics)),
      m_hunts(
          std::make_unique<HuntsController>(stack->engine(), stack->catalog(), stack->scheduler())),
      m_results(std::make_unique<HuntResultsController>(stack->catalog())),
      m_values(std::make_unique<HuntValuesController>(stack->catalog())),
      m_fleetMetrics(
          std::make_unique<FleetMetricsController>(stack->catalog(), stack->scheduler())),
      m_fetch(std::make_unique<FetchController>(stack->engine())),
      m_nodeMetrics(std::make_unique<NodeMetricsController>(m_hostMetrics.get())),
      m_selfMetricsController(
          std::make_unique<SelfMetricsController>(m_selfMetrics, config.broker)),
      m_health(std::make_unique<HealthController>(stack->catalog())),
      m_index(std::make_unique<IndexController>()),
      m_workers(std::make_unique<WorkersController>(config.broker))
{
    // Results routes first: QtHttpServer tries rules in order of registration.
    bool ok = m_results->registerRoutes(*m_router) && m_values->registerRoutes(*m_router)
              && m_fleetMetrics->registerRoutes(*m_router) && m_hunts->registerRoutes(*m_router)
              && m_fetch->registerRoutes(*m_router) && m_nodeMetrics->registerRoutes(*m_router)
              && m_selfMetricsController->registerRoutes(*m_router)
              && m_health->registerRoutes(*m_router) && m_index->registerRoutes(*m_router)
              && m_workers->registerRoutes(*m_router);
    if (Scheduler *scheduler = stack->scheduler()) {
        m_schedules =
            std::make_unique<SchedulesController>(scheduler, stack->engine(), stack->catalog());
        ok = m_schedules->registerRoutes(*m_router) && ok;
    }
    if (!ok) {
        qFatal("RestServer: QHttpServer refused a route (a bug in a registerRoutes)");
    }
    m_router->installFallback();
    if (!config.tlsChain.isEmpty()) {
        // The configuration form: sslSetup(certificate, key) would drop the intermediates.
        m_tls = QSslConfiguration::defaultConfiguration();
        m_tls.setLocalCertificateChain(config.tlsChain);
        m_tls.setPrivateKey(config.tlsKey);
        m_tls.setPeerVerifyMode(QSslSocket::VerifyNone); // no client certificates
    }
}

RestServer::~RestServer()
{
    // Sockets (and any NDJSON stream on them) go first; the router and controllers they call
    // into are still alive then.
    m_server.reset();
}

quint16 RestServer::listen(const QHostAddress &address, quint16 port)
{
    // Our own listening server, bound to QtHttpServer (its listen() would make a plain one).
    // The backlog holds what arrives while accepting pauses (after EMFILE).
    const int backlog = std::max(128, std::min(m_limits.maxConnections, 4096));
    std::unique_ptr<QTcpServer> server;
    if (m_tls.isNull()) {
        auto plain = std::make_unique<GatedServer<QTcpServer>>(m_limits);
        plain->setListenBacklogSize(backlog);
        if (!plain->listenGated(address, port)) {
            return 0;
        }
        server = std::move(plain);
    } else {
        auto tls = std::make_unique<GatedServer<QSslServer>>(m_limits);
        tls->setSslConfiguration(m_tls);
        tls->setListenBacklogSize(backlog);
        if (!tls->listenGated(address, port)) {
            return 0;
        }
        server = std::move(tls);
    }
    const quint16 listening = server->serverPort();
    m_server->bind(server.release()); // QtHttpServer parents it
    return listening;
}

} // namespace Artemis
