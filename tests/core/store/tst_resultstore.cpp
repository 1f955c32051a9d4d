#include <atomic>

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QMutex>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "core/base/huntid.h"
#include "core/fetch/outcome.h"
#include "core/hunt/huntinfo.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

HuntInfo makeInfo(HuntState state = HuntState::Running, const QString &id = newHuntId())
{
    HuntInfo info;
    info.id = id;
    info.state = state;
    info.url = u"/metrics"_s;
    info.total = 3;
    info.createdAt = QDateTime::fromMSecsSinceEpoch(1700000000123, Qt::UTC);
    info.origin = u"test"_s;
    return info;
}

// Kinds cycle through ok, timeout, http_error so filters have something to find.
OutcomeKind kindFor(int i)
{
    static constexpr OutcomeKind Kinds[] = {OutcomeKind::Ok, OutcomeKind::Timeout,
                                            OutcomeKind::HttpError};
    return Kinds[i % 3];
}

Outcome makeOutcome(int i, std::optional<OutcomeKind> kind = {})
{
    Outcome o;
    o.node = u"10.0.%1.%2:9100"_s.arg(i / 256).arg(i % 256);
    o.url = u"http://"_s + o.node + u"/metrics"_s;
    o.outcome = kind.value_or(kindFor(i));
    o.httpStatus = o.outcome == OutcomeKind::Ok ? 200 : 0;
    o.attempts = 1;
    o.latencyMs = i;
    o.bytes = 42;
    o.fetchedAt = QDateTime::fromMSecsSinceEpoch(1700000000000 + i, Qt::UTC);
    o.body = QJsonObject{{u"i"_s, i}};
    return o;
}

QList<Outcome> makeOutcomes(int from, int count)
{
    QList<Outcome> list;
    for (int i = from; i < from + count; ++i) {
        list.append(makeOutcome(i));
    }
    return list;
}

void appendRaw(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Append));
    QCOMPARE(file.write(bytes), bytes.size());
}

QStringList nodesOf(const QList<Outcome> &outcomes)
{
    QStringList nodes;
    for (const Outcome &o : outcomes) {
        nodes.append(o.node);
    }
    return nodes;
}

QStringList treeOf(const QString &dir)
{
    QStringList entries;
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        entries.append(it.next());
    }
    entries.sort();
    return entries;
}

} // namespace

class TestResultStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void manifestRoundtrip();
    void pagedReads_data();
    void pagedReads();
    void largeFile();
    void tornFinalLine();
    void corruptLineInMiddle_data();
    void corruptLineInMiddle();
    void openMarksInterrupted();
    void openSkipsUnreadableManifests();
    void listHunts();
    void invalidIds_data();
    void invalidIds();
    void missingHunt();
    void findResult();
    void removeHunt();
    void forEachResult();
    void concurrentReadersWhileAppending();
    void ioErrors();
    void storageProbe();

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<ResultStore> m_store;
    QString dataDir() const { return m_tmp->path() + u"/data"_s; }
    QString createHunt(HuntState state = HuntState::Running);
};

void TestResultStore::init()
{
    // Every warning the store gives must be expected by the test.
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    m_store = std::make_unique<ResultStore>(dataDir());
    const Result<QStringList> opened = m_store->open();
    QVERIFY(opened);
    QVERIFY(opened->isEmpty());
}

QString TestResultStore::createHunt(HuntState state)
{
    const HuntInfo info = makeInfo(state);
    const Result<void> created = m_store->createHunt(info, {u"a:1"_s, u"b:2"_s, u"c:3"_s});
    if (!created) {
        qFatal("createHunt failed: %s", qPrintable(created.error().message));
    }
    return info.id;
}

