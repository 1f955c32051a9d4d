// Chaos: `artemis-headless serve` killed with SIGKILL in the middle of hunts and restarted on the
// same data dir. The hunts show `interrupted`, every stored line is intact (no torn line, nothing
// glued), the counts agree with the file, and the API pages the results.
#include <QtTest>

#include <memory>

#include "chaoschecks.h"
#include "headless/cli/filelimit.h"
#include "tests/common/serveprocess.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;
using Artemis::Test::HttpClient;

namespace {
constexpr int NodeCount = 200;
constexpr int HangingNodes = 10; // in the burst test: keep the hunt from finishing
constexpr int WaitMs = 30000;
} // namespace

class TestChaosKill : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void killedMidHuntRestartsInterrupted();
    void killedDuringWriteBurst_data();
    void killedDuringWriteBurst();

private:
    void restartAndCheck(const QStringList &ids, int expectedInterrupted);

    Test::NodePool m_nodes;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Test::ServeProcess> m_serve;
};

void TestChaosKill::initTestCase()
{
    QVERIFY2(raiseOpenFileLimit() > 2 * NodeCount + 200, "needs a higher open-file limit");
    QVERIFY(m_nodes.start(NodeCount));
}

void TestChaosKill::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_serve = std::make_unique<Test::ServeProcess>(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY2(m_serve->start({u"--data-dir"_s, m_dir->path(), u"--max-running"_s, u"1"_s}) != 0,
             m_serve->stderrText().constData());
}

void TestChaosKill::cleanup()
{
    if (QTest::currentTestFailed() && m_serve) {
        qWarning("serve stderr:\n%s", m_serve->stderrText().constData());
    }
    m_serve.reset(); // SIGKILL if still running
    m_dir.reset();
    m_nodes.reset();
}

// Restarts serve on the same data dir and checks every hunt in `ids` against its file.
void TestChaosKill::restartAndCheck(const QStringList &ids, int expectedInterrupted)
{
    QVERIFY2(m_serve->start({u"--data-dir"_s, m_dir->path()}) != 0,
             m_serve->stderrText().constData());
    QVERIFY2(m_serve->stderrText().contains(
                 u"%1 hunt(s) left running by an earlier process marked interrupted"_s
                     .arg(expectedInterrupted)
                     .toUtf8()),
             m_serve->stderrText().constData());
    HttpClient client(m_serve->base());
    for (const QString &id : ids) {
        const Test::HttpReply show = client.get(u"/api/v1/hunts/"_s + id);
        QCOMPARE(show.status, 200);
        QCOMPARE(show.json().value(u"state"_s).toString(), u"interrupted"_s);
        QVERIFY(show.json().value(u"error"_s).toString().contains(u"interrupted"_s));
        Test::verifyApiMatchesFile(client, m_dir->path(), id);
        if (QTest::currentTestFailed()) {
            return;
        }
    }
    const Test::HttpReply listed = client.get(u"/api/v1/hunts?state=interrupted"_s);
    QCOMPARE(listed.status, 200);
    QCOMPARE(listed.json().value(u"count"_s).toInt(), ids.size());

    // The restarted service works: a new hunt on the same data dir runs to the end.
    const QString fresh = Test::submitHunt(client, m_nodes.names().mid(0, 5));
    QVERIFY(!fresh.isEmpty());
    const QJsonObject done = Test::pollHunt(client, fresh, Test::isFinishedState, WaitMs);
    QCOMPARE(done.value(u"state"_s).toString(), u"done"_s);
    QCOMPARE(done.value(u"counts"_s).toObject().value(u"ok"_s).toInt(), 5);
}

void TestChaosKill::killedMidHuntRestartsInterrupted()
{
    m_nodes.setSlow(100);
    HttpClient client(m_serve->base());
    // 200 nodes, 10 at a time, 100 ms each: about 2 s of fetching and 20 appends.
    const QString running =
        Test::submitHunt(client, m_nodes.names(), {{u"concurrency"_s, 10}, {u"attempts"_s, 1}});
    QVERIFY(!running.isEmpty());
    // --max-running 1: this one waits in the queue.
    const QString queued = Test::submitHunt(client, m_nodes.names().mid(0, 5));
    QVERIFY(!queued.isEmpty());

    const QJsonObject midway = Test::pollHunt(
        client, running, [](const QJsonObject &h) { return Test::doneOf(h) >= 60; }, WaitMs);
    const int doneBefore = Test::doneOf(midway);
    QVERIFY2(doneBefore >= 60 && doneBefore < NodeCount, qPrintable(QString::number(doneBefore)));
    QCOMPARE(midway.value(u"state"_s).toString(), u"running"_s);

    m_serve->kill(); // SIGKILL: no clean-up runs

    const Test::ResultsFile file = Test::readResultsFile(m_dir->path(), running);
    QVERIFY(!file.tornTail);
    // What the API showed was stored: at most the nodes in flight (10) and one progress interval
    // are missing from what the file holds.
    QVERIFY2(file.lines >= doneBefore - 10,
             qPrintable(u"%1 lines, %2 done"_s.arg(file.lines).arg(doneBefore)));
    QVERIFY(file.lines < NodeCount);
    restartAndCheck({running, queued}, 2);
    QCOMPARE(Test::readResultsFile(m_dir->path(), queued).lines, 0);
}

void TestChaosKill::killedDuringWriteBurst_data()
{
    QTest::addColumn<int>("killAfter");
    QTest::newRow("first results") << 1;
    QTest::newRow("a third") << (NodeCount - HangingNodes) / 3;
    QTest::newRow("two thirds") << 2 * (NodeCount - HangingNodes) / 3;
}

void TestChaosKill::killedDuringWriteBurst()
{
    QFETCH(int, killAfter);
    // 3 KB answers, all at once: appends of many pages each, so a kill lands mid-burst.
    const QByteArray body = Test::paddedJson(3000);
    for (int i = 0; i < NodeCount; ++i) {
        m_nodes.at(i).setJsonBody(body);
        m_nodes.at(i).setBehaviour(i < NodeCount - HangingNodes ? FakeNode::Behaviour::Json
                                                                : FakeNode::Behaviour::Hang);
    }
    HttpClient client(m_serve->base());
    const QString id = Test::submitHunt(
        client, m_nodes.names(),
        {{u"concurrency"_s, NodeCount}, {u"attempts"_s, 1}, {u"timeoutMs"_s, 60000}});
    QVERIFY(!id.isEmpty());
    const QJsonObject seen = Test::pollHunt(
        client, id, [killAfter](const QJsonObject &h) { return Test::doneOf(h) >= killAfter; },
        WaitMs);
    QVERIFY(Test::doneOf(seen) >= killAfter);
    m_serve->kill();

    // The API counts outcomes as they arrive; they reach the file in batches written (and
    // fdatasynced) off the event loop, so a kill right after the first may find none stored yet.
    // What must hold: every whole line is valid, none is for a node that never answered, and the
    // restarted service reports exactly what the file holds (a torn tail is cut at start).
    const Test::ResultsFile file = Test::readResultsFile(m_dir->path(), id);
    QCOMPARE(file.invalid, 0);
    QVERIFY(file.lines <= NodeCount - HangingNodes);
    restartAndCheck({id}, 1);
}

QTEST_GUILESS_MAIN(TestChaosKill)
#include "tst_chaoskill.moc"
