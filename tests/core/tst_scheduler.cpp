// Scheduler + HuntEngine + LocalExecutor + ResultStore against real loopback fake nodes, with
// intervals of a few hundred milliseconds (SchedulerConfig::minEveryMs lowered for the test).
#include <QtTest>

#include <QDir>
#include <QElapsedTimer>

#include "core/duration.h"
#include "core/huntengine.h"
#include "core/localexecutor.h"
#include "core/resultstore.h"
#include "core/scheduler.h"
#include "tests/common/fakenode.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;

namespace {

// The engine and the scheduler on one data directory; destroyed and rebuilt to "restart".
struct Service
{
    explicit Service(const QString &dir, SchedulerConfig config = testConfig())
        : store(dir), executor(2)
    {
        if (!store.open()) {
            qFatal("store did not open");
        }
        engine = std::make_unique<HuntEngine>(&store, &executor);
        scheduler = std::make_unique<Scheduler>(engine.get(), config);
    }
    ~Service()
    {
        scheduler.reset();
        engine.reset();
    }
    static SchedulerConfig testConfig()
    {
        SchedulerConfig config;
        config.minEveryMs = 100;
        return config;
    }

    ResultStore store;
    LocalExecutor executor;
    std::unique_ptr<HuntEngine> engine;
    std::unique_ptr<Scheduler> scheduler;
};

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

// Waits until `rounds` rounds have started and none is active any more.
bool waitRoundsDone(const Service &service, const QString &id, int rounds, int timeoutMs = 10000)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        const std::optional<Schedule> s = service.scheduler->find(id);
        if (s && s->roundsStarted >= rounds && !s->rounds.isEmpty()
            && !service.engine->activeInfo(s->rounds.last().hunt)) {
            return true;
        }
        QTest::qWait(10);
    }
    return false;
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
    void retentionPrunesOldRounds();
    void maxAgeRetention();
    void spreadStaggersNodes();
    void historyFollowsJsonPath();
    void badSchedulesStartNothing();
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
    QTemporaryDir dir;
    Service service(dir.path());
    FakeNode a, b;
    QVERIFY(a.start() && b.start());
    QSignalSpy started(service.scheduler.get(), &Scheduler::roundStarted);
    const Result<Schedule> created = service.scheduler->create(spec({a.node(), b.node()}, 200));
    QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
    QCOMPARE(created->roundsStarted, 1); // round 1 at once
    QVERIFY(waitRoundsDone(service, created->id, 3));

    const Schedule s = *service.scheduler->find(created->id);
    // (A loaded machine may make a round overrun and the next one be skipped: not asserted.)
    QCOMPARE(s.rounds.size(), qsizetype(s.roundsStarted));
    QCOMPARE(started.size(), s.roundsStarted);
    for (int i = 0; i < s.rounds.size(); ++i) {
        const ScheduleRound &round = s.rounds[i];
        QCOMPARE(round.round, i + 1);
        const Result<HuntInfo> info = service.store.loadManifest(round.hunt);
        QVERIFY(info);
        QCOMPARE(info->schedule, s.id);
        QCOMPARE(info->round, i + 1);
        QCOMPARE(info->counts.count(OutcomeKind::Ok), 2);
        if (i > 0) {
            // About one interval apart: slots are 200 ms apart; a late timer delays one start
            // but never brings the next slot forward.
            QVERIFY2(s.rounds[i - 1].startedAt.msecsTo(round.startedAt) >= 100,
                     qPrintable(u"%1 ms"_s.arg(s.rounds[i - 1].startedAt.msecsTo(round.startedAt))));
        }
    }
    QVERIFY(a.requestCount() >= 3 && b.requestCount() >= 3);
    QVERIFY(s.nextRunAt > s.lastRoundAt);
}