void TestResultStore::manifestRoundtrip()
{
    HuntInfo info = makeInfo(HuntState::Queued);
    info.options.timeoutMs = 1234;
    info.duplicates = {u"a:1"_s};
    info.counts.add(OutcomeKind::Timeout, 2);
    info.done = 2;
    info.startedAt = QDateTime::fromMSecsSinceEpoch(1700000001000, Qt::UTC);
    const QStringList nodes = {u"a:1"_s, u"[::1]:9100"_s, u"host.example:80"_s};
    QVERIFY(m_store->createHunt(info, nodes));

    const Result<HuntInfo> loaded = m_store->loadManifest(info.id);
    QVERIFY(loaded);
    QCOMPARE(loaded->id, info.id);
    QCOMPARE(loaded->state, HuntState::Queued);
    QCOMPARE(loaded->url, info.url);
    QCOMPARE(loaded->options.timeoutMs, 1234);
    QCOMPARE(loaded->total, 3);
    QCOMPARE(loaded->done, 2);
    QCOMPARE(loaded->counts, info.counts);
    QCOMPARE(loaded->duplicates, info.duplicates);
    QCOMPARE(loaded->createdAt, info.createdAt);
    QCOMPARE(loaded->startedAt, info.startedAt);
    QVERIFY(!loaded->finishedAt.isValid());
    QCOMPARE(loaded->origin, u"test"_s);

    const Result<QStringList> loadedNodes = m_store->loadNodes(info.id);
    QVERIFY(loadedNodes);
    QCOMPARE(*loadedNodes, nodes);

    const Result<void> again = m_store->createHunt(info, nodes);
    QVERIFY(!again);
    QCOMPARE(again.error().code, ErrorCode::Conflict);

    info.state = HuntState::Done;
    info.error = u"boom"_s;
    QVERIFY(m_store->saveManifest(info));
    QCOMPARE(m_store->loadManifest(info.id)->state, HuntState::Done);
    QCOMPARE(m_store->loadManifest(info.id)->error, u"boom"_s);

    // Nodes with line breaks would break nodes.txt.
    const Result<void> bad = m_store->createHunt(makeInfo(), {u"a\nb"_s});
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, ErrorCode::InvalidNode);
}

void TestResultStore::pagedReads_data()
{
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QString>("filter"); // empty: all
    QTest::addColumn<QList<int>>("expected");
    QTest::addColumn<int>("total");

    // 50 outcomes: i % 3 == 0 ok, 1 timeout, 2 http_error.
    QTest::newRow("first page") << 0 << 5 << QString() << QList<int>{0, 1, 2, 3, 4} << 50;
    QTest::newRow("middle") << 20 << 3 << QString() << QList<int>{20, 21, 22} << 50;
    QTest::newRow("last partial") << 48 << 10 << QString() << QList<int>{48, 49} << 50;
    QTest::newRow("past the end") << 50 << 10 << QString() << QList<int>{} << 50;
    QTest::newRow("limit 0") << 0 << 0 << QString() << QList<int>{} << 50;
    QTest::newRow("ok") << 0 << 4 << u"ok"_s << QList<int>{0, 3, 6, 9} << 17;
    QTest::newRow("timeout offset") << 2 << 3 << u"timeout"_s << QList<int>{7, 10, 13} << 17;
    QTest::newRow("http_error tail") << 14 << 10 << u"http_error"_s << QList<int>{44, 47} << 16;
    QTest::newRow("none of a kind") << 0 << 10 << u"dns"_s << QList<int>{} << 0;
}

void TestResultStore::pagedReads()
{
    QFETCH(int, offset);
    QFETCH(int, limit);
    QFETCH(QString, filter);
    QFETCH(QList<int>, expected);
    QFETCH(int, total);

    const QString id = createHunt();
    // Batches of 7: paging must not care how lines were appended.
    for (int i = 0; i < 50; i += 7) {
        QVERIFY(m_store->appendResults(id, makeOutcomes(i, std::min(7, 50 - i))));
    }
    ResultQuery query;
    query.offset = offset;
    query.limit = limit;
    if (!filter.isEmpty()) {
        query.outcome = outcomeFromName(filter);
        QVERIFY(query.outcome);
    }
    const Result<ResultPage> page = m_store->readResults(id, query);
    QVERIFY(page);
    QCOMPARE(page->total, total);
    QCOMPARE(page->offset, offset);
    QCOMPARE(page->skippedLines, 0);
    QStringList expectedNodes;
    for (const int i : expected) {
        expectedNodes.append(makeOutcome(i).node);
    }
    QCOMPARE(nodesOf(page->outcomes), expectedNodes);
    for (qsizetype k = 0; k < page->outcomes.size(); ++k) {
        const Outcome want = makeOutcome(expected[k]);
        const Outcome &got = page->outcomes[k];
        QCOMPARE(got.outcome, want.outcome);
        QCOMPARE(got.latencyMs, want.latencyMs);
        QCOMPARE(got.fetchedAt, want.fetchedAt);
        QCOMPARE(got.body, want.body);
        QCOMPARE(got.url, want.url);
    }

    ResultQuery negative;
    negative.offset = -1;
    const Result<ResultPage> bad = m_store->readResults(id, negative);
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, ErrorCode::InvalidArgument);
}

