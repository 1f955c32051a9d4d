// Connection reuse across a schedule's rounds (issue #14, item 5), against real loopback fake
// nodes that count the connections they accept: rounds of a schedule every <= 60 s keep their
// connections (no `Connection: close`, no new connection after round 1), one-off hunts and
// longer intervals close them as before, the pool is bounded, and every request stays pinned
// (the connection goes to the checked address, Host carries the name).

#include <QHostAddress>
#include <QMutex>
#include <QTest>

#include "core/engine/huntengine.h"
#include "core/fetch/fetcher.h"
#include "core/net/resolver.h"
#include "core/net/target.h"
#include "core/store/resultstore.h"
#include "core/watch/scheduler.h"
#include "tests/common/fakenode.h"
#include "tests/common/manualclock.h"
#include "tests/common/stackfixture.h"
#include "tests/common/wait.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;
using Artemis::Test::ManualClock;
using Artemis::Test::StackFixture;
using Artemis::Test::StackOptions;
using Artemis::Test::waitUntil;

namespace {

constexpr qint64 Second = 1000;

// Answers every lookup of a name with the addresses the test gave it, later (as Resolver
// promises), and counts lookups.
class FixedResolver final : public Resolver
{
public:
    void set(const QString &host, const QHostAddress &address)
    {
        const QMutexLocker lock(&m_mutex);
        m_answers.insert(host, address);
    }
    void lookup(const QString &host, QObject *context, Callback done) override
    {
        QList<QHostAddress> answer;
        {
            const QMutexLocker lock(&m_mutex);
            if (m_answers.contains(host)) {
                answer = {m_answers.value(host)};
            }
        }
        QMetaObject::invokeMethod(
            context, [done = std::move(done), answer] { done(answer, QString()); },
            Qt::QueuedConnection);
    }

private:
    QMutex m_mutex;
    QHash<QString, QHostAddress> m_answers;
};

FetchOptions options(bool reuse)
{
    FetchOptions o;
    o.timeoutMs = 5000;
    o.attempts = 1;
    o.reuseConnections = reuse;
    return o;
}

// One hunt of `nodes` through `fetcher`; returns its outcomes.
QList<Outcome> fetchAll(Fetcher &fetcher, const QStringList &nodes, const FetchOptions &o)
{
    static quint64 key = 0;
    ++key;
    QList<Outcome> outcomes;
    const QMetaObject::Connection connection =
        QObject::connect(&fetcher, &Fetcher::outcomesReady,
                         [&outcomes](quint64, const QList<Outcome> &batch) { outcomes += batch; });
    QList<Target> targets;
    for (const QString &node : nodes) {
        const Result<Target> target = parseTarget(node, u"/metric"_s);
        Q_ASSERT(target);
        targets.append(*target);
    }
    fetcher.beginHunt(key, o);
    fetcher.fetch(key, targets);
    [[maybe_unused]] const bool done =
        waitUntil([&] { return outcomes.size() == nodes.size(); }, 15000);
    fetcher.endHunt(key);
    QObject::disconnect(connection);
    return outcomes;
}

// The Connection header of every request the node saw: "close", or QNAM's own "Keep-Alive"
// when we send none.
QList<QByteArray> connectionHeaders(const FakeNode &node)
{
    QList<QByteArray> values;
    for (const auto &headers : node.requestHeaders()) {
        values.append(headers.value("connection"));
    }
    return values;
}

bool allOk(const QList<Outcome> &outcomes)
{
    return std::all_of(outcomes.begin(), outcomes.end(),
                       [](const Outcome &o) { return o.outcome == OutcomeKind::Ok; });
}

ScheduleSpec spec(const QStringList &nodes, qint64 everyMs)
{
    ScheduleSpec s;
    s.nodes = nodes;
    s.url = u"metric"_s;
    s.everyMs = everyMs;
    s.spreadMs = 0;
    s.origin = u"test"_s;
    return s;
}

// Runs the schedule's rounds until `rounds` have ended, moving the manual clock one interval
// after each (the next round starts inside advance()).
bool runRounds(StackFixture &stack, ManualClock &clock, const QString &id, int rounds)
{
    for (;;) {
        const bool ended = waitUntil([&] {
            const std::optional<Schedule> s = stack.scheduler()->find(id);
            return s && !s->rounds.isEmpty() && !stack.engine()->activeInfo(s->rounds.last().hunt);
        });
        if (!ended) {
            return false;
        }
        const Schedule s = *stack.scheduler()->find(id);
        if (s.roundsStarted >= rounds) {
            return true;
        }
        clock.advance(s.spec.everyMs);
    }
}

StackOptions withClock(const std::shared_ptr<ManualClock> &clock)
{
    StackOptions o;
    o.scheduler->clock = clock;
    return o;
}

} // namespace