void TestScheduler::overrunningRoundIsSkippedNotStacked()
{
    QTemporaryDir dir;
    Service service(dir.path());
    FakeNode slow;
    QVERIFY(slow.start());
    slow.setBehaviour(FakeNode::Behaviour::Slow);
    slow.setDelayMs(900); // each round takes longer than the 200 ms interval
    QSignalSpy skipped(service.scheduler.get(), &Scheduler::roundSkipped);
    int mostActive = 0;
    connect(service.scheduler.get(), &Scheduler::roundSkipped, this,
            [&] { mostActive = std::max(mostActive, int(service.engine->activeHunts().size())); });
    const Result<Schedule> created = service.scheduler->create(spec({slow.node()}, 200));
    QVERIFY(created);
    QTRY_VERIFY_WITH_TIMEOUT(skipped.size() >= 3, 5000);
    const Schedule s = *service.scheduler->find(created->id);
    QCOMPARE(s.skipped, int(skipped.size()));
    QVERIFY(s.lastSkippedAt.isValid());
    QVERIFY2(s.lastSkipReason.contains(u"still running"_s), qPrintable(s.lastSkipReason));
    QVERIFY(skipped.first().at(1).toString().contains(s.rounds.first().hunt));
    QCOMPARE(mostActive, 1); // never two rounds at once
    // Once the slow round ends, rounds go on: no stacked backlog is started at once.
    QVERIFY(waitRoundsDone(service, created->id, 2));
    const Schedule later = *service.scheduler->find(created->id);
    QVERIFY(later.skipped >= 3);
    const Result<QList<Schedule>> stored = service.store.loadSchedules();
    QVERIFY(stored && stored->size() == 1);
    QVERIFY(stored->first().skipped >= 3); // recorded on disk too
}

void TestScheduler::schedulesSurviveRestart()
{
    QTemporaryDir dir;
    FakeNode node;
    QVERIFY(node.start());
    QString id;
    int roundsBefore = 0;
    {
        Service service(dir.path());
        ScheduleSpec s = spec({node.node()}, 300);
        s.options.headers.append(qMakePair(QByteArray("Authorization"), QByteArray("Bearer round-secret")));
        s.retention.keepRounds = 50;
        const Result<Schedule> created = service.scheduler->create(s);
        QVERIFY(created);
        id = created->id;
        QVERIFY(waitRoundsDone(service, id, 2));
        roundsBefore = roundsStarted(*service.scheduler, id);
        QVERIFY(service.scheduler->remove(u"01ZZZZZZZZZZZZZZZZZZZZZZZZ"_s).error().code
                == ErrorCode::NotFound);
    } // "process" ends; the schedule is stored
    QTest::qWait(700); // more than two intervals pass while nothing runs
    node.clearRequests();

    Service service(dir.path());
    QCOMPARE(service.scheduler->list().size(), 0); // nothing before load()
    const Result<QStringList> loaded = service.scheduler->load();
    QVERIFY(loaded);
    QCOMPARE(*loaded, QStringList{id});
    const std::optional<Schedule> reloaded = service.scheduler->find(id);
    QVERIFY(reloaded);
    QCOMPARE(reloaded->roundsStarted, roundsBefore);
    QCOMPARE(reloaded->rounds.size(), qsizetype(roundsBefore));
    QCOMPARE(reloaded->spec.nodes, QStringList{node.node()});
    QCOMPARE(reloaded->spec.retention.keepRounds, 50);

    QVERIFY(waitRoundsDone(service, id, roundsBefore + 3));
    const Schedule after = *service.scheduler->find(id);
    // Numbering and linkage continue; the missed slots were not made up in a burst.
    for (int i = roundsBefore; i < after.rounds.size(); ++i) {
        const Result<HuntInfo> info = service.store.loadManifest(after.rounds[i].hunt);
        QVERIFY(info);
        QCOMPARE(info->schedule, id);
        QCOMPARE(info->round, i + 1);
        if (i > roundsBefore) {
            // A burst would start them milliseconds apart; slots are 300 ms apart.
            QVERIFY2(after.rounds[i - 1].startedAt.msecsTo(after.rounds[i].startedAt) >= 150,
                     "rounds after a restart came in a burst");
        }
    }
    // The header value was kept across the restart (stored owner-only).
    QVERIFY(node.requestCount() >= 3);
    QCOMPARE(node.requestHeaders().first().value("authorization"), QByteArray("Bearer round-secret"));
    const QFileInfo schedulesDir(dir.path() + u"/schedules"_s);
    QCOMPARE(schedulesDir.permissions() & (QFile::ReadOther | QFile::ReadGroup),
             QFile::Permissions());
    // Hunt manifests never hold header values; the schedule's public JSON neither.
    QVERIFY(!QJsonDocument(after.toJson()).toJson().contains("round-secret"));

    // DELETE: the schedule is gone for good, its rounds stay.
    const Result<Schedule> removed = service.scheduler->remove(id);
    QVERIFY(removed);
    QVERIFY(!service.scheduler->find(id));
    QVERIFY(service.store.loadManifest(after.rounds.first().hunt));
    Service third(dir.path());
    QVERIFY(third.scheduler->load()->isEmpty());
}