void TestResultStore::largeFile()
{
    constexpr int Lines = 100000;
    constexpr int Batch = 1000;
    const QString id = createHunt();

    QElapsedTimer timer;
    timer.start();
    // Written directly, in the layout appendResults produces (other tests cover appendResults;
    // serializing 100k outcomes through QJsonDocument would dominate the run under ASan).
    {
        QFile file(m_store->huntDir(id) + u"/results.ndjson"_s);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray batch;
        for (int i = 0; i < Lines; ++i) {
            const Outcome o = makeOutcome(i);
            batch += R"({"attempts":1,"body":{"i":)" + QByteArray::number(i)
                     + R"(},"bytes":42,"error":"","fetchedAt":"2023-11-14T22:13:20.000Z",)"
                     + R"("httpStatus":0,"latencyMs":)" + QByteArray::number(i) + R"(,"node":")"
                     + o.node.toUtf8() + R"(","outcome":")" + outcomeName(o.outcome).toUtf8()
                     + R"(","url":")" + o.url.toUtf8() + "\"}\n";
            if ((i + 1) % Batch == 0) {
                QCOMPARE(file.write(batch), batch.size());
                batch.clear();
            }
        }
    }
    const qint64 appendMs = timer.restart();
    // A fresh store: nothing cached, so the first read builds the index.
    ResultStore store(dataDir());
    ResultQuery query;
    query.offset = 0;
    query.limit = 100;
    const Result<ResultPage> first = store.readResults(id, query);
    const qint64 buildMs = timer.restart();
    QVERIFY(first);
    QCOMPARE(first->total, Lines);
    QCOMPARE(first->outcomes.size(), 100);
    QCOMPARE(first->outcomes.first().node, makeOutcome(0).node);

    query.offset = 77700;
    const Result<ResultPage> middle = store.readResults(id, query);
    const qint64 pageMs = timer.restart();
    QVERIFY(middle);
    QCOMPARE(middle->outcomes.size(), 100);
    QCOMPARE(middle->outcomes.first().node, makeOutcome(77700).node);
    QCOMPARE(middle->outcomes.last().node, makeOutcome(77799).node);

    query.offset = 33000;
    query.outcome = OutcomeKind::HttpError; // i % 3 == 2: the 33000th is i = 99002
    const Result<ResultPage> filtered = store.readResults(id, query);
    const qint64 filteredMs = timer.restart();
    QVERIFY(filtered);
    QCOMPARE(filtered->total, Lines / 3);
    QCOMPARE(filtered->outcomes.size(), 100);
    QCOMPARE(filtered->outcomes.first().node, makeOutcome(99002).node);
    QCOMPARE(filtered->outcomes.last().node, makeOutcome(99299).node);

    const Result<Outcome> found = store.findResult(id, makeOutcome(54321).node);
    const qint64 findMs = timer.restart();
    QVERIFY(found);
    QCOMPARE(found->latencyMs, 54321);

    // Growth is picked up incrementally.
    QVERIFY(m_store->appendResults(id, makeOutcomes(Lines, 10)));
    query = {};
    query.offset = Lines;
    const Result<ResultPage> tail = store.readResults(id, query);
    const qint64 tailMs = timer.restart();
    QVERIFY(tail);
    QCOMPARE(tail->total, Lines + 10);
    QCOMPARE(nodesOf(tail->outcomes), nodesOf(makeOutcomes(Lines, 10)));

    qInfo("100k lines (%lld bytes): write %lld ms, index build + first page %lld ms, page %lld "
          "ms, filtered page %lld ms, findResult %lld ms, tail after growth %lld ms",
          QFileInfo(m_store->huntDir(id) + u"/results.ndjson"_s).size(), appendMs, buildMs, pageMs,
          filteredMs, findMs, tailMs);
}

