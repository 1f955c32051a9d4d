// End to end: a real redis-server, the coordinator in-process (HuntEngine + RedisExecutor +
// ResultStore, as `serve --broker` builds them), two real `artemis-headless worker` processes
// and 2,000 loopback fake nodes served from this (event-driven) thread.
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

#include "brokertest.h"
#include "core/broker/redisconnection.h"
#include "core/broker/redisexecutor.h"
#include "core/engine/huntengine.h"
#include "core/store/resultstore.h"
#include "headless/cli/filelimit.h"
#include "redisserver.h"
#include "tests/common/fakenode.h"
#include "tests/common/stackfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;
using Artemis::Test::StackFixture;
using Artemis::Test::StackOptions;

namespace {
constexpr int NodeCount = 2000;
constexpr int VisibilityMs = 1500;
constexpr int HuntTimeoutMs = 90000;
} // namespace

class TestDistributed : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void allStoredOnce();
    void workerKilledMidHunt();
    void redisRestartedMidHunt();
    void cancelMidHunt();
    void coordinatorPolicyTravels();

private:
    void startWorker(const QString &name);
    void setDelay(int ms);
    QString submit();
    void waitForDone(int atLeast);
    void waitForFinish();
    void verifyStoredOnce(const QString &id);
    qint64 xlen(const char *stream);
    int requestsSeen() const;

    std::vector<std::unique_ptr<FakeNode>> m_nodes;
    QStringList m_nodeNames;
    std::unique_ptr<Test::RedisServer> m_redis;
    std::vector<std::unique_ptr<QProcess>> m_workers;
    std::unique_ptr<RedisExecutor> m_executor; // the stack's external executor
    std::unique_ptr<StackFixture> m_stack;
    ResultStore *m_store = nullptr; // m_stack's
    HuntEngine *m_engine = nullptr; // m_stack's
    std::unique_ptr<RedisConnection> m_probe;
    int m_done = 0;
    QList<HuntInfo> m_finished;
};

void TestDistributed::initTestCase()
{
    const QString missing = Test::RedisServer::missingReason();
    if (!missing.isEmpty()) {
        QFAIL(qPrintable(missing));
    }
    QVERIFY2(raiseOpenFileLimit() > NodeCount + 1000,
             "needs an open-file limit above 3000 (ulimit -n)");
    for (int i = 0; i < NodeCount; ++i) {
        auto node = std::make_unique<FakeNode>();
        QVERIFY(node->start());
        m_nodeNames.append(node->node());
        m_nodes.push_back(std::move(node));
    }
}

void TestDistributed::init()
{
    for (const auto &node : m_nodes) {
        node->setBehaviour(FakeNode::Behaviour::Json);
        node->clearRequests();
    }
    m_redis = std::make_unique<Test::RedisServer>();
    QVERIFY(m_redis->start());
    QTRY_VERIFY_WITH_TIMEOUT(m_redis->ready(), 10000);
    const RedisUrl url = *RedisUrl::parse(m_redis->url());

    RedisExecutorConfig config;
    config.blockMs = 200;
    config.workersPollMs = 200;
    if (QByteArray(QTest::currentTestFunction()) == "coordinatorPolicyTravels") {
        // What serve --broker --deny 127.0.0.1/32 --deny ::1 sends with every hunt. The
        // engine's own policy (the fixture's) lets every node through at submit, as a
        // coordinator does with names it does not resolve.
        auto policy = std::make_shared<TargetPolicy>();
        QVERIFY(policy->deny(u"127.0.0.1/32"_s));
        QVERIFY(policy->deny(u"::1/128"_s));
        config.policy = policy;
    }
    m_executor = std::make_unique<RedisExecutor>(url, config);
    m_stack = std::make_unique<StackFixture>();
    StackOptions options;
    options.executor = m_executor.get();
    options.scheduler.reset();
    QVERIFY2_OK(m_stack->open(options));
    m_store = m_stack->store();
    m_engine = m_stack->engine();
    m_done = 0;
    m_finished.clear();
    connect(m_engine, &HuntEngine::huntProgress, this,
            [this](const HuntProgress &p) { m_done = p.done; });
    connect(m_engine, &HuntEngine::huntFinished, this,
            [this](const HuntInfo &info) { m_finished.append(info); });
    m_executor->open();
    m_executor->startReading();
    m_probe = std::make_unique<RedisConnection>(url, u"test probe"_s);
    m_probe->open();

    startWorker(u"w1"_s);
    startWorker(u"w2"_s);
    QTRY_COMPARE_WITH_TIMEOUT(m_executor->workers().size(), 2, 15000);
}

