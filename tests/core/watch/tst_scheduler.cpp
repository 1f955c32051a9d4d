// Scheduler + HuntEngine + LocalExecutor + ResultStore (tests/common/stackfixture.h) against
// real loopback fake nodes. Time is a ManualClock (tests/common/manualclock.h): a test moves it
// one interval at a time, so rounds come at once and intervals are exact, with no waiting.
#include <QtTest>

#include <QDir>
#include <QElapsedTimer>

#include "core/base/duration.h"
#include "core/engine/huntengine.h"
#include "core/rules/alertrule.h"
#include "core/rules/alertstate.h"
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

constexpr qint64 Minute = 60000;

// The stack with schedules on `clock` (null: the system clock).
StackOptions withClock(const std::shared_ptr<ManualClock> &clock)
{
    StackOptions options;
    options.scheduler->clock = clock;
    return options;
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

int roundsStarted(const Scheduler &scheduler, const QString &id)
{
    const std::optional<Schedule> s = scheduler.find(id);
    return s ? s->roundsStarted : -1;
}

// The schedule's newest round has ended (its hunt is no longer active in the engine).
bool lastRoundEnded(const StackFixture &stack, const QString &id)
{
    const std::optional<Schedule> s = stack.scheduler()->find(id);
    return s && !s->rounds.isEmpty() && !stack.engine()->activeInfo(s->rounds.last().hunt);
}

// Runs rounds until `rounds` have started and ended: waits for the current one to end, then
// moves the clock one interval (the next round starts inside advance()).
bool runRounds(StackFixture &stack, ManualClock &clock, const QString &id, int rounds)
{
    for (;;) {
        if (!waitUntil([&] { return lastRoundEnded(stack, id); })) {
            qWarning("round %d did not end", roundsStarted(*stack.scheduler(), id));
            return false;
        }
        const int started = roundsStarted(*stack.scheduler(), id);
        if (started >= rounds) {
            return true;
        }
        clock.advance(stack.scheduler()->find(id)->spec.everyMs);
        if (roundsStarted(*stack.scheduler(), id) != started + 1) {
            qWarning("no round %d after one interval", started + 1);
            return false;
        }
    }
}

} // namespace

class TestScheduler : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void durations_data();
    void durations();
    void roundsAreLinkedHunts();
    void overrunningRoundIsSkippedNotStacked();
    void schedulesSurviveRestart();
    void alertStatesAndLabelsSurviveRestart();
    void retentionPrunesOldRounds();
    void maxAgeRetention();
    void spreadStaggersNodes();
    void historyFollowsJsonPath();
    void badSchedulesStartNothing();
    void nodeDownSetting_data();
    void nodeDownSetting();
};

void TestScheduler::durations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms"); // -1: refused
    QTest::newRow("ms") << u"500ms"_s << qint64(500);
    QTest::newRow("s") << u"30s"_s << qint64(30000);
    QTest::newRow("decimal s") << u"1.5s"_s << qint64(1500);
    QTest::newRow("m is minutes") << u"5m"_s << qint64(300000);
    QTest::newRow("min") << u"2min"_s << qint64(120000);
    QTest::newRow("h") << u"1h"_s << qint64(3600000);
    QTest::newRow("d") << u"7d"_s << qint64(7 * 86400000LL);
    QTest::newRow("spaces") << u" 10 s "_s << qint64(10000);
    QTest::newRow("bare number") << u"30"_s << qint64(-1);
    QTest::newRow("zero") << u"0s"_s << qint64(-1);
    QTest::newRow("negative") << u"-5s"_s << qint64(-1);
    QTest::newRow("unknown unit") << u"5x"_s << qint64(-1);
    QTest::newRow("empty") << QString() << qint64(-1);
    QTest::newRow("over a year") << u"400d"_s << qint64(-1);
    QTest::newRow("two units") << u"1h30m"_s << qint64(-1);
}

void TestScheduler::durations()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    const Result<qint64> parsed = parseDurationMs(text);
    if (ms < 0) {
        QVERIFY(!parsed);
        QVERIFY2(parsed.error().message.contains(u"is not a duration"_s),
                 qPrintable(parsed.error().message));
        return;
    }
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message));
    QCOMPARE(*parsed, ms);
    QCOMPARE(*parseDurationMs(formatDurationMs(ms)), ms); // round trip
}