void TestResultStore::tornFinalLine()
{
    const QString id = createHunt();
    const QString path = m_store->huntDir(id) + u"/results.ndjson"_s;
    QVERIFY(m_store->appendResults(id, makeOutcomes(0, 3)));
    appendRaw(path, R"({"node":"10.9.9.9:1","outco)");

    // The process that wrote it died; a new one reads. (The writing store itself takes an
    // unterminated tail for an append in flight and does not report it.)
    QCOMPARE(m_store->readResults(id, {})->skippedLines, 0);
    m_store = std::make_unique<ResultStore>(dataDir());
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"hunt %1: line 4 .*incomplete"_s.arg(id)));
    Result<ResultPage> page = m_store->readResults(id, {});
    QVERIFY(page);
    QCOMPARE(page->total, 3);
    QCOMPARE(page->skippedLines, 1);
    QCOMPARE(nodesOf(page->outcomes), nodesOf(makeOutcomes(0, 3)));
    // Warned once only: a second read says nothing (failOnWarning would catch it).
    page = m_store->readResults(id, {});
    QVERIFY(page);
    QCOMPARE(page->skippedLines, 1);

    int seen = 0;
    const Result<int> skipped = m_store->forEachResult(id, [&](const Outcome &) {
        ++seen;
        return true;
    });
    QVERIFY(skipped);
    QCOMPARE(*skipped, 1);
    QCOMPARE(seen, 3);

    // The next append isolates the torn line: it becomes one corrupt complete line.
    QVERIFY(m_store->appendResults(id, makeOutcomes(3, 2)));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"hunt %1: skipping corrupt line 4 "_s.arg(id)));
    page = m_store->readResults(id, {});
    QVERIFY(page);
    QCOMPARE(page->total, 5);
    QCOMPARE(page->skippedLines, 1);
    QCOMPARE(nodesOf(page->outcomes), nodesOf(makeOutcomes(0, 5)));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 7); // 6 lines and the empty string after the last '\n'
    QCOMPARE(lines[3], QByteArray(R"({"node":"10.9.9.9:1","outco)"));
    QVERIFY(lines[6].isEmpty());
}

void TestResultStore::corruptLineInMiddle_data()
{
    QTest::addColumn<QByteArray>("garbage");
    QTest::newRow("not json") << QByteArray("this is not json");
    QTest::newRow("array") << QByteArray("[1,2,3]");
    QTest::newRow("no node") << QByteArray(R"({"outcome":"ok"})");
    QTest::newRow("unknown outcome") << QByteArray(R"({"node":"a:1","outcome":"bogus"})");
    QTest::newRow("binary") << QByteArray("\x00\xff\xfe{", 4);
}

void TestResultStore::corruptLineInMiddle()
{
    QFETCH(QByteArray, garbage);
    const QString id = createHunt();
    const QString path = m_store->huntDir(id) + u"/results.ndjson"_s;
    QVERIFY(m_store->appendResults(id, makeOutcomes(0, 3)));
    appendRaw(path, garbage + '\n');
    appendRaw(path, "\n"); // blank lines are ignored, not counted
    QVERIFY(m_store->appendResults(id, makeOutcomes(3, 3)));

    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"hunt %1: skipping corrupt line 4 "_s.arg(id)));
    ResultQuery query;
    query.outcome = OutcomeKind::Ok;
    Result<ResultPage> page = m_store->readResults(id, query);
    QVERIFY(page);
    QCOMPARE(page->total, 2);
    QCOMPARE(page->skippedLines, 1);
    QCOMPARE(nodesOf(page->outcomes), (QStringList{makeOutcome(0).node, makeOutcome(3).node}));

    query = {};
    query.offset = 2;
    query.limit = 2;
    page = m_store->readResults(id, query);
    QVERIFY(page);
    QCOMPARE(page->total, 6);
    QCOMPARE(nodesOf(page->outcomes), (QStringList{makeOutcome(2).node, makeOutcome(3).node}));

    const Result<int> skipped = m_store->forEachResult(id, [](const Outcome &) { return true; });
    QVERIFY(skipped);
    QCOMPARE(*skipped, 1);
}

