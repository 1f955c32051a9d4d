// HuntCatalog: the one place that presents a hunt's state, against the real stack
// (tests/common/stackfixture.h), loopback fake nodes and the real disk.
#include <QtTest>

#include <QDir>

#include "core/base/huntid.h"
#include "core/engine/huntengine.h"
#include "core/service/huntcatalog.h"
#include "core/store/resultstore.h"
#include "tests/common/fakenode.h"
#include "tests/common/poolblocker.h"
#include "tests/common/stackfixture.h"
#include "tests/common/wait.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;
using Artemis::Test::PoolBlocker;
using Artemis::Test::StackFixture;
using Artemis::Test::StackOptions;
using Artemis::Test::waitUntil;

namespace {

HuntRequest request(const QStringList &nodes)
{
    HuntRequest r;
    r.nodes = nodes;
    r.url = u"metric"_s;
    r.origin = u"test"_s;
    r.options.attempts = 1;
    r.options.timeoutMs = 60000;
    return r;
}

// A stored, finished hunt with one ok outcome per node (body {"v": i}).
HuntInfo storedHunt(ResultStore &store, HuntState state, int nodes = 1)
{
    HuntInfo info;
    info.id = newHuntId();
    info.url = u"/metric"_s;
    info.total = nodes;
    info.done = nodes;
    info.state = state;
    info.createdAt = QDateTime::currentDateTimeUtc();
    info.finishedAt = info.createdAt;
    QStringList names;
    QList<Outcome> outcomes;
    for (int i = 0; i < nodes; ++i) {
        Outcome o;
        o.node = u"10.0.0.%1:9100"_s.arg(i + 1);
        o.outcome = i == 0 && nodes > 1 ? OutcomeKind::Timeout : OutcomeKind::Ok;
        o.body = QJsonObject{{u"v"_s, i}};
        o.fetchedAt = info.createdAt;
        names.append(o.node);
        outcomes.append(o);
    }
    if (!store.createHunt(info, names) || !store.appendResults(info.id, outcomes)
        || !store.saveManifest(info)) {
        qFatal("cannot store a hunt");
    }
    return info;
}

} // namespace

class TestHuntCatalog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void runningWhileResultsAreStillWritten();
    void unstoredFinalManifestShownAsTheEngineKeptIt();
    void listPagesNewestFirstAndFiltersByState();
    void cancelAndRemoveRules();
    void collectValues();
    void latestIsTheNewestDoneHunt();

private:
    std::unique_ptr<StackFixture> m_stack;
    HuntCatalog *m_catalog = nullptr;
    HuntEngine *m_engine = nullptr;
};

void TestHuntCatalog::init()
{
    m_stack = std::make_unique<StackFixture>();
    StackOptions options;
    options.scheduler.reset();
    QVERIFY2_OK(m_stack->open(options));
    m_catalog = m_stack->catalog();
    m_engine = m_stack->engine();
}

void TestHuntCatalog::cleanup()
{
    m_catalog = nullptr;
    m_engine = nullptr;
    m_stack.reset();
}