void TestScheduler::retentionPrunesOldRounds()
{
    QTemporaryDir dir;
    Service service(dir.path());
    FakeNode node;
    QVERIFY(node.start());
    QSignalSpy pruned(service.scheduler.get(), &Scheduler::roundsPruned);
    ScheduleSpec s = spec({node.node()}, 150);
    s.retention.keepRounds = 2;
    s.maxRounds = 5;
    const Result<Schedule> created = service.scheduler->create(s);
    QVERIFY(created);
    QVERIFY(waitRoundsDone(service, created->id, 5));
    QTRY_COMPARE(service.scheduler->find(created->id)->rounds.size(), qsizetype(2));
    const Schedule done = *service.scheduler->find(created->id);
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
        QCOMPARE(service.store.loadManifest(hunt).error().code, ErrorCode::NotFound);
    }
    const QStringList left = QDir(dir.path() + u"/hunts"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QCOMPARE(left.size(), 2);
    QVERIFY(left.contains(done.rounds.last().hunt));
    // A completed schedule starts nothing more.
    QTest::qWait(400);
    QCOMPARE(service.scheduler->find(created->id)->roundsStarted, 5);
}

void TestScheduler::maxAgeRetention()
{
    QTemporaryDir dir;
    Service service(dir.path());
    FakeNode node;
    QVERIFY(node.start());
    ScheduleSpec s = spec({node.node()}, 150);
    s.retention.keepRounds = 0; // no count limit: age only
    s.retention.maxAgeMs = 400;
    const Result<Schedule> created = service.scheduler->create(s);
    QVERIFY(created);
    QVERIFY(waitRoundsDone(service, created->id, 7));
    const Schedule now = *service.scheduler->find(created->id);
    // Rounds older than 400 ms are gone (the check runs as rounds start and finish).
    QVERIFY2(now.rounds.size() <= 5, qPrintable(QString::number(now.rounds.size())));
    QVERIFY(now.rounds.first().round > 1);
    QCOMPARE(service.store.loadManifest(now.rounds.first().hunt).hasValue(), true);
}

void TestScheduler::spreadStaggersNodes()
{
    QTemporaryDir dir;
    Service service(dir.path());
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
    s.spreadMs = 800;
    s.maxRounds = 1;
    clock.start();
    const Result<Schedule> created = service.scheduler->create(s);
    QVERIFY(created);
    QVERIFY(waitRoundsDone(service, created->id, 1));
    QCOMPARE(firstRequestMs.size(), 8);
    std::sort(firstRequestMs.begin(), firstRequestMs.end());
    // Not all at the same instant, and all within the window (plus scheduling slack).
    QVERIFY2(firstRequestMs.last() - firstRequestMs.first() >= 150,
             qPrintable(u"spread only %1 ms"_s.arg(firstRequestMs.last() - firstRequestMs.first())));
    QVERIFY(firstRequestMs.last() < 800 + 1500);
    const Result<HuntInfo> info = service.store.loadManifest(created->rounds.first().hunt);
    QCOMPARE(info->spreadMs, 800);
    QCOMPARE(info->counts.count(OutcomeKind::Ok), 8);
}

