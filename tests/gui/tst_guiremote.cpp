// Remote mode: an unreachable server and a refused token are shown clearly (never a frozen
// window); against a real `artemis-headless serve` started here, a hunt runs, its table fills,
// its JSON is browsed and a path compared — all through the REST API.
#include <QtTest>

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSettings>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>

#include "core/base/errorstatus.h"
#include "core/engine/huntengine.h"
#include "core/fleet/valuedistribution.h"
#include "core/store/resultstore.h"
#include "gui/barchart.h"
#include "gui/comparemodel.h"
#include "gui/compareview.h"
#include "gui/groupsmodel.h"
#include "gui/historyview.h"
#include "gui/huntform.h"
#include "gui/huntresultsmodel.h"
#include "gui/jsonview.h"
#include "gui/localbackend.h"
#include "gui/mainwindow.h"
#include "gui/pagedresultsmodel.h"
#include "gui/progresspanel.h"
#include "gui/remotebackend.h"
#include "gui/resultsbrowser.h"
#include "tests/common/fakenode.h"
#include "tests/common/loopback.h"
#include "tests/common/serveprocess.h"
#include "tests/common/stackfixture.h"
#include "tests/common/storedhunt.h"
#include "tests/gui/windowfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Gui;
using Artemis::Test::FakeNode;
using Artemis::Test::ServeProcess;
using Artemis::Test::StackFixture;
using Artemis::Test::StackOptions;

using Artemis::Test::closedPortUrl;

namespace {
const QString Token = u"s3cret-token"_s;

constexpr int SeededNodes = 2000;
constexpr int SeededHosts = 250;  // distinct values of "host": more than one page of groups
constexpr int SeededSpread = 221; // distinct disk.root.used_pct values of the healthy nodes
constexpr int SeededTimeouts = 46;

// A stored hunt as the trial's: 2,000 nodes, 46 timeouts, "host" with 250 distinct strings
// (node i has h-(i % 250), so h-249 is among the rarest) and disk.root.used_pct spread over 221
// values, with node 7 at 99.5 % (the outlier). Written to the store the served process opens.
QString seedHunt(const QString &dataDir)
{
    ResultStore store(dataDir);
    if (!store.open()) {
        return {};
    }
    QList<Outcome> outcomes;
    for (int i = 0; i < SeededNodes; ++i) {
        const QString node = u"10.9.%1.%2:9100"_s.arg(i / 250).arg(i % 250);
        if (i >= SeededNodes - SeededTimeouts) {
            outcomes.append(Outcome::unanswered(node, u"http://"_s + node + u"/metric"_s,
                                                OutcomeKind::Timeout, u"slow"_s, 1));
            continue;
        }
        const double pct = i == 7 ? 99.5 : 40 + (i % SeededSpread) * 0.05;
        outcomes.append(Artemis::Test::okAnswer(
            node, QJsonObject{
                      {u"host"_s, u"h-%1"_s.arg(i % SeededHosts)},
                      {u"disk"_s, QJsonObject{{u"root"_s, QJsonObject{{u"used_pct"_s, pct}}}}},
                  }));
    }
    const Result<HuntInfo> info = Artemis::Test::storeDoneHunt(store, outcomes);
    return info ? info->id : QString();
}
} // namespace

class TestGuiRemote : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void unreachableServerIsShown();
    void silentServerTimesOut();
    void realServer();
    void cancelUnknownIsNotFoundAndNeverDeletes();
    void remoteCompareHasEveryGroupAndDistribution();
    void errorCodeForHttpStatus_data();
    void errorCodeForHttpStatus();
    void errorStatusRoundTrip();

private:
    bool startServe();

    Test::WindowFixture m_gui;
    std::unique_ptr<ServeProcess> m_serve;
    QString m_serveUrl;
};

void TestGuiRemote::initTestCase()
{
    qRegisterMetaType<Artemis::HuntInfo>();
    qRegisterMetaType<Artemis::HuntProgress>();
}

void TestGuiRemote::init()
{
    StackOptions options;
    options.threads = 1;
    options.subdir = u"local"_s;
    options.scheduler.reset();
    QVERIFY2_OK(m_gui.open(options));
}