void TestResultStore::openMarksInterrupted()
{
    const QString running = createHunt(HuntState::Running);
    const QString queued = createHunt(HuntState::Queued);
    const QString done = createHunt(HuntState::Done);
    const QString cancelled = createHunt(HuntState::Cancelled);
    QVERIFY(m_store->appendResults(running, makeOutcomes(0, 7))); // 3 ok, 2 timeout, 2 http
    QVERIFY(m_store->appendResults(done, makeOutcomes(0, 2)));
    // Crash mid-write in the running hunt.
    appendRaw(m_store->huntDir(running) + u"/results.ndjson"_s, R"({"node":"x)");
    const QByteArray doneManifest = [&] {
        QFile f(m_store->huntDir(done) + u"/hunt.json"_s);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();

    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
    ResultStore restarted(dataDir());
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"hunt %1: line 8 .*incomplete"_s.arg(running)));
    const Result<QStringList> interrupted = restarted.open();
    QVERIFY(interrupted);
    QCOMPARE(*interrupted, (QStringList{running, queued}));

    const Result<HuntInfo> info = restarted.loadManifest(running);
    QVERIFY(info);
    QCOMPARE(info->state, HuntState::Interrupted);
    QCOMPARE(info->done, 7);
    QCOMPARE(info->counts.count(OutcomeKind::Ok), 3);
    QCOMPARE(info->counts.count(OutcomeKind::Timeout), 2);
    QCOMPARE(info->counts.count(OutcomeKind::HttpError), 2);
    QCOMPARE(info->counts.total(), 7);
    QVERIFY(info->finishedAt >= before);
    QCOMPARE(info->error, u"interrupted: the process stopped before the hunt finished"_s);

    const Result<HuntInfo> queuedInfo = restarted.loadManifest(queued);
    QVERIFY(queuedInfo);
    QCOMPARE(queuedInfo->state, HuntState::Interrupted);
    QCOMPARE(queuedInfo->done, 0);

    // Finished hunts are not touched.
    QFile f(m_store->huntDir(done) + u"/hunt.json"_s);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), doneManifest);
    QCOMPARE(restarted.loadManifest(cancelled)->state, HuntState::Cancelled);

    // Results intact, torn tail left alone.
    const Result<ResultPage> page = restarted.readResults(running, {});
    QVERIFY(page);
    QCOMPARE(nodesOf(page->outcomes), nodesOf(makeOutcomes(0, 7)));
    QCOMPARE(page->skippedLines, 1);

    // A second open finds nothing left to interrupt.
    const Result<QStringList> again = restarted.open();
    QVERIFY(again);
    QVERIFY(again->isEmpty());
}

void TestResultStore::openSkipsUnreadableManifests()
{
    const QString good = createHunt(HuntState::Running);
    const QString broken = createHunt(HuntState::Running);
    QFile manifest(m_store->huntDir(broken) + u"/hunt.json"_s);
    QVERIFY(manifest.open(QIODevice::WriteOnly | QIODevice::Truncate));
    manifest.write("{ not json");
    manifest.close();
    QDir(dataDir()).mkpath(u"hunts/not-a-hunt"_s);

    ResultStore restarted(dataDir());
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"skipping hunt %1: .*corrupt"_s.arg(broken)));
    const Result<QStringList> interrupted = restarted.open();
    QVERIFY(interrupted);
    QCOMPARE(*interrupted, QStringList{good});
}