void TestHuntCatalog::runningWhileResultsAreStillWritten()
{
    FakeNode node;
    QVERIFY(node.start());
    QSignalSpy finished(m_catalog, &HuntCatalog::huntFinished);
    QSignalSpy progress(m_catalog, &HuntCatalog::huntProgress);
    std::optional<PoolBlocker> blocker(std::in_place);
    const Result<HuntInfo> hunt = m_engine->submit(request({node.node()}));
    QVERIFY2_OK(hunt);
    // The engine has every outcome and calls the hunt done; its writes wait for the pool.
    QVERIFY(waitUntil([&] {
        const std::optional<HuntInfo> active = m_engine->activeInfo(hunt->id);
        return active && active->state == HuntState::Done;
    }));
    const Result<HuntInfo> shown = m_catalog->find(hunt->id);
    QVERIFY2_OK(shown);
    QCOMPARE(shown->state, HuntState::Running);
    QVERIFY(!shown->finishedAt.isValid());
    QCOMPARE(shown->done, 1);
    QVERIFY(!m_catalog->isSettled(hunt->id));
    const Result<HuntListPage> listed = m_catalog->list({});
    QVERIFY2_OK(listed);
    QCOMPARE(listed->hunts.size(), 1);
    QCOMPARE(listed->hunts.first().state, HuntState::Running);
    // Ending: cancel and delete are conflicts, as they will be once it is done.
    QCOMPARE(m_catalog->cancel(hunt->id).error().code, ErrorCode::Conflict);
    const Result<void> removed = m_catalog->remove(hunt->id);
    QCOMPARE(removed.error().code, ErrorCode::Conflict);
    QVERIFY2(removed.error().message.contains(u"still being written"_s),
             qPrintable(removed.error().message));
    for (const QList<QVariant> &args : std::as_const(progress)) {
        QCOMPARE(args.first().value<HuntProgress>().state, HuntState::Running);
    }
    QCOMPARE(finished.size(), 0);

    blocker.reset(); // the writes go through
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().first().value<HuntInfo>().state, HuntState::Done);
    const Result<HuntInfo> done = m_catalog->find(hunt->id);
    QVERIFY2_OK(done);
    QCOMPARE(done->state, HuntState::Done);
    QVERIFY(done->finishedAt.isValid());
    QVERIFY(m_catalog->isSettled(hunt->id));
    QCOMPARE(m_stack->store()->readResults(hunt->id, {})->total, 1); // everything readable
}

void TestHuntCatalog::unstoredFinalManifestShownAsTheEngineKeptIt()
{
    FakeNode node;
    QVERIFY(node.start());
    QSignalSpy finished(m_catalog, &HuntCatalog::huntFinished);
    std::optional<PoolBlocker> blocker(std::in_place);
    const Result<HuntInfo> hunt = m_engine->submit(request({node.node()}));
    QVERIFY2_OK(hunt);
    QVERIFY(waitUntil([&] {
        const std::optional<HuntInfo> active = m_engine->activeInfo(hunt->id);
        return active && active->state == HuntState::Done;
    }));
    // The final manifest cannot be written: its name is taken by a directory (root ignores
    // permissions, so this stands in for a full disk without a mount).
    const QString manifest = m_stack->store()->huntDir(hunt->id) + u"/hunt.json"_s;
    QVERIFY(QFile::remove(manifest));
    QVERIFY(QDir().mkpath(manifest + u"/blocked"_s));
    blocker.reset();
    QVERIFY(finished.wait(10000));

    QVERIFY(m_engine->unstoredInfo(hunt->id));
    const Result<HuntInfo> shown = m_catalog->find(hunt->id);
    QVERIFY2_OK(shown);
    QCOMPARE(shown->toJson(), m_engine->unstoredInfo(hunt->id)->toJson()); // the engine's copy
    QCOMPARE(shown->state, HuntState::Failed);
    QVERIFY2(shown->error.contains(u"hunt.json"_s), qPrintable(shown->error));
    QVERIFY(!m_catalog->isSettled(hunt->id)); // not from the store: may still change
    QCOMPARE(m_catalog->cancel(hunt->id).error().code, ErrorCode::Conflict);
    // Deleting it forgets the engine's copy too.
    QSignalSpy removedSpy(m_catalog, &HuntCatalog::huntRemoved);
    QVERIFY(QDir(manifest).removeRecursively());
    QVERIFY2_OK(m_catalog->remove(hunt->id));
    QCOMPARE(removedSpy.size(), 1);
    QVERIFY(!m_engine->unstoredInfo(hunt->id));
    QCOMPARE(m_catalog->find(hunt->id).error().code, ErrorCode::NotFound);
}

