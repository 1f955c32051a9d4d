// Test fixture: the real REST service in-process on 127.0.0.1:<port chosen at runtime>, on the
// stack built by StackFixture (tests/common/stackfixture.h), plus a small HTTP client that
// waits by spinning the event loop (the server runs on this thread; tests/common/httpclient.h).
#pragma once

#include <memory>

#include <QHostAddress>
#include <QJsonArray>
#include <QTest>

#include "core/engine/huntengine.h"
#include "core/net/targetpolicy.h"
#include "core/service/huntcatalog.h"
#include "core/store/resultstore.h"
#include "core/watch/scheduler.h"
#include "headless/rest/restserver.h"
#include "tests/common/httpclient.h"
#include "tests/common/stackfixture.h"

namespace Artemis::Test {

struct ServiceOptions
{
    QByteArray token;
    qint64 maxBodyBytes = 10 * 1024 * 1024;
    int maxNodes = 100000;
    int maxRunning = 4;
    int maxQueued = 64;
    std::shared_ptr<TargetPolicy> policy = std::make_shared<TargetPolicy>();
    qint64 minEveryMs = 1000;              // schedules: shortest interval accepted
    std::shared_ptr<SchedulerClock> clock; // schedules: null = the system clock
    int nodeSourceTimeoutMs = 10000;       // schedules: a nodesFrom http read
    QStringList allowedOrigins;            // --allow-origin (lower-case)

    // Schedules at test speed: intervals from 100 ms, time from `clock` (the test moves it).
    static ServiceOptions fastSchedules(std::shared_ptr<SchedulerClock> clock)
    {
        ServiceOptions options;
        options.minEveryMs = 100;
        options.clock = std::move(clock);
        return options;
    }
};

class RestService
{
public:
    explicit RestService(ServiceOptions options = {})
    {
        StackOptions stack;
        stack.engine.maxNodes = options.maxNodes;
        stack.engine.maxRunning = options.maxRunning;
        stack.engine.maxQueued = options.maxQueued;
        stack.engine.policy = options.policy;
        stack.scheduler = SchedulerConfig{};
        stack.scheduler->minEveryMs = options.minEveryMs;
        stack.scheduler->clock = options.clock;
        stack.scheduler->nodeSourceTimeoutMs = options.nodeSourceTimeoutMs;
        QVERIFY2_OK(m_fixture.open(stack));
        m_server = std::make_unique<RestServer>(
            m_fixture.stack(),
            RestServerConfig{
                options.token, options.maxBodyBytes, nullptr, options.allowedOrigins, {}});
        m_port = m_server->listen(QHostAddress::LocalHost, 0);
        QVERIFY(m_port != 0);
    }
    ~RestService()
    {
        m_server.reset();
        m_fixture.close();
    }

    quint16 port() const { return m_port; }
    QString base() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    ResultStore *store() const { return m_fixture.store(); }
    HuntEngine *engine() const { return m_fixture.engine(); }
    HuntCatalog *catalog() const { return m_fixture.catalog(); }
    Scheduler *scheduler() const { return m_fixture.scheduler(); }
    QString dataDir() const { return m_fixture.dataDir(); }

private:
    StackFixture m_fixture;
    std::unique_ptr<RestServer> m_server;
    quint16 m_port = 0;
};

} // namespace Artemis::Test
