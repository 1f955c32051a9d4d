// A schedule's rounds end on time (issue #22): a round has a deadline (by default the interval
// less max(200 ms, 5 %)); when it passes, nodes still in flight or waiting to retry end as
// timeouts naming the deadline and the round is done, so a slow node never makes the next round
// be skipped. The trial's shape: 2,000 nodes, 10 of which never answer, every 5 s, the default
// options (5 s timeout, 3 attempts): no round skipped in 30 s, each done within 5.5 s. Real
// loopback nodes, the real stack and the system clock.

#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

#include "core/base/huntid.h"
#include "core/engine/huntengine.h"
#include "core/rules/schedule.h"
#include "core/service/huntcatalog.h"
#include "core/store/resultstore.h"
#include "core/watch/scheduler.h"
#include "tests/common/fakenode.h"
#include "tests/common/stackfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;
using Artemis::Test::StackFixture;
using Artemis::Test::StackOptions;

class TestRoundDeadline : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void warningsAndDefaults();
    void warningsSurviveTheApiForm();
    void slowNodesNeverSkipARound();
};

void TestRoundDeadline::warningsAndDefaults()
{
    ScheduleSpec spec;
    spec.everyMs = 5000;
    QCOMPARE(spec.effectiveDeadlineMs(), 4750); // 5 s less 5 %
    spec.everyMs = 1000;
    QCOMPARE(spec.effectiveDeadlineMs(), 800); // less at least 200 ms
    spec.everyMs = 15000;
    // The trial's schedule: 5 s x 3 attempts + 200 + 400 ms backoff + 1.5 s spread > 14.25 s.
    const QStringList warnings = spec.warnings();
    QCOMPARE(warnings.size(), 1);
    QVERIFY2(warnings[0].contains(u"past the round deadline (14250 ms)"_s),
             qPrintable(warnings[0]));
    spec.options.attempts = 1;
    QVERIFY(spec.warnings().isEmpty()); // 1.5 s + 5 s fits
    spec.deadlineMs = 20000;
    QCOMPARE(spec.effectiveDeadlineMs(), 20000);
    QCOMPARE(spec.warnings().size(), 1); // a deadline past 'every' skips rounds
}

// A client (the GUI's remote backend) reads a schedule from the API's form, which drops the
// spread and deadline as given: the warnings are the ones the service told, not recomputed.
void TestRoundDeadline::warningsSurviveTheApiForm()
{
    Schedule schedule;
    schedule.id = newHuntId();
    schedule.spec.url = u"metric"_s;
    schedule.spec.everyMs = 10000;
    schedule.spec.options.timeoutMs = 3000;
    schedule.spec.options.attempts = 2;
    QVERIFY(schedule.spec.warnings().isEmpty()); // 1 s spread + 6.2 s fits in 9.5 s
    QVERIFY(schedule.warnings().isEmpty());
    schedule.spec.spreadMs = 4000; // 4 s + 6.2 s does not
    const QStringList told = schedule.spec.warnings();
    QCOMPARE(told.size(), 1);
    QCOMPARE(schedule.warnings(), told); // not read from JSON: computed

    const QJsonObject api = schedule.toJson();
    QCOMPARE(api.value(u"warnings"_s).toArray().size(), 1);
    const Result<Schedule> read = Schedule::fromJson(api);
    QVERIFY2(read, read ? "" : qPrintable(read.error().message));
    QVERIFY(read->spec.warnings().isEmpty()); // the spread as given is not in the API's form
    QCOMPARE(read->warnings(), told);

    // None told: none, whatever the spec would say.
    QJsonObject quiet = api;
    quiet.remove(u"warnings"_s);
    QVERIFY(Schedule::fromJson(quiet)->warnings().isEmpty());
    // The stored form reads back the same.
    QCOMPARE(Schedule::fromJson(schedule.toStoredJson())->warnings(), told);
}

void TestRoundDeadline::slowNodesNeverSkipARound()
{
    constexpr int Nodes = 2000;
    constexpr int Hanging = 10;
    constexpr qint64 EveryMs = 5000;
    StackFixture fixture;
    StackOptions options;
    options.engine.maxNodes = Nodes;
    QVERIFY2_OK(fixture.open(options));
    std::vector<std::unique_ptr<FakeNode>> fakes;
    QStringList nodes;
    QStringList hanging;
    for (int i = 0; i < Nodes; ++i) {
        fakes.push_back(std::make_unique<FakeNode>());
        FakeNode &node = *fakes.back();
        QVERIFY(node.start());
        if (i % (Nodes / Hanging) == 7) {
            node.setBehaviour(FakeNode::Behaviour::Hang);
            hanging.append(node.node());
        }
        nodes.append(node.node());
    }
    QCOMPARE(hanging.size(), Hanging);

    ScheduleSpec spec;
    spec.nodes = nodes;
    spec.url = u"metric"_s;
    spec.everyMs = EveryMs;
    spec.origin = u"test"_s; // default options: 5 s timeout, 3 attempts
    QSignalSpy finished(fixture.catalog(), &HuntCatalog::huntFinished);
    QSignalSpy skipped(fixture.scheduler(), &Scheduler::roundSkipped);
    const Result<Schedule> created = fixture.scheduler()->create(spec);
    QVERIFY2_OK(created);
    QVERIFY(!created->spec.warnings().isEmpty()); // 15.6 s worst case against 4.75 s

    QTRY_VERIFY_WITH_TIMEOUT(finished.size() >= 6, 40000); // 30 s of rounds
    QVERIFY2_OK(fixture.scheduler()->remove(created->id));
    QCOMPARE(skipped.size(), 0);
    for (const QList<QVariant> &signal : std::as_const(finished)) {
        const HuntInfo round = signal.at(0).value<HuntInfo>();
        QCOMPARE(round.state, HuntState::Done);
        QCOMPARE(round.done, Nodes);
        const qint64 tookMs = round.startedAt.msecsTo(round.finishedAt);
        QVERIFY2(tookMs <= 5500, qPrintable(u"round %1 took %2 ms"_s.arg(round.round).arg(tookMs)));
        QCOMPARE(round.counts.count(OutcomeKind::Ok), Nodes - Hanging);
        QCOMPARE(round.counts.count(OutcomeKind::Timeout), Hanging);
        for (const QString &node : std::as_const(hanging)) {
            const Result<Outcome> outcome = fixture.store()->findResult(round.id, node);
            QVERIFY2_OK(outcome);
            QCOMPARE(outcome->outcome, OutcomeKind::Timeout);
            QVERIFY2(outcome->error.startsWith(u"the round deadline (4750 ms) passed"_s),
                     qPrintable(outcome->error));
        }
    }
}

QTEST_GUILESS_MAIN(TestRoundDeadline)
#include "tst_rounddeadline.moc"
