// Test fixture: the real REST service in-process on 127.0.0.1:<port chosen at runtime>, plus a
// small HTTP client that waits by spinning the event loop (the server runs on this thread;
// tests/common/httpclient.h).
#pragma once

#include <memory>

#include <QHostAddress>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include "core/huntengine.h"
#include "core/localexecutor.h"
#include "core/resultstore.h"
#include "core/scheduler.h"
#include "core/targetpolicy.h"
#include "headless/restserver.h"
#include "tests/common/httpclient.h"

namespace Artemis::Test {

struct ServiceOptions
{
    QByteArray token;
    qint64 maxBodyBytes = 10 * 1024 * 1024;
    int maxNodes = 100000;
    int maxRunning = 4;
    int maxQueued = 64;
    std::shared_ptr<TargetPolicy> policy = std::make_shared<TargetPolicy>();
    qint64 minEveryMs = 1000; // schedules: shortest interval accepted
};

class RestService
{
public:
    explicit RestService(ServiceOptions options = {})
    {
        QVERIFY(m_dir.isValid());
        m_store = std::make_unique<ResultStore>(m_dir.path());
        QVERIFY(m_store->open());
        m_executor = std::make_unique<LocalExecutor>(2, options.policy);
        EngineConfig config;
        config.maxNodes = options.maxNodes;
        config.maxRunning = options.maxRunning;
        config.maxQueued = options.maxQueued;
        config.policy = options.policy;
        m_engine = std::make_unique<HuntEngine>(m_store.get(), m_executor.get(), config);
        SchedulerConfig scheduling;
        scheduling.minEveryMs = options.minEveryMs;
        m_scheduler = std::make_unique<Scheduler>(m_engine.get(), scheduling);
        m_server = std::make_unique<RestServer>(
            m_engine.get(), m_store.get(),
            RestServerConfig{options.token, options.maxBodyBytes, nullptr, m_scheduler.get()});
        m_port = m_server->listen(QHostAddress::LocalHost, 0);
        QVERIFY(m_port != 0);
    }
    ~RestService()
    {
        m_server.reset();
        m_scheduler.reset();
        m_engine.reset();
        m_executor.reset();
        m_store.reset();
    }

    quint16 port() const { return m_port; }
    QString base() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    ResultStore *store() const { return m_store.get(); }
    HuntEngine *engine() const { return m_engine.get(); }
    Scheduler *scheduler() const { return m_scheduler.get(); }
    QString dataDir() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ResultStore> m_store;
    std::unique_ptr<LocalExecutor> m_executor;
    std::unique_ptr<HuntEngine> m_engine;
    std::unique_ptr<Scheduler> m_scheduler;
    std::unique_ptr<RestServer> m_server;
    quint16 m_port = 0;
};

} // namespace Artemis::Test