void TestHuntCatalog::listPagesNewestFirstAndFiltersByState()
{
    ResultStore &store = *m_stack->store();
    QList<HuntInfo> hunts; // oldest first
    for (const HuntState state : {HuntState::Done, HuntState::Cancelled, HuntState::Done,
                                  HuntState::Failed, HuntState::Done}) {
        hunts.append(storedHunt(store, state));
    }
    HuntListQuery query;
    query.limit = 2;
    const Result<HuntListPage> first = m_catalog->list(query);
    QVERIFY2_OK(first);
    QCOMPARE(first->hunts.size(), 2);
    QCOMPARE(first->hunts.at(0).id, hunts.at(4).id); // newest first
    QCOMPARE(first->hunts.at(1).id, hunts.at(3).id);
    QCOMPARE(first->nextBefore, hunts.at(3).id);
    query.before = first->nextBefore;
    const Result<HuntListPage> second = m_catalog->list(query);
    QVERIFY2_OK(second);
    QCOMPARE(second->hunts.size(), 2);
    QCOMPARE(second->hunts.at(0).id, hunts.at(2).id);
    query.before = second->nextBefore;
    const Result<HuntListPage> last = m_catalog->list(query);
    QVERIFY2_OK(last);
    QCOMPARE(last->hunts.size(), 1);
    QCOMPARE(last->hunts.at(0).id, hunts.at(0).id);
    QVERIFY(last->nextBefore.isEmpty()); // no further page

    HuntListQuery done;
    done.state = HuntState::Done;
    const Result<HuntListPage> filtered = m_catalog->list(done);
    QVERIFY2_OK(filtered);
    QCOMPARE(filtered->hunts.size(), 3);
    for (const HuntInfo &info : filtered->hunts) {
        QCOMPARE(info.state, HuntState::Done);
    }
    HuntListQuery failed;
    failed.state = HuntState::Failed;
    QCOMPARE(m_catalog->list(failed)->hunts.size(), 1);

    HuntListQuery bad;
    bad.limit = 0;
    QCOMPARE(m_catalog->list(bad).error().code, ErrorCode::InvalidArgument);
    bad.limit = HuntListQuery::MaxLimit + 1;
    QCOMPARE(m_catalog->list(bad).error().code, ErrorCode::InvalidArgument);
    HuntListQuery badBefore;
    badBefore.before = u"../etc"_s;
    QCOMPARE(m_catalog->list(badBefore).error().code, ErrorCode::InvalidArgument);
}

void TestHuntCatalog::cancelAndRemoveRules()
{
    const QString unknown = u"01AAAAAAAAAAAAAAAAAAAAAAAA"_s;
    QCOMPARE(m_catalog->cancel(unknown).error().code, ErrorCode::NotFound);
    QCOMPARE(m_catalog->remove(unknown).error().code, ErrorCode::NotFound);
    QCOMPARE(m_catalog->find(unknown).error().code, ErrorCode::NotFound);
    QCOMPARE(m_catalog->cancel(u"not-an-id"_s).error().code, ErrorCode::NotFound);
    QCOMPARE(m_catalog->remove(u"../../etc"_s).error().code, ErrorCode::NotFound);

    FakeNode hang;
    QVERIFY(hang.start());
    hang.setBehaviour(FakeNode::Behaviour::Hang);
    const Result<HuntInfo> hunt = m_engine->submit(request({hang.node()}));
    QVERIFY2_OK(hunt);
    QTRY_COMPARE_WITH_TIMEOUT(hang.requestCount(), 1, 5000);
    QCOMPARE(m_catalog->find(hunt->id)->state, HuntState::Running);
    const Result<void> whileRunning = m_catalog->remove(hunt->id);
    QCOMPARE(whileRunning.error().code, ErrorCode::Conflict); // 409: cancel it first
    QVERIFY2(whileRunning.error().message.contains(u"cancel it first"_s),
             qPrintable(whileRunning.error().message));

    QSignalSpy finished(m_catalog, &HuntCatalog::huntFinished);
    QVERIFY2_OK(m_catalog->cancel(hunt->id));
    QVERIFY(finished.wait(5000));
    QCOMPARE(m_catalog->find(hunt->id)->state, HuntState::Cancelled);
    QCOMPARE(m_catalog->cancel(hunt->id).error().code, ErrorCode::Conflict); // already ended

    QSignalSpy removed(m_catalog, &HuntCatalog::huntRemoved);
    QVERIFY2_OK(m_catalog->remove(hunt->id));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.first().first().toString(), hunt->id);
    QCOMPARE(m_catalog->find(hunt->id).error().code, ErrorCode::NotFound);
    QVERIFY(!QFileInfo::exists(m_stack->store()->huntDir(hunt->id)));
    QCOMPARE(m_catalog->remove(hunt->id).error().code, ErrorCode::NotFound);
}