void TestDistributed::cleanup()
{
    for (const auto &worker : m_workers) {
        worker->kill();
        worker->waitForFinished(10000);
    }
    m_workers.clear();
    m_engine = nullptr;
    m_store = nullptr;
    m_stack.reset();
    m_executor.reset();
    m_probe.reset();
    m_redis.reset();
}

void TestDistributed::startWorker(const QString &name)
{
    std::unique_ptr<QProcess> worker = Test::startWorker(
        QStringLiteral(ARTEMIS_HEADLESS_BIN), m_redis->url(), name,
        {u"--concurrency"_s, u"128"_s, u"--visibility-ms"_s, QString::number(VisibilityMs)});
    QVERIFY(worker);
    m_workers.push_back(std::move(worker));
}

void TestDistributed::setDelay(int ms)
{
    for (const auto &node : m_nodes) {
        node->setBehaviour(FakeNode::Behaviour::Slow);
        node->setDelayMs(ms);
    }
}

QString TestDistributed::submit()
{
    HuntRequest request;
    request.nodes = m_nodeNames;
    request.url = u"/metric"_s;
    request.origin = u"test"_s;
    request.options.attempts = 1;
    const Result<HuntInfo> info = m_engine->submit(request);
    if (!info) {
        qWarning("submit failed: %s", qPrintable(info.error().message));
        return {};
    }
    return info->id;
}

void TestDistributed::waitForDone(int atLeast)
{
    QTRY_VERIFY_WITH_TIMEOUT(m_done >= atLeast, HuntTimeoutMs);
}

void TestDistributed::waitForFinish()
{
    QTRY_COMPARE_WITH_TIMEOUT(m_finished.size(), 1, HuntTimeoutMs);
}

void TestDistributed::verifyStoredOnce(const QString &id)
{
    QFile file(m_store->huntDir(id) + u"/results.ndjson"_s);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QHash<QString, int> seen;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty()) {
            continue;
        }
        seen[QJsonDocument::fromJson(line).object().value(u"node"_s).toString()] += 1;
    }
    QCOMPARE(seen.size(), NodeCount);
    for (const QString &node : std::as_const(m_nodeNames)) {
        QVERIFY2(seen.value(node) == 1,
                 qPrintable(u"%1 stored %2 times"_s.arg(node).arg(seen.value(node))));
    }
    const Result<HuntInfo> manifest = m_store->loadManifest(id);
    QVERIFY(manifest);
    QCOMPARE(manifest->done, NodeCount);
}

qint64 TestDistributed::xlen(const char *stream)
{
    auto length = std::make_shared<qint64>(-1);
    m_probe->command({"XLEN", stream},
                     [length](const RedisReply &r) { *length = r.ok() ? r.integer : -2; });
    if (!QTest::qWaitFor([&] { return *length != -1; }, 5000)) {
        return -3; // no reply
    }
    return *length;
}

int TestDistributed::requestsSeen() const
{
    int total = 0;
    for (const auto &node : m_nodes) {
        total += node->requestCount();
    }
    return total;
}

