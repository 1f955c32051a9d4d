// What is still running is named (issue #22): the core view of a running hunt's unfinished
// nodes (oldest first, in-flight vs waiting to retry, attempt, age; bounded) and the
// moving-window rate that every face shows. Pure parts first, then a real hunt on loopback
// fake nodes that hang or fail with 503.

#include <QSignalSpy>
#include <QTest>

#include "core/engine/huntengine.h"
#include "core/hunt/unfinishednodes.h"
#include "core/service/huntcatalog.h"
#include "tests/common/fakenode.h"
#include "tests/common/stackfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;
using Artemis::Test::StackFixture;
using State = UnfinishedNode::State;

class TestUnfinishedNodes : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void oldestFirstAndBounded();
    void retryStateAndDuplicates();
    void describeAndJson();
    void rateFallsWhenNothingFinishes();
    void runningHuntNamesHangingAndRetrying();
};

void TestUnfinishedNodes::oldestFirstAndBounded()
{
    UnfinishedNodes nodes;
    for (int i = 0; i < 30; ++i) {
        nodes.started(u"n%1"_s.arg(i), 100 + i);
    }
    nodes.finished(u"n0"_s);
    nodes.finished(u"n5"_s);
    nodes.finished(u"unknown"_s); // ignored
    const UnfinishedSnapshot s = nodes.snapshot(1100, 3);
    QCOMPARE(s.count, 28);
    QCOMPARE(s.oldest.size(), 3);
    QCOMPARE(s.oldest.at(0), (UnfinishedNode{u"n1"_s, State::InFlight, 1, 999}));
    QCOMPARE(s.oldest.at(1).node, u"n2"_s);
    QCOMPARE(s.oldest.at(2).node, u"n3"_s);
    QCOMPARE(nodes.snapshot(1100).oldest.size(), UnfinishedSnapshot::DefaultLimit);
}

void TestUnfinishedNodes::retryStateAndDuplicates()
{
    UnfinishedNodes nodes;
    nodes.started(u"a"_s, 0);
    nodes.started(u"b"_s, 10);
    nodes.started(u"a"_s, 20); // listed twice in one hunt
    nodes.retryState(u"b"_s, 1, true);
    nodes.retryState(u"x"_s, 2, false); // unknown: ignored
    UnfinishedSnapshot s = nodes.snapshot(1000);
    QCOMPARE(s.count, 3);
    QCOMPARE(s.oldest.at(1), (UnfinishedNode{u"b"_s, State::RetryWait, 1, 990}));
    nodes.retryState(u"b"_s, 2, false);
    nodes.finished(u"a"_s); // the first "a" goes, the second stays
    s = nodes.snapshot(1000);
    QCOMPARE(s.count, 2);
    QCOMPARE(s.oldest.at(0), (UnfinishedNode{u"b"_s, State::InFlight, 2, 990}));
    QCOMPARE(s.oldest.at(1), (UnfinishedNode{u"a"_s, State::InFlight, 1, 980}));
}

void TestUnfinishedNodes::describeAndJson()
{
    UnfinishedSnapshot s;
    s.count = 10;
    s.oldest = {{u"127.0.0.1:31159"_s, State::InFlight, 2, 7100},
                {u"127.0.0.1:31160"_s, State::RetryWait, 1, 2049}};
    QCOMPARE(s.describe(5),
             u"127.0.0.1:31159 (attempt 2, 7.1 s), 127.0.0.1:31160 (retry-wait after "
             u"attempt 1, 2.0 s), …"_s);
    QCOMPARE(s.describe(1), u"127.0.0.1:31159 (attempt 2, 7.1 s), …"_s);
    s.count = 2;
    QVERIFY(!s.describe(5).endsWith(u"…"_s));
    const QJsonObject json = s.toJson();
    QCOMPARE(json.value(u"count"_s).toInt(), 2);
    QCOMPARE(json.value(u"oldest"_s).toArray().at(1).toObject().value(u"state"_s).toString(),
             u"retry-wait"_s);
    QCOMPARE(json.value(u"oldest"_s).toArray().at(0).toObject().value(u"ageMs"_s).toInt(), 7100);
    QCOMPARE(UnfinishedSnapshot::fromJson(json), s);
}