void TestResultStore::listHunts()
{
    const QString a = createHunt(HuntState::Done);
    const QString b = createHunt(HuntState::Running);
    const QString c = createHunt(HuntState::Done);
    const QString d = createHunt(HuntState::Failed);
    const QString e = createHunt(HuntState::Done);
    QVERIFY(a < b && b < c && c < d && d < e);
    // A directory without a manifest (a creation in progress) is silently left out.
    QDir(dataDir()).mkpath(u"hunts/"_s + newHuntId());

    const auto ids = [](const Result<QList<HuntInfo>> &hunts) {
        QStringList list;
        for (const HuntInfo &h : *hunts) {
            list.append(h.id);
        }
        return list;
    };
    QCOMPARE(ids(m_store->listHunts()), (QStringList{e, d, c, b, a}));
    QCOMPARE(ids(m_store->listHunts(2)), (QStringList{e, d}));
    QCOMPARE(ids(m_store->listHunts(2, d)), (QStringList{c, b}));
    QCOMPARE(ids(m_store->listHunts(100, a)), QStringList{});
    QCOMPARE(ids(m_store->listHunts(100, {}, HuntState::Done)), (QStringList{e, c, a}));
    QCOMPARE(ids(m_store->listHunts(1, e, HuntState::Done)), (QStringList{c}));
    QCOMPARE(ids(m_store->listHunts(100, {}, HuntState::Interrupted)), QStringList{});
    QCOMPARE(ids(m_store->listHunts(0)), QStringList{});

    // ~1000 hunts: reading every small manifest stays cheap.
    for (int i = 0; i < 1000; ++i) {
        createHunt(i % 2 ? HuntState::Done : HuntState::Failed);
    }
    QElapsedTimer timer;
    timer.start();
    const Result<QList<HuntInfo>> failed = m_store->listHunts(2000, {}, HuntState::Failed);
    QVERIFY(failed);
    QCOMPARE(failed->size(), 501);
    qInfo("listHunts over 1005 hunts with a state filter: %lld ms", timer.elapsed());
}

void TestResultStore::invalidIds_data()
{
    QTest::addColumn<QString>("id");
    QTest::newRow("traversal") << u"../etc"_s;
    QTest::newRow("dotdot") << u".."_s;
    QTest::newRow("empty") << QString();
    QTest::newRow("slash inside") << u"01HZZZZZZZZZZZZ/ZZZZZZZZZZ"_s;
    QTest::newRow("absolute") << u"/etc/passwd"_s;
    QTest::newRow("lower case") << newHuntId().toLower();
    QTest::newRow("too long") << newHuntId() + u"0"_s;
    QTest::newRow("letter U") << u"01HZZZZZZZZZZZZZZZZZZZZZZU"_s;
}

void TestResultStore::invalidIds()
{
    QFETCH(QString, id);
    QVERIFY(!isValidHuntId(id));
    const QStringList tree = treeOf(m_tmp->path());

    const auto isNotFound = [](const Error &error) {
        return error.code == ErrorCode::NotFound && error.message.startsWith(u"no hunt '"_s);
    };
    QVERIFY(isNotFound(m_store->createHunt(makeInfo(HuntState::Queued, id), {u"a:1"_s}).error()));
    QVERIFY(isNotFound(m_store->saveManifest(makeInfo(HuntState::Queued, id)).error()));
    QVERIFY(isNotFound(m_store->loadManifest(id).error()));
    QVERIFY(isNotFound(m_store->loadNodes(id).error()));
    QVERIFY(isNotFound(m_store->appendResults(id, makeOutcomes(0, 1)).error()));
    QVERIFY(isNotFound(m_store->readResults(id, {}).error()));
    QVERIFY(isNotFound(m_store->findResult(id, u"a:1"_s).error()));
    QVERIFY(isNotFound(m_store->forEachResult(id, [](const Outcome &) { return true; }).error()));
    QVERIFY(isNotFound(m_store->removeHunt(id).error()));
    QVERIFY(m_store->huntDir(id).isEmpty());

    QCOMPARE(treeOf(m_tmp->path()), tree);
}