void TestHuntCatalog::collectValues()
{
    const HuntInfo info = storedHunt(*m_stack->store(), HuntState::Done, 3);
    const Result<QList<ValueRow>> rows = m_catalog->collectValues(info.id, u"v"_s);
    QVERIFY2_OK(rows);
    QCOMPARE(rows->size(), 3);
    int numbers = 0;
    for (const ValueRow &row : *rows) {
        if (row.outcome == OutcomeKind::Ok) {
            QVERIFY(row.number);
            ++numbers;
        } else {
            QVERIFY(row.value.isUndefined()); // a failed node has no value
            QVERIFY(!row.number);
        }
    }
    QCOMPARE(numbers, 2);
    QCOMPARE(m_catalog->collectValues(info.id, u"a..b"_s).error().code, ErrorCode::InvalidArgument);
    QCOMPARE(m_catalog->collectValues(info.id, u"x["_s).error().code, ErrorCode::InvalidArgument);
    QCOMPARE(m_catalog->collectValues(u"01AAAAAAAAAAAAAAAAAAAAAAAA"_s, u"v"_s).error().code,
             ErrorCode::NotFound);
}

// "latest" names the newest hunt that is done: never a running round (the trial read a running
// schedule round through it about half the time), nor a cancelled or failed hunt. A running
// hunt is still found by its id, and says what it covers.
void TestHuntCatalog::latestIsTheNewestDoneHunt()
{
    ResultStore *store = m_stack->store();
    QCOMPARE(m_catalog->find(u"latest"_s).error().code, ErrorCode::NotFound);
    const HuntInfo older = storedHunt(*store, HuntState::Done, 3);
    const HuntInfo done = storedHunt(*store, HuntState::Done, 2);
    storedHunt(*store, HuntState::Cancelled);
    storedHunt(*store, HuntState::Failed);
    QCOMPARE(m_catalog->find(u"latest"_s)->id, done.id);
    QVERIFY(older.id < done.id);

    FakeNode fast;
    FakeNode hang;
    QVERIFY(fast.start() && hang.start());
    hang.setBehaviour(FakeNode::Behaviour::Hang);
    const Result<HuntInfo> running = m_engine->submit(request({fast.node(), hang.node()}));
    QVERIFY2_OK(running);
    QVERIFY(waitUntil([&] { return m_catalog->find(running->id)->done == 1; }));
    QCOMPARE(m_catalog->find(u"latest"_s)->id, done.id);
    const Result<HuntInfo> shown = m_catalog->find(running->id);
    QVERIFY2_OK(shown);
    QCOMPARE(shown->coverage(),
             (QJsonObject{{u"state"_s, u"running"_s}, {u"done"_s, 1}, {u"total"_s, 2}}));
    QCOMPARE(shown->coverageNote(), u"hunt still running: 1 of 2 done"_s);
    QCOMPARE(m_catalog->find(done.id)->coverageNote(), QString());
    QVERIFY2_OK(m_catalog->cancel(running->id));
    QVERIFY(waitUntil([&] {
        const Result<HuntInfo> ended = m_catalog->find(running->id);
        return ended && ended->state == HuntState::Cancelled && m_catalog->isSettled(running->id);
    }));
    QCOMPARE(m_catalog->find(u"latest"_s)->id, done.id); // cancelled: not latest either

    HuntInfo big = done;
    big.state = HuntState::Running;
    big.done = 1990;
    big.total = 2000;
    QCOMPARE(big.coverageNote(), u"hunt still running: 1,990 of 2,000 done"_s);
    big.state = HuntState::Interrupted;
    QCOMPARE(big.coverageNote(), u"hunt interrupted: 1,990 of 2,000 done"_s);
}

QTEST_GUILESS_MAIN(TestHuntCatalog)
#include "tst_huntcatalog.moc"