void TestScheduler::historyFollowsJsonPath()
{
    QTemporaryDir dir;
    Service service(dir.path());
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
    connect(service.scheduler.get(), &Scheduler::roundStarted, this,
            [&](const QString &, const HuntInfo &info) { setBody(info.round); });
    ScheduleSpec s = spec({node.node(), other.node()}, 200);
    s.maxRounds = 3;
    const Result<Schedule> created = service.scheduler->create(s);
    QVERIFY(created);
    QVERIFY(waitRoundsDone(service, created->id, 3));

    const Result<QList<NodeHistoryEntry>> all =
        service.scheduler->history(created->id, node.node(), u"mem.used"_s, 10);
    QVERIFY2(all, qPrintable(all ? QString() : all.error().message));
    QCOMPARE(all->size(), 3);
    // Newest first; the value as stored, the number read loosely ("30%" -> 30).
    QCOMPARE(all->at(0).round, 3);
    QCOMPARE(all->at(0).value.toString(), u"30%"_s);
    QCOMPARE(all->at(0).number.value_or(-1), 30.0);
    QCOMPARE(all->at(2).number.value_or(-1), 10.0);
    QCOMPARE(all->at(1).outcome.outcome, OutcomeKind::Ok);
    QVERIFY(all->at(1).outcome.fetchedAt.isValid());
    QCOMPARE(all->at(1).hunt, service.scheduler->find(created->id)->rounds[1].hunt);

    const Result<QList<NodeHistoryEntry>> array =
        service.scheduler->history(created->id, u" "_s + node.node(), u"disks[0].free"_s, 2);
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
    const auto missing = service.scheduler->history(created->id, node.node(), u"nope.x"_s, 10);
    QVERIFY(missing && missing->size() == 3 && missing->first().value.isUndefined());
    QCOMPARE(service.scheduler->history(created->id, u"10.9.9.9:1"_s, {}, 10).error().code,
             ErrorCode::NotFound);
    QCOMPARE(service.scheduler->history(created->id, node.node(), u"a..b"_s, 10).error().code,
             ErrorCode::InvalidArgument);
    QCOMPARE(service.scheduler->history(created->id, node.node(), {}, 0).error().code,
             ErrorCode::InvalidArgument);
    QCOMPARE(service.scheduler->history(u"nope"_s, node.node(), {}, 5).error().code,
             ErrorCode::NotFound);
}

void TestScheduler::badSchedulesStartNothing()
{
    QTemporaryDir dir;
    Service service(dir.path(), SchedulerConfig{}); // the service's own 1 s minimum
    FakeNode node;
    QVERIFY(node.start());
    const Result<Schedule> tooFast = service.scheduler->create(spec({node.node()}, 500));
    QVERIFY(!tooFast);
    QCOMPARE(tooFast.error().code, ErrorCode::InvalidArgument);
    QVERIFY2(tooFast.error().message.contains(u"from 1s"_s), qPrintable(tooFast.error().message));
    const Result<Schedule> badNode = service.scheduler->create(spec({u"bob@host:1"_s}, 1000));
    QCOMPARE(badNode.error().code, ErrorCode::InvalidNode);
    ScheduleSpec wideSpread = spec({node.node()}, 1000);
    wideSpread.spreadMs = 600;
    QCOMPARE(service.scheduler->create(wideSpread).error().code, ErrorCode::InvalidArgument);
    ScheduleSpec noRetention = spec({node.node()}, 1000);
    noRetention.retention.keepRounds = 0;
    QCOMPARE(service.scheduler->create(noRetention).error().code, ErrorCode::InvalidArgument);
    // Nothing stored, nothing fetched.
    QVERIFY(service.scheduler->list().isEmpty());
    QVERIFY(service.store.loadSchedules()->isEmpty());
    QVERIFY(QDir(dir.path() + u"/hunts"_s).isEmpty());
    QCOMPARE(node.requestCount(), 0);
}

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