void TestResultStore::missingHunt()
{
    const QString id = newHuntId(); // valid, but never created
    QCOMPARE(m_store->loadManifest(id).error().code, ErrorCode::NotFound);
    QCOMPARE(m_store->loadNodes(id).error().code, ErrorCode::NotFound);
    QCOMPARE(m_store->saveManifest(makeInfo(HuntState::Done, id)).error().code,
             ErrorCode::NotFound);
    QCOMPARE(m_store->appendResults(id, makeOutcomes(0, 1)).error().code, ErrorCode::NotFound);
    QCOMPARE(m_store->readResults(id, {}).error().code, ErrorCode::NotFound);
    QCOMPARE(m_store->removeHunt(id).error().code, ErrorCode::NotFound);
    QVERIFY(!QFileInfo::exists(dataDir() + u"/hunts/"_s + id));

    // A hunt without results yet reads as empty.
    const QString empty = createHunt();
    const Result<ResultPage> page = m_store->readResults(empty, {});
    QVERIFY(page);
    QCOMPARE(page->total, 0);
    QVERIFY(page->outcomes.isEmpty());
}

void TestResultStore::findResult()
{
    const QString id = createHunt();
    QVERIFY(m_store->appendResults(id, makeOutcomes(0, 20)));
    Outcome retried = makeOutcome(5, OutcomeKind::Ok);
    retried.latencyMs = 999;
    QVERIFY(m_store->appendResults(id, {retried}));
    QVERIFY(m_store->appendResults(id, makeOutcomes(20, 5)));

    const Result<Outcome> found = m_store->findResult(id, makeOutcome(7).node);
    QVERIFY(found);
    QCOMPARE(found->latencyMs, 7);
    QCOMPARE(found->outcome, OutcomeKind::Timeout);

    const Result<Outcome> last = m_store->findResult(id, makeOutcome(5).node);
    QVERIFY(last);
    QCOMPARE(last->latencyMs, 999); // the last stored line for the node wins
    QCOMPARE(last->outcome, OutcomeKind::Ok);

    const Result<Outcome> missing = m_store->findResult(id, u"nowhere:1"_s);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
}

void TestResultStore::removeHunt()
{
    const QString id = createHunt();
    const QString keep = createHunt();
    QVERIFY(m_store->appendResults(id, makeOutcomes(0, 5)));
    QCOMPARE(m_store->readResults(id, {})->total, 5); // caches an index

    QVERIFY(m_store->removeHunt(id));
    QVERIFY(!QFileInfo::exists(m_store->huntDir(id)));
    QCOMPARE(m_store->loadManifest(id).error().code, ErrorCode::NotFound);
    QCOMPARE(m_store->readResults(id, {}).error().code, ErrorCode::NotFound);
    QCOMPARE(m_store->removeHunt(id).error().code, ErrorCode::NotFound);
    QVERIFY(m_store->loadManifest(keep));

    // The cached index was dropped: a hunt made again under the id starts empty.
    QVERIFY(m_store->createHunt(makeInfo(HuntState::Running, id), {u"a:1"_s}));
    QVERIFY(m_store->appendResults(id, makeOutcomes(100, 2)));
    const Result<ResultPage> page = m_store->readResults(id, {});
    QVERIFY(page);
    QCOMPARE(nodesOf(page->outcomes), nodesOf(makeOutcomes(100, 2)));
}

void TestResultStore::forEachResult()
{
    const QString id = createHunt();
    for (int i = 0; i < 3000; i += 500) {
        QVERIFY(m_store->appendResults(id, makeOutcomes(i, 500)));
    }
    QStringList seen;
    Result<int> skipped = m_store->forEachResult(id, [&](const Outcome &o) {
        seen.append(o.node);
        return true;
    });
    QVERIFY(skipped);
    QCOMPARE(*skipped, 0);
    QCOMPARE(seen, nodesOf(makeOutcomes(0, 3000)));

    // The sink can stop the stream.
    seen.clear();
    skipped = m_store->forEachResult(id, [&](const Outcome &o) {
        seen.append(o.node);
        return seen.size() < 10;
    });
    QVERIFY(skipped);
    QCOMPARE(seen, nodesOf(makeOutcomes(0, 10)));
}