void TestUnfinishedNodes::rateFallsWhenNothingFinishes()
{
    RateWindow rate(5000);
    rate.add(0, 0);
    for (int s = 1; s <= 10; ++s) {
        rate.add(s * 1000, s * 100); // 100 nodes/s for 10 s
    }
    QCOMPARE(qRound(rate.perSecond(10000)), 100);
    // Then nothing finishes: the rate falls, reaching 0 once the window holds no progress.
    QVERIFY(rate.perSecond(12000) < 70);
    QCOMPARE(rate.perSecond(15000), 0.0);
    QCOMPARE(RateWindow().perSecond(1000), 0.0); // no samples
}

void TestUnfinishedNodes::runningHuntNamesHangingAndRetrying()
{
    StackFixture fixture;
    QVERIFY2_OK(fixture.open());
    FakeNode good, hang1, hang2, flaky;
    for (FakeNode *n : {&good, &hang1, &hang2, &flaky}) {
        QVERIFY(n->start());
    }
    hang1.setBehaviour(FakeNode::Behaviour::Hang);
    hang2.setBehaviour(FakeNode::Behaviour::Hang);
    flaky.setBehaviour(FakeNode::Behaviour::Status);
    flaky.setStatus(503, {}, {{"Retry-After", "30"}}); // waits (capped) for backoffCapMs

    HuntRequest request;
    request.nodes = {good.node(), hang1.node(), hang2.node(), flaky.node()};
    request.url = u"metric"_s;
    request.origin = u"test"_s;
    request.options.timeoutMs = 4000;
    request.options.attempts = 2;
    request.options.backoffCapMs = 4000;
    QSignalSpy progress(fixture.engine(), &HuntEngine::huntProgress);
    const Result<HuntInfo> hunt = fixture.engine()->submit(request);
    QVERIFY2_OK(hunt);
    const QString id = hunt->id;

    auto live = [&] { return fixture.engine()->liveProgress(id).value_or(HuntProgress{}); };
    QTRY_COMPARE_WITH_TIMEOUT(live().done, 1, 3000);
    // The flaky node waits to retry after its first attempt; the hanging ones are in flight.
    QTRY_VERIFY_WITH_TIMEOUT(live().unfinished.oldest.size() == 3
                                 && live().unfinished.oldest.at(2).state == State::RetryWait,
                             3000);
    QTRY_VERIFY_WITH_TIMEOUT(live().sinceLastOutcomeMs >= 1500, 3000);
    const HuntProgress p = live();
    QCOMPARE(p.unfinished.count, 3);
    QCOMPARE(p.unfinished.oldest.at(0).node, hang1.node());
    QCOMPARE(p.unfinished.oldest.at(0).state, State::InFlight);
    QCOMPARE(p.unfinished.oldest.at(0).attempt, 1);
    QVERIFY2(p.unfinished.oldest.at(0).ageMs >= 1500,
             QByteArray::number(p.unfinished.oldest.at(0).ageMs));
    QCOMPARE(p.unfinished.oldest.at(1).node, hang2.node());
    QCOMPARE(p.unfinished.oldest.at(2),
             (UnfinishedNode{flaky.node(), State::RetryWait, 1, p.unfinished.oldest.at(2).ageMs}));
    // Told without polling too: progress keeps coming while nothing finishes.
    const qsizetype before = progress.size();
    QTRY_VERIFY_WITH_TIMEOUT(progress.size() >= before + 1, 2500);
    const auto last = progress.last().at(0).value<HuntProgress>();
    QCOMPARE(last.unfinished.count, 3);
    QVERIFY(last.newOutcomes.isEmpty());
    QVERIFY2_OK(fixture.engine()->cancel(id));
    QTRY_VERIFY_WITH_TIMEOUT(!fixture.engine()->liveProgress(id), 5000);
}

QTEST_GUILESS_MAIN(TestUnfinishedNodes)
#include "tst_unfinishednodes.moc"