void TestScheduler::roundsAreLinkedHunts()
{
    auto clock = std::make_shared<ManualClock>();
    StackFixture stack;
    QVERIFY2_OK(stack.open(withClock(clock)));
    FakeNode a, b;
    QVERIFY(a.start() && b.start());
    QSignalSpy started(stack.scheduler(), &Scheduler::roundStarted);
    const Result<Schedule> created = stack.scheduler()->create(spec({a.node(), b.node()}, Minute));
    QVERIFY2_OK(created);
    QCOMPARE(created->roundsStarted, 1); // round 1 at once
    QCOMPARE(created->nextRunAt, clock->now().addMSecs(Minute));
    QVERIFY(runRounds(stack, *clock, created->id, 3));

    const Schedule s = *stack.scheduler()->find(created->id);
    QCOMPARE(s.roundsStarted, 3);
    QCOMPARE(s.rounds.size(), qsizetype(3));
    QCOMPARE(s.skipped, 0);
    QCOMPARE(started.size(), 3);
    for (int i = 0; i < s.rounds.size(); ++i) {
        const ScheduleRound &round = s.rounds[i];
        QCOMPARE(round.round, i + 1);
        QCOMPARE(started.at(i).at(1).value<HuntInfo>().id, round.hunt);
        const Result<HuntInfo> info = stack.store()->loadManifest(round.hunt);
        QVERIFY(info);
        QCOMPARE(info->schedule, s.id);
        QCOMPARE(info->round, i + 1);
        QCOMPARE(info->counts.count(OutcomeKind::Ok), 2);
        if (i > 0) {
            QCOMPARE(s.rounds[i - 1].startedAt.msecsTo(round.startedAt), Minute); // one interval
        }
    }
    QCOMPARE(a.requestCount(), 3);
    QCOMPARE(b.requestCount(), 3);
    QCOMPARE(s.nextRunAt, s.lastRoundAt.addMSecs(Minute));
}

void TestScheduler::overrunningRoundIsSkippedNotStacked()
{
    auto clock = std::make_shared<ManualClock>();
    StackFixture stack;
    QVERIFY2_OK(stack.open(withClock(clock)));
    FakeNode slow;
    QVERIFY(slow.start());
    slow.setBehaviour(FakeNode::Behaviour::Hang); // round 1 runs until the node answers
    QSignalSpy skipped(stack.scheduler(), &Scheduler::roundSkipped);
    int mostActive = 0;
    connect(stack.scheduler(), &Scheduler::roundSkipped, this,
            [&] { mostActive = std::max(mostActive, int(stack.engine()->activeHunts().size())); });
    ScheduleSpec s0 = spec({slow.node()}, Minute);
    s0.options.attempts = 1;
    s0.options.timeoutMs = 600000;
    const Result<Schedule> created = stack.scheduler()->create(s0);
    QVERIFY2_OK(created);
    QTRY_COMPARE_WITH_TIMEOUT(slow.requestCount(), 1, 5000);
    for (int i = 0; i < 3; ++i) {
        clock->advance(Minute); // due while round 1 is still running
    }
    QCOMPARE(skipped.size(), 3);
    const Schedule s = *stack.scheduler()->find(created->id);
    QCOMPARE(s.skipped, 3);
    QCOMPARE(s.roundsStarted, 1);
    QCOMPARE(s.lastSkippedAt, clock->now());
    QVERIFY2(s.lastSkipReason.contains(u"still running"_s), qPrintable(s.lastSkipReason));
    QVERIFY(skipped.first().at(1).toString().contains(s.rounds.first().hunt));
    QCOMPARE(mostActive, 1); // never two rounds at once
    // Once the slow round ends, rounds go on: no stacked backlog is started at once.
    QVERIFY(stack.engine()->cancel(s.rounds.first().hunt));
    QVERIFY(waitUntil([&] { return lastRoundEnded(stack, created->id); }));
    QCOMPARE(roundsStarted(*stack.scheduler(), created->id), 1);
    slow.setBehaviour(FakeNode::Behaviour::Json);
    QVERIFY(runRounds(stack, *clock, created->id, 2));
    const Schedule later = *stack.scheduler()->find(created->id);
    QCOMPARE(later.roundsStarted, 2);
    QCOMPARE(later.skipped, 3);
    const Result<QList<Schedule>> stored = stack.store()->loadSchedules();
    QVERIFY(stored && stored->size() == 1);
    QCOMPARE(stored->first().skipped, 3); // recorded on disk too
}