class TestConnectionReuse : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void reusingHuntsKeepTheirConnection();
    void otherHuntsClose();
    void pinnedNameKeepsHostHeader();
    void poolIsBounded();
    void shortScheduleReusesAfterRoundOne();
    void longScheduleCloses();
    void oneOffHuntCloses();
};

void TestConnectionReuse::reusingHuntsKeepTheirConnection()
{
    FakeNode a, b;
    QVERIFY(a.start() && b.start());
    Fetcher fetcher;
    for (int round = 0; round < 3; ++round) {
        QVERIFY(allOk(fetchAll(fetcher, {a.node(), b.node()}, options(true))));
    }
    QCOMPARE(a.requestCount(), 3);
    QCOMPARE(a.connectionCount(), 1);
    QCOMPARE(b.connectionCount(), 1);
    QCOMPARE(a.openConnectionCount(), 1); // kept after the hunt
    QCOMPARE(connectionHeaders(a), QList<QByteArray>(3, "Keep-Alive"));
}

void TestConnectionReuse::otherHuntsClose()
{
    FakeNode a;
    QVERIFY(a.start());
    Fetcher fetcher;
    QVERIFY(allOk(fetchAll(fetcher, {a.node()}, options(false))));
    QVERIFY(allOk(fetchAll(fetcher, {a.node()}, options(false))));
    QCOMPARE(a.connectionCount(), 2);
    QCOMPARE(connectionHeaders(a), QList<QByteArray>(2, "close"));
    QTRY_COMPARE(a.openConnectionCount(), 0);

    // A kept connection is not lent to a hunt that does not reuse: it still closes its own.
    QVERIFY(allOk(fetchAll(fetcher, {a.node()}, options(true))));
    QVERIFY(allOk(fetchAll(fetcher, {a.node()}, options(false))));
    QCOMPARE(a.connectionCount(), 4);
    QCOMPARE(connectionHeaders(a).last(), QByteArray("close"));
    QTRY_COMPARE(a.openConnectionCount(), 1); // the reusing hunt's

    // Nor to a hunt with its own TLS settings (QNAM's cache ignores them): it closes too.
    FetchOptions insecure = options(true);
    insecure.insecureSkipVerify = true;
    QVERIFY(allOk(fetchAll(fetcher, {a.node()}, insecure)));
    QCOMPARE(connectionHeaders(a).last(), QByteArray("close"));
}

void TestConnectionReuse::pinnedNameKeepsHostHeader()
{
    FakeNode node;
    QVERIFY(node.start(QHostAddress(u"127.0.0.1"_s)));
    auto resolver = std::make_shared<FixedResolver>();
    resolver->set(u"reuse.test"_s, QHostAddress(u"127.0.0.1"_s));
    Fetcher fetcher;
    fetcher.setResolver(resolver);
    const QString named = u"reuse.test:%1"_s.arg(node.port());
    for (int round = 0; round < 2; ++round) {
        QVERIFY(allOk(fetchAll(fetcher, {named}, options(true))));
    }
    // *.test does not resolve on the system: reaching the node proves the address was used.
    QCOMPARE(node.requestCount(), 2);
    QCOMPARE(node.connectionCount(), 1);
    for (const auto &headers : node.requestHeaders()) {
        QCOMPARE(headers.value("host"), u"reuse.test:%1"_s.arg(node.port()).toLatin1());
    }
}