void TestGuiRemote::cleanup()
{
    m_gui.close();
    if (m_serve && m_serve->terminate(5000) == -1) {
        m_serve->kill();
    }
    m_serve.reset();
}

void TestGuiRemote::unreachableServerIsShown()
{
    QSignalSpy checked(m_gui.window.get(), &MainWindow::connectionChecked);
    m_gui.window->serverEdit()->setText(closedPortUrl());
    m_gui.window->modeBox()->setCurrentIndex(1); // Remote
    QCOMPARE(m_gui.window->mode(), MainWindow::Mode::Remote);
    QVERIFY(checked.wait(10000));
    QCOMPARE(checked.first().first().toBool(), false);
    QVERIFY2(m_gui.window->connectionLabel()->text().contains(u"Cannot reach the server"_s),
             qPrintable(m_gui.window->connectionLabel()->text()));

    // Starting a hunt against it fails visibly; the form is usable again.
    m_gui.window->form()->setNodesText(u"127.0.0.1:9"_s);
    QTRY_VERIFY(m_gui.window->form()->startButton()->isEnabled());
    m_gui.window->startHunt();
    QTRY_VERIFY_WITH_TIMEOUT(m_gui.window->form()->startButton()->isEnabled(), 10000);
    QVERIFY(m_gui.window->runningHunt().isEmpty());
}

void TestGuiRemote::silentServerTimesOut()
{
    FakeNode silent;
    QVERIFY(silent.start());
    silent.setBehaviour(FakeNode::Behaviour::Hang);
    m_gui.remote->setTimeoutMs(500);
    QSignalSpy checked(m_gui.window.get(), &MainWindow::connectionChecked);
    m_gui.window->serverEdit()->setText(u"http://"_s + silent.node());
    m_gui.window->setMode(MainWindow::Mode::Remote);
    QVERIFY(checked.wait(10000));
    QCOMPARE(checked.first().first().toBool(), false);
    QVERIFY2(m_gui.window->connectionLabel()->text().contains(u"no answer within 0.5 s"_s),
             qPrintable(m_gui.window->connectionLabel()->text()));
}

bool TestGuiRemote::startServe()
{
#ifndef ARTEMIS_HEADLESS_BIN
    return false;
#else
    m_serve = std::make_unique<ServeProcess>(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"ARTEMIS_TOKEN"_s, Token);
    m_serve->setEnvironment(env);
    if (m_serve->start({u"--data-dir"_s, m_gui.stack->filePath(u"served"_s)}) == 0) {
        qWarning("serve did not start: %s", m_serve->stderrText().constData());
        return false;
    }
    m_serveUrl = m_serve->base();
    return true;
#endif
}