void TestScheduler::schedulesSurviveRestart()
{
    auto clock = std::make_shared<ManualClock>();
    StackFixture stack;
    QVERIFY2_OK(stack.open(withClock(clock)));
    FakeNode node;
    QVERIFY(node.start());
    ScheduleSpec s = spec({node.node()}, Minute);
    s.options.headers.append(
        qMakePair(QByteArray("Authorization"), QByteArray("Bearer round-secret")));
    s.retention.keepRounds = 50;
    const Result<Schedule> created = stack.scheduler()->create(s);
    QVERIFY2_OK(created);
    const QString id = created->id;
    QVERIFY(runRounds(stack, *clock, id, 2));
    const int roundsBefore = roundsStarted(*stack.scheduler(), id);
    QCOMPARE(roundsBefore, 2);
    QVERIFY(stack.scheduler()->remove(u"01ZZZZZZZZZZZZZZZZZZZZZZZZ"_s).error().code
            == ErrorCode::NotFound);
    stack.close(); // the "process" ends; the schedule is stored

    clock->advance(5 * Minute / 2); // two and a half intervals pass while nothing runs
    node.clearRequests();
    QVERIFY2_OK(stack.open(withClock(clock)));
    QCOMPARE(stack.scheduler()->list().size(), 0); // nothing before load()
    const Result<QStringList> loaded = stack.scheduler()->load();
    QVERIFY2_OK(loaded);
    QCOMPARE(*loaded, QStringList{id});
    const std::optional<Schedule> reloaded = stack.scheduler()->find(id);
    QVERIFY(reloaded);
    QCOMPARE(reloaded->roundsStarted, roundsBefore);
    QCOMPARE(reloaded->rounds.size(), qsizetype(roundsBefore));
    QCOMPARE(reloaded->spec.nodes, QStringList{node.node()});
    QCOMPARE(reloaded->spec.retention.keepRounds, 50);
    QCOMPARE(reloaded->nextRunAt, clock->now()); // one round was due while it was down

    // One round at once (from the event loop), not one per missed slot.
    QTRY_COMPARE_WITH_TIMEOUT(roundsStarted(*stack.scheduler(), id), roundsBefore + 1, 5000);
    QVERIFY(waitUntil([&] { return lastRoundEnded(stack, id); }));
    QCOMPARE(roundsStarted(*stack.scheduler(), id), roundsBefore + 1);
    QVERIFY(runRounds(stack, *clock, id, roundsBefore + 3));
    const Schedule after = *stack.scheduler()->find(id);
    QCOMPARE(after.rounds.size(), qsizetype(roundsBefore + 3));
    // Numbering and linkage continue; the interval counts from the catch-up round.
    for (int i = roundsBefore; i < after.rounds.size(); ++i) {
        const Result<HuntInfo> info = stack.store()->loadManifest(after.rounds[i].hunt);
        QVERIFY(info);
        QCOMPARE(info->schedule, id);
        QCOMPARE(info->round, i + 1);
        if (i > roundsBefore) {
            QCOMPARE(after.rounds[i - 1].startedAt.msecsTo(after.rounds[i].startedAt), Minute);
        }
    }
    // The header value was kept across the restart (stored owner-only).
    QCOMPARE(node.requestCount(), 3);
    QCOMPARE(node.requestHeaders().first().value("authorization"),
             QByteArray("Bearer round-secret"));
    const QFileInfo schedulesDir(stack.dataDir() + u"/schedules"_s);
    QCOMPARE(schedulesDir.permissions() & (QFile::ReadOther | QFile::ReadGroup),
             QFile::Permissions());
    // Hunt manifests never hold header values; the schedule's public JSON neither.
    QVERIFY(!QJsonDocument(after.toJson()).toJson().contains("round-secret"));

    // DELETE: the schedule is gone for good, its rounds stay.
    const Result<Schedule> removed = stack.scheduler()->remove(id);
    QVERIFY(removed);
    QVERIFY(!stack.scheduler()->find(id));
    QVERIFY(stack.store()->loadManifest(after.rounds.first().hunt));
    QVERIFY2_OK(stack.open(withClock(clock)));
    QVERIFY(stack.scheduler()->load()->isEmpty());
}