void TestConnectionReuse::poolIsBounded()
{
    FakeNode a, b;
    QVERIFY(a.start() && b.start());
    Fetcher fetcher;
    fetcher.setKeptConnectionLimit(1);
    for (int round = 0; round < 2; ++round) {
        QVERIFY(allOk(fetchAll(fetcher, {a.node()}, options(true))));
        QVERIFY(allOk(fetchAll(fetcher, {b.node()}, options(true))));
    }
    QCOMPARE(a.connectionCount(), 1); // kept: the first key
    QCOMPARE(connectionHeaders(a), QList<QByteArray>(2, "Keep-Alive"));
    QCOMPARE(b.connectionCount(), 2); // no room: closed each time
    QCOMPARE(connectionHeaders(b), QList<QByteArray>(2, "close"));
    QTRY_COMPARE(b.openConnectionCount(), 0);
}

void TestConnectionReuse::shortScheduleReusesAfterRoundOne()
{
    auto clock = std::make_shared<ManualClock>();
    StackFixture stack;
    QVERIFY2_OK(stack.open(withClock(clock)));
    FakeNode a, b, c;
    QVERIFY(a.start() && b.start() && c.start());
    const QList<FakeNode *> nodes = {&a, &b, &c};
    const Result<Schedule> created =
        stack.scheduler()->create(spec({a.node(), b.node(), c.node()}, 30 * Second));
    QVERIFY2_OK(created);
    QVERIFY(runRounds(stack, *clock, created->id, 2));
    const int afterRound2 = a.connectionCount() + b.connectionCount() + c.connectionCount();
    QCOMPARE(afterRound2, 3);
    QVERIFY(runRounds(stack, *clock, created->id, 4));
    for (FakeNode *node : nodes) {
        QCOMPARE(node->requestCount(), 4);
        QCOMPARE(node->connectionCount(), 1); // nothing new after round 1
        QCOMPARE(connectionHeaders(*node), QList<QByteArray>(4, "Keep-Alive"));
    }
    const HuntInfo last =
        *stack.store()->loadManifest(stack.scheduler()->find(created->id)->rounds.last().hunt);
    QCOMPARE(last.counts.count(OutcomeKind::Ok), 3);
}

void TestConnectionReuse::longScheduleCloses()
{
    auto clock = std::make_shared<ManualClock>();
    StackFixture stack;
    QVERIFY2_OK(stack.open(withClock(clock)));
    FakeNode a;
    QVERIFY(a.start());
    const qint64 every = FetchOptions::ReuseWindowMs + Second; // beyond the window
    const Result<Schedule> created = stack.scheduler()->create(spec({a.node()}, every));
    QVERIFY2_OK(created);
    QVERIFY(runRounds(stack, *clock, created->id, 3));
    QCOMPARE(a.requestCount(), 3);
    QCOMPARE(a.connectionCount(), 3);
    QCOMPARE(connectionHeaders(a), QList<QByteArray>(3, "close"));
    QTRY_COMPARE(a.openConnectionCount(), 0); // nothing kept between rounds
}

void TestConnectionReuse::oneOffHuntCloses()
{
    StackFixture stack;
    QVERIFY2_OK(stack.open());
    FakeNode a;
    QVERIFY(a.start());
    HuntRequest request;
    request.nodes = {a.node()};
    request.url = u"metric"_s;
    request.origin = u"test"_s;
    for (int i = 0; i < 2; ++i) {
        const Result<HuntInfo> submitted = stack.engine()->submit(request);
        QVERIFY2_OK(submitted);
        QTRY_VERIFY(!stack.engine()->activeInfo(submitted->id));
    }
    QCOMPARE(a.connectionCount(), 2);
    QCOMPARE(connectionHeaders(a), QList<QByteArray>(2, "close"));
    QTRY_COMPARE(a.openConnectionCount(), 0);
}

QTEST_GUILESS_MAIN(TestConnectionReuse)
#include "tst_connectionreuse.moc"