void TestGuiRemote::realServer()
{
    if (!startServe()) {
        QSKIP("artemis-headless serve is not available");
    }
    // A wrong token is refused, clearly.
    QSignalSpy checked(m_gui.window.get(), &MainWindow::connectionChecked);
    m_gui.window->serverEdit()->setText(m_serveUrl);
    m_gui.window->tokenEdit()->setText(u"wrong"_s);
    m_gui.window->setMode(MainWindow::Mode::Remote);
    QVERIFY(checked.wait(10000));
    QCOMPARE(checked.last().first().toBool(), false);
    QVERIFY2(m_gui.window->connectionLabel()->text().contains(u"refused the token"_s),
             qPrintable(m_gui.window->connectionLabel()->text()));

    // The right one connects.
    m_gui.window->tokenEdit()->setText(Token);
    m_gui.window->setMode(MainWindow::Mode::Remote);
    QVERIFY(checked.wait(10000));
    QCOMPARE(checked.last().first().toBool(), true);

    // A hunt through the API: the live table fills from polled results.
    FakeNode a;
    FakeNode b;
    FakeNode missing;
    QVERIFY(a.start() && b.start() && missing.start());
    missing.setBehaviour(FakeNode::Behaviour::Status);
    missing.setStatus(404, R"({"error":"no"})");
    m_gui.window->form()->setNodesText(QStringList{a.node(), b.node(), missing.node()}.join(u'\n'));
    m_gui.window->form()->setPath(u"metric"_s);
    QTRY_VERIFY(m_gui.window->form()->startButton()->isEnabled());
    QSignalSpy finished(m_gui.window.get(), &MainWindow::huntFinished);
    QTest::mouseClick(m_gui.window->form()->startButton(), Qt::LeftButton);
    QVERIFY(finished.wait(30000));
    const HuntInfo info = finished.first().first().value<HuntInfo>();
    QCOMPARE(info.state, HuntState::Done);
    QCOMPARE(info.counts.count(OutcomeKind::Ok), 2);
    HuntResultsModel *live = m_gui.window->progress()->model();
    QCOMPARE(live->rowCount(), 3);
    for (int r = 0; r < live->rowCount(); ++r) {
        QVERIFY(live->row(r).outcome >= 0);
    }

    // Browse it through the API.
    m_gui.window->showTab(MainWindow::ResultsTab);
    ResultsBrowser *results = m_gui.window->results();
    results->openHunt(info.id);
    PagedResultsModel *nodes = results->resultsModel();
    // Failing first: the ok node is folded into a count until asked for.
    QTRY_VERIFY_WITH_TIMEOUT(nodes->huntId() == info.id && nodes->total() == 1, 10000);
    QCOMPARE(results->okFold()->text(), u"2 ok (show)"_s);
    results->okFold()->click();
    QTRY_VERIFY_WITH_TIMEOUT(
        nodes->huntId() == info.id && nodes->total() == 3 && nodes->isLoaded(0), 10000);
    int okRow = -1;
    for (int r = 0; r < 3; ++r) {
        if (nodes->index(r, 0).data(OutcomeRole).toInt() == int(OutcomeKind::Ok)) {
            okRow = r;
        }
    }
    QVERIFY(okRow >= 0);
    results->showRow(okRow);
    QTRY_VERIFY(!results->shownNode().isEmpty());
    QVERIFY(!results->jsonView()->model()->findItems(u"mem"_s).isEmpty());

    // Compare through the API.
    QSignalSpy compared(m_gui.window->compare(), &CompareView::compared);
    Q_EMIT results->jsonView()->comparePathRequested(u"mem.used"_s);
    QVERIFY(compared.wait(10000));
    QCOMPARE(m_gui.window->compare()->model()->rowCount(), 3);
    QVERIFY(m_gui.window->compare()->statsLabel()->text().contains(u"median 80"_s));

    // Repeat every 1s on the server (its minimum): round 1 followed live, then the node's
    // history read through GET /api/v1/schedules/{id}/history.
    m_gui.window->showTab(MainWindow::HuntTab);
    m_gui.window->form()->setNodesText(a.node());
    m_gui.window->form()->repeatEdit()->setText(u"1s"_s);
    QTRY_VERIFY(m_gui.window->form()->startButton()->isEnabled());
    finished.clear();
    QTest::mouseClick(m_gui.window->form()->startButton(), Qt::LeftButton);
    QVERIFY(finished.wait(30000));
    const HuntInfo round1 = finished.first().first().value<HuntInfo>();
    QCOMPARE(round1.counts.count(OutcomeKind::Ok), 1);
    HistoryView *history = m_gui.window->history();
    QSignalSpy listed(history, &HistoryView::schedulesListed);
    m_gui.window->showTab(MainWindow::HistoryTab);
    QVERIFY(listed.wait(10000));
    QCOMPARE(history->scheduleBox()->count(), 1);
    QSignalSpy shown(history, &HistoryView::shown);
    history->nodeEdit()->setText(a.node());
    history->pathEdit()->setText(u"mem.used"_s);
    QTest::keyClick(history->pathEdit(), Qt::Key_Return);
    QVERIFY(shown.wait(10000));
    QVERIFY(history->table()->rowCount() >= 1);
    QCOMPARE(history->table()->item(history->table()->rowCount() - 1, 0)->text(), u"1"_s);
    QCOMPARE(history->table()->item(0, 5)->text(), u"80%"_s);
    QCOMPARE(history->chart()->valueCount(), history->table()->rowCount());
}