// A condition's state per node (alerts.json) and the nodes' labels (labels.json) are the
// schedule's own: a process that stops between rounds goes on where the last one was.
void TestScheduler::alertStatesAndLabelsSurviveRestart()
{
    auto clock = std::make_shared<ManualClock>();
    StackFixture stack;
    QVERIFY2_OK(stack.open(withClock(clock)));
    FakeNode hot, cool;
    QVERIFY(hot.start());
    QVERIFY(cool.start());
    hot.setJsonBody(R"({"mem": {"usedPercent": 97}})");
    cool.setJsonBody(R"({"mem": {"usedPercent": 12}})");
    ScheduleSpec s = spec({hot.node(), cool.node()}, Minute);
    s.labels = {Labels{{u"dc"_s, u"fra1"_s}}, Labels{{u"dc"_s, u"ams1"_s}}};
    const Result<AlertRuleList> rules = alertRulesFromJson(QJsonArray{QJsonObject{
        {u"name"_s, u"MemHigh"_s}, {u"expr"_s, u"mem.usedPercent < 90"_s}, {u"for"_s, 3}}});
    QVERIFY2_OK(rules);
    s.conditions = *rules;
    const Result<Schedule> created = stack.scheduler()->create(s);
    QVERIFY2_OK(created);
    const QString id = created->id;
    QVERIFY(runRounds(stack, *clock, id, 2));
    const auto hotAlert = [&]() -> std::optional<NodeAlert> {
        const Result<AlertBook> book = stack.scheduler()->alerts(id);
        if (!book) {
            return std::nullopt;
        }
        for (const NodeAlert &a : book->list()) {
            if (a.node == hot.node() && a.condition == u"MemHigh"_s) {
                return a;
            }
        }
        return std::nullopt;
    };
    // Evaluated after each round ends (on the pool): wait for round 2's verdict.
    QVERIFY(waitUntil([&] { return stack.scheduler()->alerts(id)->lastRound() == 2; }));
    QVERIFY(hotAlert());
    QCOMPARE(hotAlert()->phase, AlertPhase::Pending);
    QCOMPARE(hotAlert()->failingRounds, 2);
    QCOMPARE(stack.scheduler()->alerts(id)->size(), 1); // the cool node is ok: not kept
    stack.close();

    clock->advance(Minute);
    QVERIFY2_OK(stack.open(withClock(clock)));
    QVERIFY2_OK(stack.scheduler()->load());
    QCOMPARE(stack.scheduler()->alerts(id)->lastRound(), 2);
    QVERIFY(hotAlert()); // read back from alerts.json
    QCOMPARE(hotAlert()->failingRounds, 2);
    // The catch-up round is the third failing one in a row: firing now, not pending from 1.
    QTRY_COMPARE_WITH_TIMEOUT(roundsStarted(*stack.scheduler(), id), 3, 5000);
    QVERIFY(waitUntil([&] { return stack.scheduler()->alerts(id)->lastRound() == 3; }));
    QVERIFY(hotAlert());
    const NodeAlert firing = *hotAlert();
    QCOMPARE(firing.phase, AlertPhase::Firing);
    QCOMPARE(firing.failingRounds, 3);
    QCOMPARE(firing.value, u"mem.usedPercent=97"_s);
    QCOMPARE(firing.labels, (Labels{{u"dc"_s, u"fra1"_s}}));
    QCOMPARE(firing.sinceRound, 3);
    // The round after the restart stored each node's labels with its outcome.
    const std::optional<Schedule> after = stack.scheduler()->find(id);
    QVERIFY(after);
    QCOMPARE(after->spec.labels, s.labels);
    QStringList seen;
    QVERIFY2_OK(stack.store()->forEachResult(after->rounds.last().hunt, [&](const Outcome &o) {
        seen.append(o.node + u' ' + o.labels.value(u"dc"_s));
        return true;
    }));
    seen.sort();
    QStringList expected{hot.node() + u" fra1"_s, cool.node() + u" ams1"_s};
    expected.sort();
    QCOMPARE(seen, expected);
}

