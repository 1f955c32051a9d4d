#pragma once

#include <memory>

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QStringList>

#include "headless/rest/connectiongate.h"

class QHttpServer;

namespace Artemis {

class FetchController;
class FleetMetricsController;
class HealthController;
class HostMetrics;
class HuntResultsController;
class HuntsController;
class HuntValuesController;
class IndexController;
class NodeMetricsController;
class LocalStack;
class RedisExecutor;
class Router;
class SchedulesController;
class SelfMetrics;
class SelfMetricsController;
class WorkersController;

struct RestServerConfig
{
    QByteArray token;                        // empty: no authentication (loopback only)
    qint64 maxBodyBytes = 10 * 1024 * 1024;  // request bodies
    const RedisExecutor *broker = nullptr;   // distributed mode (not owned); null: local
    QStringList allowedOrigins;              // --allow-origin (headless/rest/requestguard.h)
    QStringList allowedHosts;                // --allow-host
    QList<QSslCertificate> tlsChain{};       // non-empty: HTTPS only (server certificate first)
    QSslKey tlsKey{};                        // the first certificate's private key
    int maxConnections = 1024;               // open at once (headless/rest/connectiongate.h)
    qint64 idleTimeoutMs = 30000;            // idle or stalled connections closed after
    qint64 bodyTimeoutMs = 10000;            // a body must be whole this long after its head
    qint64 maxBodyMemory = 64 * 1024 * 1024; // request bodies in progress, all connections
};

// The REST service: one QHttpServer, the Router in front of it and one controller per
// resource. Handlers answer on this thread and never wait on the network.
// Without a scheduler in the stack there is no /api/v1/schedules and no "every". With a TLS
// chain every connection is TLS: a plain HTTP request fails the handshake and gets no answer.
// Connections come through a GatedServer (headless/rest/connectiongate.h): capped, timed out, and
// refused as soon as a head is complete, before its body is read: 401 without the token, 413
// for a body over the limit, 503 beyond the budget for bodies in memory.
// Lives on the thread that created it (the engine's); borrows the stack, which must outlive it.
class RestServer final : public QObject
{
    Q_OBJECT
public:
    RestServer(LocalStack *stack, RestServerConfig config, QObject *parent = nullptr);
    ~RestServer() override;

    // Returns the port listened on (the real one for port 0), or 0 on failure.
    quint16 listen(const QHostAddress &address, quint16 port);

    SelfMetrics *selfMetrics() const { return m_selfMetrics; }

private:
    ConnectionLimits m_limits;
    QSslConfiguration m_tls; // null: plain HTTP
    std::unique_ptr<QHttpServer> m_server;
    SelfMetrics *m_selfMetrics; // child
    std::unique_ptr<HostMetrics> m_hostMetrics;
    std::unique_ptr<Router> m_router;
    std::unique_ptr<HuntsController> m_hunts;
    std::unique_ptr<HuntResultsController> m_results;
    std::unique_ptr<HuntValuesController> m_values;
    std::unique_ptr<FleetMetricsController> m_fleetMetrics;
    std::unique_ptr<FetchController> m_fetch;
    std::unique_ptr<NodeMetricsController> m_nodeMetrics;
    std::unique_ptr<SelfMetricsController> m_selfMetricsController;
    std::unique_ptr<HealthController> m_health;
    std::unique_ptr<IndexController> m_index;
    std::unique_ptr<WorkersController> m_workers;
    std::unique_ptr<SchedulesController> m_schedules; // null without a scheduler
};

} // namespace Artemis