// The trial's remote Compare said "200 distinct" where there were 221 and dropped the rarest
// values; a numeric path opened as tiny groups, and a new path kept the old scroll position.
void TestGuiRemote::remoteCompareHasEveryGroupAndDistribution()
{
    const QString id = seedHunt(m_gui.stack->filePath(u"served"_s));
    QVERIFY(!id.isEmpty());
    if (!startServe()) {
        QSKIP("artemis-headless serve is not available");
    }
    QCOMPARE(m_gui.window->serverEdit()->placeholderText(), u"http://127.0.0.1:5000"_s);
    QSignalSpy checked(m_gui.window.get(), &MainWindow::connectionChecked);
    m_gui.window->serverEdit()->setText(m_serveUrl);
    m_gui.window->tokenEdit()->setText(Token);
    m_gui.window->setMode(MainWindow::Mode::Remote);
    QVERIFY(checked.wait(10000));
    QCOMPARE(checked.last().first().toBool(), true);

    // Results leads with the failures: 46 timeouts, the 1,954 ok nodes folded.
    m_gui.window->showTab(MainWindow::ResultsTab);
    ResultsBrowser *results = m_gui.window->results();
    results->openHunt(id);
    QTRY_VERIFY_WITH_TIMEOUT(results->resultsModel()->huntId() == id
                                 && results->resultsModel()->total() == SeededTimeouts,
                             10000);
    QCOMPARE(results->okFold()->text(), u"1,954 ok (show)"_s);

    CompareView *compare = m_gui.window->compare();
    QSignalSpy compared(compare, &CompareView::compared);
    compare->compare(u"host"_s);
    QVERIFY(compared.wait(20000));
    // Every group, paged from the service (200 a page), the rarest one included.
    QCOMPARE(compare->values()->groupCount, SeededHosts);
    QCOMPARE(compare->values()->groups.size(), SeededHosts);
    QVERIFY(!compare->values()->distribution);
    QVERIFY2(compare->statsLabel()->text().contains(u"250 distinct"_s),
             qPrintable(compare->statsLabel()->text()));
    QVERIFY(!compare->statsLabel()->text().contains(u"most common listed"_s));
    int hostRows = 0;
    bool rarest = false;
    for (const GroupsModel::Row &row : compare->groups()->groupRows()) {
        hostRows += row.kind == GroupsModel::RowKind::Group ? 1 : 0;
        rarest = rarest || row.value == u"h-249"_s;
    }
    QCOMPARE(hostRows, SeededHosts);
    QVERIFY(rarest);
    compare->groupsTable()->scrollToBottom();
    QVERIFY(compare->groupsTable()->verticalScrollBar()->value() > 0);

    // A numeric path with 222 distinct values: a distribution, the outlier on top.
    compare->compare(u"disk.root.used_pct"_s);
    QVERIFY(compared.wait(20000));
    QVERIFY(compare->values()->distribution);
    QCOMPARE(compare->values()->groupCount, SeededSpread + 1);
    const QList<GroupsModel::Row> &rows = compare->groups()->groupRows();
    QCOMPARE(rows.first().kind, GroupsModel::RowKind::Outlier);
    QCOMPARE(rows.first().nodes, QStringList{u"10.9.0.7:9100"_s});
    int buckets = 0;
    int inBuckets = 0;
    for (const GroupsModel::Row &row : rows) {
        QVERIFY(row.kind != GroupsModel::RowKind::Group); // no list of tiny groups
        if (row.kind == GroupsModel::RowKind::Bucket) {
            ++buckets;
            inBuckets += int(row.nodes.size());
            QCOMPARE(int(row.nodes.size()), row.count);
        }
    }
    QCOMPARE(buckets, DistributionBuckets);
    QCOMPARE(inBuckets, SeededNodes - SeededTimeouts - 1);
    QVERIFY2(compare->statsLabel()->text().contains(u"distribution"_s),
             qPrintable(compare->statsLabel()->text()));
    // The new path opens at its top, where the outlier is.
    QCOMPARE(compare->groupsTable()->verticalScrollBar()->value(), 0);

    // Back to local mode: Results no longer names the remote hunt over an empty table.
    m_gui.window->setMode(MainWindow::Mode::Local);
    QVERIFY2(!results->nodesLabel()->text().contains(id),
             qPrintable(results->nodesLabel()->text()));
    QVERIFY(results->okFold()->isHidden());
}