void TestResultStore::concurrentReadersWhileAppending()
{
    // Readers on other threads only ever see complete lines while one writer appends.
    const QString id = createHunt();
    std::atomic_bool stop = false;
    std::atomic_int reads = 0;
    QMutex failuresMutex;
    QStringList failures;
    QList<QThread *> readers;
    for (int t = 0; t < 2; ++t) {
        readers.append(QThread::create([&] {
            int lastTotal = 0;
            while (!stop) {
                ResultQuery query;
                query.offset = std::max(0, lastTotal - 50);
                const Result<ResultPage> page = m_store->readResults(id, query);
                QString failure;
                if (!page) {
                    failure = page.error().message;
                } else if (page->total < lastTotal
                           || page->outcomes.size() != std::min(100, page->total - query.offset)
                           || page->skippedLines != 0) {
                    failure = u"offset %1: total %2 (before: %3), %4 outcomes, %5 skipped"_s
                                  .arg(query.offset)
                                  .arg(page->total)
                                  .arg(lastTotal)
                                  .arg(page->outcomes.size())
                                  .arg(page->skippedLines);
                }
                if (!failure.isEmpty()) {
                    const QMutexLocker lock(&failuresMutex);
                    failures.append(failure);
                }
                lastTotal = page ? page->total : lastTotal;
                ++reads;
            }
        }));
        readers.last()->start();
    }
    for (int i = 0; i < 5000; i += 50) {
        QVERIFY(m_store->appendResults(id, makeOutcomes(i, 50)));
    }
    stop = true;
    for (QThread *thread : std::as_const(readers)) {
        QVERIFY(thread->wait(10000));
        delete thread;
    }
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
    QVERIFY(reads > 0);
    QCOMPARE(m_store->readResults(id, {})->total, 5000);
}

void TestResultStore::ioErrors()
{
    // Disk full: results.ndjson is /dev/full, where every write fails with ENOSPC.
    const QString id = createHunt();
    const QString path = m_store->huntDir(id) + u"/results.ndjson"_s;
    if (!QFile::link(u"/dev/full"_s, path)) {
        QSKIP("cannot link /dev/full");
    }
    // QFile::open(Append) seeks to the end, which a character device refuses (harmlessly).
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"Cannot call seek on a sequential"_s));
    const Result<void> appended = m_store->appendResults(id, makeOutcomes(0, 3));
    QVERIFY(!appended);
    QCOMPARE(appended.error().code, ErrorCode::Io);
    QVERIFY2(appended.error().message.contains(path), qPrintable(appended.error().message));
    QVERIFY2(appended.error().message.contains(u"space"_s, Qt::CaseInsensitive),
             qPrintable(appended.error().message));

    // A manifest that cannot be replaced (its name is taken by a directory).
    const QString other = createHunt();
    const QString manifest = m_store->huntDir(other) + u"/hunt.json"_s;
    QVERIFY(QFile::remove(manifest));
    QVERIFY(QDir().mkdir(manifest));
    const Result<void> saved = m_store->saveManifest(makeInfo(HuntState::Done, other));
    QVERIFY(!saved);
    QCOMPARE(saved.error().code, ErrorCode::Io);
    QVERIFY2(saved.error().message.contains(manifest), qPrintable(saved.error().message));
}

void TestResultStore::storageProbe()
{
    const StorageHealth health = m_store->checkStorage();
    QVERIFY2(health.writable, qPrintable(health.error));
    QVERIFY(health.error.isEmpty());
    QVERIFY(health.freeBytes > 0);
    QVERIFY(health.totalBytes >= health.freeBytes);
    // The probe leaves nothing behind.
    QCOMPARE(QDir(dataDir()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{u"hunts"_s});

    // A probe left by a process killed mid-probe goes at the next open; other files stay.
    appendRaw(dataDir() + u"/.probe-4242-7"_s, "x");
    appendRaw(dataDir() + u"/notes.txt"_s, "mine");
    ResultStore reopened(dataDir());
    QVERIFY(reopened.open());
    QCOMPARE(QDir(dataDir()).entryList(QDir::Files | QDir::Hidden), QStringList{u"notes.txt"_s});

    // A data dir that cannot take files: not writable, saying why.
    const QString file = m_tmp->path() + u"/plain-file"_s;
    appendRaw(file, "x");
    const StorageHealth bad = ResultStore(file).checkStorage();
    QVERIFY(!bad.writable);
    QVERIFY2(bad.error.contains(u"Not a directory"_s), qPrintable(bad.error));
}

QTEST_GUILESS_MAIN(TestResultStore)
#include "tst_resultstore.moc"