void TestScheduler::retentionPrunesOldRounds()
{
    auto clock = std::make_shared<ManualClock>();
    StackFixture stack;
    QVERIFY2_OK(stack.open(withClock(clock)));
    FakeNode node;
    QVERIFY(node.start());
    QSignalSpy pruned(stack.scheduler(), &Scheduler::roundsPruned);
    ScheduleSpec s = spec({node.node()}, Minute);
    s.retention.keepRounds = 2;
    s.maxRounds = 5;
    const Result<Schedule> created = stack.scheduler()->create(s);
    QVERIFY2_OK(created);
    QVERIFY(runRounds(stack, *clock, created->id, 5));
    QTRY_COMPARE(stack.scheduler()->find(created->id)->rounds.size(), qsizetype(2));
    const Schedule done = *stack.scheduler()->find(created->id);
    QVERIFY(done.completed);
    QVERIFY(!done.nextRunAt.isValid());
    QCOMPARE(done.roundsStarted, 5);
    QCOMPARE(done.rounds.first().round, 4);
    QStringList prunedIds;
    for (const QList<QVariant> &args : std::as_const(pruned)) {
        prunedIds += args.at(1).toStringList();
    }
    QCOMPARE(prunedIds.size(), 3);
    for (const QString &hunt : std::as_const(prunedIds)) {
        QCOMPARE(stack.store()->loadManifest(hunt).error().code, ErrorCode::NotFound);
    }
    const QStringList left =
        QDir(stack.dataDir() + u"/hunts"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QCOMPARE(left.size(), 2);
    QVERIFY(left.contains(done.rounds.last().hunt));
    // A completed schedule arms nothing and starts nothing more.
    QCOMPARE(clock->armedCount(), 0);
    clock->advance(10 * Minute);
    QCOMPARE(stack.scheduler()->find(created->id)->roundsStarted, 5);
}

void TestScheduler::maxAgeRetention()
{
    auto clock = std::make_shared<ManualClock>();
    StackFixture stack;
    QVERIFY2_OK(stack.open(withClock(clock)));
    FakeNode node;
    QVERIFY(node.start());
    ScheduleSpec s = spec({node.node()}, Minute);
    s.retention.keepRounds = 0; // no count limit: age only
    s.retention.maxAgeMs = 5 * Minute / 2;
    const Result<Schedule> created = stack.scheduler()->create(s);
    QVERIFY2_OK(created);
    QVERIFY(runRounds(stack, *clock, created->id, 7));
    // Round 7 started 6 minutes after round 1; rounds older than 2.5 minutes (1 to 4) are gone.
    QTRY_COMPARE(stack.scheduler()->find(created->id)->rounds.size(), qsizetype(3));
    const Schedule now = *stack.scheduler()->find(created->id);
    QCOMPARE(now.rounds.first().round, 5);
    QVERIFY(stack.store()->loadManifest(now.rounds.first().hunt));
}

void TestScheduler::spreadStaggersNodes()
{
    StackFixture stack;
    QVERIFY2_OK(stack.open()); // the system clock: the spread is the engine's, in real time
    std::vector<std::unique_ptr<FakeNode>> nodes;
    QStringList names;
    QElapsedTimer clock;
    QList<qint64> firstRequestMs;
    for (int i = 0; i < 8; ++i) {
        nodes.push_back(std::make_unique<FakeNode>());
        QVERIFY(nodes.back()->start());
        names.append(nodes.back()->node());
        connect(nodes.back().get(), &FakeNode::requestReceived, this,
                [&] { firstRequestMs.append(clock.elapsed()); });
    }
    ScheduleSpec s = spec(names, 10000);
    s.spreadMs = 400;
    s.maxRounds = 1;
    clock.start();
    const Result<Schedule> created = stack.scheduler()->create(s);
    QVERIFY2_OK(created);
    QVERIFY(waitUntil([&] { return lastRoundEnded(stack, created->id); }));
    QCOMPARE(firstRequestMs.size(), 8);
    std::sort(firstRequestMs.begin(), firstRequestMs.end());
    // Not all at the same instant, and all within the window (plus scheduling slack).
    QVERIFY2(
        firstRequestMs.last() - firstRequestMs.first() >= 100,
        qPrintable(u"spread only %1 ms"_s.arg(firstRequestMs.last() - firstRequestMs.first())));
    QVERIFY(firstRequestMs.last() < 400 + 1500);
    const Result<HuntInfo> info = stack.store()->loadManifest(created->rounds.first().hunt);
    QCOMPARE(info->spreadMs, 400);
    QCOMPARE(info->counts.count(OutcomeKind::Ok), 8);
}

void TestScheduler::historyFollowsJsonPath()
{
    auto clock = std::make_shared<ManualClock>();
    StackFixture stack;
    QVERIFY2_OK(stack.open(withClock(clock)));
    FakeNode node, other;
    QVERIFY(node.start() && other.start());
    // Each round, the node answers a different value: round n -> mem.used "n0%" (set as the
    // round starts, before its fetch).
    auto setBody = [&](int round) {
        node.setJsonBody("{\"cpu\": " + QByteArray::number(round) + ", \"mem\": {\"used\": \""
                         + QByteArray::number(round * 10) + "%\"}, \"disks\": [{\"free\": "
                         + QByteArray::number(round * 100) + "}]}");
    };
    setBody(1);
    connect(stack.scheduler(), &Scheduler::roundStarted, this,
            [&](const QString &, const HuntInfo &info) { setBody(info.round); });
    ScheduleSpec s = spec({node.node(), other.node()}, Minute);
    s.maxRounds = 3;
    const Result<Schedule> created = stack.scheduler()->create(s);
    QVERIFY2_OK(created);
    QVERIFY(runRounds(stack, *clock, created->id, 3));
    Scheduler *scheduler = stack.scheduler();

    const Result<QList<NodeHistoryEntry>> all =
        scheduler->history(created->id, node.node(), u"mem.used"_s, 10);
    QVERIFY2_OK(all);
    QCOMPARE(all->size(), 3);
    // Newest first; the value as stored, the number read loosely ("30%" -> 30).
    QCOMPARE(all->at(0).round, 3);
    QCOMPARE(all->at(0).value.toString(), u"30%"_s);
    QCOMPARE(all->at(0).number.value_or(-1), 30.0);
    QCOMPARE(all->at(2).number.value_or(-1), 10.0);
    QCOMPARE(all->at(1).outcome.outcome, OutcomeKind::Ok);
    QVERIFY(all->at(1).outcome.fetchedAt.isValid());
    QCOMPARE(all->at(1).hunt, scheduler->find(created->id)->rounds[1].hunt);

    const Result<QList<NodeHistoryEntry>> array =
        scheduler->history(created->id, u" "_s + node.node(), u"disks[0].free"_s, 2);
    QVERIFY(array);
    QCOMPARE(array->size(), 2);
    QCOMPARE(array->at(0).number.value_or(-1), 300.0);
    QCOMPARE(array->at(1).number.value_or(-1), 200.0);
    const QJsonObject json = array->at(0).toJson();
    QCOMPARE(json.value(u"outcome"_s).toString(), u"ok"_s);
    QCOMPARE(json.value(u"httpStatus"_s).toInt(), 200);
    QVERIFY(json.contains(u"latencyMs"_s) && json.contains(u"fetchedAt"_s));
    QVERIFY(!json.contains(u"body"_s));

    // A path missing in the answer: entries without a value.
    const auto missing = scheduler->history(created->id, node.node(), u"nope.x"_s, 10);
    QVERIFY(missing && missing->size() == 3 && missing->first().value.isUndefined());
    QCOMPARE(scheduler->history(created->id, u"10.9.9.9:1"_s, {}, 10).error().code,
             ErrorCode::NotFound);
    QCOMPARE(scheduler->history(created->id, node.node(), u"a..b"_s, 10).error().code,
             ErrorCode::InvalidArgument);
    QCOMPARE(scheduler->history(created->id, node.node(), {}, 0).error().code,
             ErrorCode::InvalidArgument);
    QCOMPARE(scheduler->history(u"nope"_s, node.node(), {}, 5).error().code, ErrorCode::NotFound);
}

void TestScheduler::badSchedulesStartNothing()
{
    StackFixture stack;
    QVERIFY2_OK(stack.open()); // the service's own 1 s minimum
    Scheduler *scheduler = stack.scheduler();
    FakeNode node;
    QVERIFY(node.start());
    const Result<Schedule> tooFast = scheduler->create(spec({node.node()}, 500));
    QVERIFY(!tooFast);
    QCOMPARE(tooFast.error().code, ErrorCode::InvalidArgument);
    QVERIFY2(tooFast.error().message.contains(u"from 1s"_s), qPrintable(tooFast.error().message));
    const Result<Schedule> badNode = scheduler->create(spec({u"bob@host:1"_s}, 1000));
    QCOMPARE(badNode.error().code, ErrorCode::InvalidNode);
    ScheduleSpec wideSpread = spec({node.node()}, 1000);
    wideSpread.spreadMs = 600;
    QCOMPARE(scheduler->create(wideSpread).error().code, ErrorCode::InvalidArgument);
    ScheduleSpec noRetention = spec({node.node()}, 1000);
    noRetention.retention.keepRounds = 0;
    QCOMPARE(scheduler->create(noRetention).error().code, ErrorCode::InvalidArgument);
    // Nothing stored, nothing fetched.
    QVERIFY(scheduler->list().isEmpty());
    QVERIFY(stack.store()->loadSchedules()->isEmpty());
    QVERIFY(QDir(stack.dataDir() + u"/hunts"_s).isEmpty());
    QCOMPARE(node.requestCount(), 0);
}

// The built-in NodeDown condition's setting: absent means on for 1 round; a bool or
// {"enabled", "for"}; anything else is one error naming 'nodeDown' and what was wrong. A user
// condition may not take its name.
void TestScheduler::nodeDownSetting_data()
{
    QTest::addColumn<QByteArray>("json"); // the value of "nodeDown" ("" = absent)
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<int>("forRounds");
    QTest::addColumn<QString>("error"); // part of the error; "" = valid
    QTest::newRow("absent") << QByteArray() << true << 1 << QString();
    QTest::newRow("null") << QByteArray("null") << true << 1 << QString();
    QTest::newRow("false") << QByteArray("false") << false << 1 << QString();
    QTest::newRow("true") << QByteArray("true") << true << 1 << QString();
    QTest::newRow("for 3") << QByteArray(R"({"for": 3})") << true << 3 << QString();
    QTest::newRow("off, for 2") << QByteArray(R"({"enabled": false, "for": 2})") << false << 2
                                << QString();
    QTest::newRow("number") << QByteArray("1") << true << 1
                            << u"'nodeDown': must be true, false or"_s;
    QTest::newRow("string") << QByteArray(R"("yes")") << true << 1
                            << u"'nodeDown': must be true, false or"_s;
    QTest::newRow("unknown field") << QByteArray(R"({"enable": true})") << true << 1
                                   << u"unknown field 'enable' (known: enabled, for)"_s;
    QTest::newRow("enabled not bool")
        << QByteArray(R"({"enabled": "no"})") << true << 1 << u"'enabled' must be true or false"_s;
    QTest::newRow("for 0") << QByteArray(R"({"for": 0})") << true << 1
                           << u"'for' must be a whole number of rounds"_s;
    QTest::newRow("for 1.5") << QByteArray(R"({"for": 1.5})") << true << 1
                             << u"'for' must be a whole number of rounds"_s;
}

void TestScheduler::nodeDownSetting()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, enabled);
    QFETCH(int, forRounds);
    QFETCH(QString, error);
    const QJsonValue value = json.isEmpty()
                                 ? QJsonValue(QJsonValue::Undefined)
                                 : QJsonDocument::fromJson("[" + json + "]").array().first();
    const Result<NodeDownRule> rule = NodeDownRule::fromJson(value);
    if (!error.isEmpty()) {
        QVERIFY(!rule);
        QCOMPARE(rule.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(rule.error().message.contains(error), qPrintable(rule.error().message));
        QVERIFY2(rule.error().message.startsWith(u"'nodeDown': "_s),
                 qPrintable(rule.error().message));
        return;
    }
    QVERIFY2(rule, qPrintable(rule ? QString() : rule.error().message));
    QCOMPARE(rule->enabled, enabled);
    QCOMPARE(rule->forRounds, forRounds);
    // What a schedule evaluates: the user's conditions, then NodeDown only when enabled.
    const AlertRuleList rules = effectiveAlertRules({}, *rule);
    QCOMPARE(rules.size(), enabled ? 1 : 0);
    if (enabled) {
        QCOMPARE(rules.first().name, NodeDownRule::Name);
        QCOMPARE(rules.first().forRounds, forRounds);
    }
    // Round trip through the schedule's stored form.
    QCOMPARE(NodeDownRule::fromJson(rule->toJson()).value(), *rule);

    // A user condition named NodeDown is refused, naming the built-in one.
    const Result<AlertRuleList> named = alertRulesFromJson(
        QJsonArray{QJsonObject{{u"name"_s, u"NodeDown"_s}, {u"expr"_s, u"outcome == \"ok\""_s}}});
    QVERIFY(!named);
    QVERIFY2(named.error().message.contains(u"built-in"_s), qPrintable(named.error().message));
}

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