void TestDistributed::allStoredOnce()
{
    const QString id = submit();
    QVERIFY(!id.isEmpty());
    waitForFinish();
    QCOMPARE(m_finished.first().state, HuntState::Done);
    QCOMPARE(m_finished.first().counts.count(OutcomeKind::Ok), NodeCount);
    verifyStoredOnce(id);
    // Bounded: jobs and results are deleted once acknowledged; the hunt's spec is gone.
    QTRY_COMPARE_WITH_TIMEOUT(xlen(Wire::JobsStream), 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(xlen(Wire::ResultsStream), 0, 10000);
    // Both workers took part, and the API's view of them is live.
    QTRY_VERIFY_WITH_TIMEOUT(
        m_executor->workers().size() == 2 && m_executor->workers().at(0).done > 0
            && m_executor->workers().at(1).done > 0
            && m_executor->workers().at(0).done + m_executor->workers().at(1).done >= NodeCount,
        10000);
}

void TestDistributed::workerKilledMidHunt()
{
    setDelay(150);
    const QString id = submit();
    waitForDone(400);
    QVERIFY(m_finished.isEmpty());
    m_workers.front()->kill(); // SIGKILL: its jobs stay pending until w2 takes them over
    waitForFinish();
    QCOMPARE(m_finished.first().state, HuntState::Done);
    QCOMPARE(m_finished.first().counts.count(OutcomeKind::Ok), NodeCount);
    verifyStoredOnce(id);
    // The dead worker drops out of the list once its heartbeat key expires.
    QTRY_COMPARE_WITH_TIMEOUT(m_executor->workers().size(), 1, 10000);
    QCOMPARE(m_executor->workers().first().name, u"w2"_s);
}

void TestDistributed::redisRestartedMidHunt()
{
    setDelay(150);
    const QString id = submit();
    waitForDone(400);
    QVERIFY(m_finished.isEmpty());
    const quint16 port = m_redis->port();
    m_redis->stop(); // everything in Redis is lost (no persistence)
    QVERIFY(m_redis->start(port));
    QTRY_VERIFY_WITH_TIMEOUT(m_redis->ready(), 10000);
    waitForFinish();
    QCOMPARE(m_finished.first().state, HuntState::Done);
    QCOMPARE(m_finished.first().counts.count(OutcomeKind::Ok), NodeCount);
    verifyStoredOnce(id);
    QTRY_COMPARE_WITH_TIMEOUT(m_executor->workers().size(), 2, 10000);
}

void TestDistributed::cancelMidHunt()
{
    setDelay(400);
    const QString id = submit();
    waitForDone(300);
    QVERIFY(m_engine->cancel(id));
    // Promptly: the coordinator records what is still out as cancelled at once.
    QTRY_COMPARE_WITH_TIMEOUT(m_finished.size(), 1, 3000);
    QCOMPARE(m_finished.first().state, HuntState::Cancelled);
    QVERIFY(m_finished.first().counts.count(OutcomeKind::Cancelled) > 0);
    verifyStoredOnce(id);
    // Workers stop fetching: nothing in flight shortly after, most nodes never asked.
    QTRY_VERIFY_WITH_TIMEOUT(m_executor->workers().size() == 2
                                 && m_executor->workers().at(0).inFlight == 0
                                 && m_executor->workers().at(1).inFlight == 0,
                             5000);
    const int requests = requestsSeen();
    QVERIFY2(requests < NodeCount, qPrintable(u"%1 requests"_s.arg(requests)));
    QTRY_COMPARE_WITH_TIMEOUT(xlen(Wire::JobsStream), 0, 10000);
}

// The coordinator's target policy travels with the hunt and the workers enforce it, on the
// host as given and on the addresses their own lookup returns.
void TestDistributed::coordinatorPolicyTravels()
{
    FakeNode allowed; // 127.0.0.2: not denied
    QVERIFY(allowed.start(QHostAddress(u"127.0.0.2"_s)));
    FakeNode byName, byLiteral; // on 127.0.0.1
    QVERIFY(byName.start());
    QVERIFY(byLiteral.start());
    const QString name = u"localhost:%1"_s.arg(byName.port()); // 127.0.0.1 and ::1
    HuntRequest request;
    request.nodes = {allowed.node(), name, byLiteral.node()};
    request.url = u"/metric"_s;
    request.origin = u"test"_s;
    request.options.attempts = 1;
    const Result<HuntInfo> info = m_engine->submit(request);
    QVERIFY2_OK(info);
    waitForFinish();
    QHash<QString, Outcome> outcomes;
    QVERIFY2_OK(m_store->forEachResult(info->id, [&](const Outcome &o) {
        outcomes.insert(o.node, o);
        return true;
    }));
    QCOMPARE(outcomes.size(), 3);
    QCOMPARE(outcomes.value(allowed.node()).outcome, OutcomeKind::Ok);
    QCOMPARE(outcomes.value(byLiteral.node()).outcome, OutcomeKind::Denied);
    QCOMPARE(outcomes.value(name).outcome, OutcomeKind::Denied); // after the worker's lookup
    QVERIFY2(outcomes.value(name).error.contains(u"127.0.0.1"_s)
                 || outcomes.value(name).error.contains(u"::1"_s),
             qPrintable(outcomes.value(name).error));
    QCOMPARE(allowed.requestCount(), 1);
    QCOMPARE(byName.requestCount(), 0);
    QCOMPARE(byLiteral.requestCount(), 0);
}

QTEST_GUILESS_MAIN(TestDistributed)
#include "tst_distributed.moc"