// Cancel asks POST /cancel only; a 404 there is NotFound, and DELETE (which deletes a hunt's
// data on this API) is never tried instead. The "server" is a FakeNode that records methods.
void TestGuiRemote::cancelUnknownIsNotFoundAndNeverDeletes()
{
    FakeNode server;
    QVERIFY(server.start());
    server.setBehaviour(FakeNode::Behaviour::Status);
    server.setStatus(
        404, R"({"error":"Not found","details":"no hunt with id '01AAAAAAAAAAAAAAAAAAAAAAAA'"})",
        {{"Content-Type", "application/json"}});
    RemoteBackend remote;
    remote.setServer(QUrl(u"http://"_s + server.node()), Token);
    std::optional<Result<bool>> answer;
    remote.cancel(u"01AAAAAAAAAAAAAAAAAAAAAAAA"_s, this,
                  [&answer](Result<bool> result) { answer = std::move(result); });
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 10000);
    QVERIFY(!*answer);
    QCOMPARE(answer->error().code, ErrorCode::NotFound);
    QCOMPARE(server.requestMethods(), QList<QByteArray>{"POST"});
    QCOMPARE(server.requestPaths(),
             QList<QByteArray>{"/api/v1/hunts/01AAAAAAAAAAAAAAAAAAAAAAAA/cancel"});
    QTest::qWait(200); // a fallback would come right after the answer
    QVERIFY(!server.requestMethods().contains("DELETE"));
}

void TestGuiRemote::errorCodeForHttpStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<ErrorCode>("code");
    QTest::newRow("400") << 400 << ErrorCode::InvalidArgument;
    QTest::newRow("401") << 401 << ErrorCode::Unauthorized;
    QTest::newRow("403") << 403 << ErrorCode::Forbidden;
    QTest::newRow("404") << 404 << ErrorCode::NotFound;
    QTest::newRow("409") << 409 << ErrorCode::Conflict;
    QTest::newRow("413") << 413 << ErrorCode::TooLarge;
    QTest::newRow("429") << 429 << ErrorCode::Busy;
    QTest::newRow("500") << 500 << ErrorCode::Io;
    QTest::newRow("503") << 503 << ErrorCode::Unavailable;
    QTest::newRow("unknown 4xx (418)") << 418 << ErrorCode::InvalidArgument;
    QTest::newRow("unknown 5xx (502)") << 502 << ErrorCode::Unavailable;
}

void TestGuiRemote::errorCodeForHttpStatus()
{
    QFETCH(int, status);
    QFETCH(ErrorCode, code);
    QCOMPARE(Artemis::errorCodeForHttpStatus(status), code);
    if (status != 418 && status != 502) {
        // The status the REST API answers for that code is the one it came from.
        QCOMPARE(httpStatusFor(code), status);
    }
}

// code -> status -> code for every ErrorCode whose status no other code shares.
void TestGuiRemote::errorStatusRoundTrip()
{
    const QList<ErrorCode> all = {
        ErrorCode::InvalidArgument,
        ErrorCode::InvalidNode,
        ErrorCode::Denied,
        ErrorCode::TooLarge,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::Busy,
        ErrorCode::Io,
        ErrorCode::Unavailable,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::Locked,
    };
    QHash<int, int> sharing;
    for (const ErrorCode code : all) {
        const int status = httpStatusFor(code);
        QVERIFY2(status >= 400 && status < 600, qPrintable(QString::number(status)));
        ++sharing[status];
    }
    int unique = 0;
    for (const ErrorCode code : all) {
        const int status = httpStatusFor(code);
        if (sharing.value(status) == 1) {
            QCOMPARE(Artemis::errorCodeForHttpStatus(status), code);
            ++unique;
        } else {
            // Shared statuses come back as one of the codes that share them.
            QCOMPARE(httpStatusFor(Artemis::errorCodeForHttpStatus(status)), status);
        }
    }
    QCOMPARE(unique, 7); // 401 403 404 409 413 429 500; 400 and 503 are shared
}

QTEST_MAIN(TestGuiRemote)
#include "tst_guiremote.moc"
