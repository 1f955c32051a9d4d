// The GUI in local mode against loopback fake nodes: type nodes, run a hunt, watch the table,
// browse the stored hunt's JSON, compare a path across nodes, remember the inputs.
#include <QtTest>

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeView>

#include "core/engine/huntengine.h"
#include "core/service/huntcatalog.h"
#include "core/store/resultstore.h"
#include "core/watch/scheduler.h"
#include "gui/barchart.h"
#include "gui/comparemodel.h"
#include "gui/compareview.h"
#include "gui/historyview.h"
#include "gui/huntform.h"
#include "gui/huntlistmodel.h"
#include "gui/huntresultsmodel.h"
#include "gui/jsonview.h"
#include "gui/localbackend.h"
#include "gui/mainwindow.h"
#include "gui/pagedresultsmodel.h"
#include "gui/progresspanel.h"
#include "gui/remotebackend.h"
#include "gui/resultsbrowser.h"
#include "gui/resultsfilterproxy.h"
#include "tests/common/fakenode.h"
#include "tests/common/poolblocker.h"
#include "tests/common/stackfixture.h"
#include "tests/common/wait.h"
#include "tests/gui/windowfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Gui;
using Artemis::Test::FakeNode;
using Artemis::Test::StackFixture;
using Artemis::Test::StackOptions;

class TestGuiLocal : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void typedHuntRunsAndFillsTheTable();
    void storedHuntShowsJsonTreeAndCompares();
    void inputsAreRemembered();
    void repeatEveryRunsRoundsAndShowsHistory();
    void answersMatchTheCatalog();
    void everyAnswerComesAfterTheCallReturned();
    void windowHasTheApplicationIcon();

private:
    QString runTypedHunt(); // returns the hunt id
    FakeNode *fake(FakeNode::Behaviour behaviour);

    Test::WindowFixture m_gui;
    HuntEngine *m_engine = nullptr;   // m_gui.stack's
    Scheduler *m_scheduler = nullptr; // m_gui.stack's
    std::vector<std::unique_ptr<FakeNode>> m_fakes;
};

void TestGuiLocal::initTestCase()
{
    qRegisterMetaType<Artemis::HuntInfo>();
    qRegisterMetaType<Artemis::HuntProgress>();
}

void TestGuiLocal::init()
{
    StackOptions options;
    options.threads = 1;
    options.subdir = u"data"_s;
    options.scheduler->minEveryMs = 100; // test intervals
    QVERIFY2_OK(m_gui.open(options, {}, 0));
    m_engine = m_gui.stack->engine();
    m_scheduler = m_gui.stack->scheduler();
}

void TestGuiLocal::cleanup()
{
    m_gui.close();
    m_engine = nullptr;
    m_scheduler = nullptr;
    m_fakes.clear();
}

FakeNode *TestGuiLocal::fake(FakeNode::Behaviour behaviour)
{
    auto node = std::make_unique<FakeNode>();
    if (!node->start()) {
        qFatal("fake node did not start");
    }
    node->setBehaviour(behaviour);
    m_fakes.push_back(std::move(node));
    return m_fakes.back().get();
}

QString TestGuiLocal::runTypedHunt()
{
    FakeNode *a = fake(FakeNode::Behaviour::Json);
    FakeNode *b = fake(FakeNode::Behaviour::Json);
    FakeNode *missing = fake(FakeNode::Behaviour::Status);
    missing->setStatus(404, R"({"error":"no such metric"})");

    HuntForm *form = m_gui.window->form();
    form->nodesEdit()->clear();
    for (const FakeNode *node : {a, b, missing}) {
        QTest::keyClicks(form->nodesEdit(), node->node());
        QTest::keyClick(form->nodesEdit(), Qt::Key_Return);
    }
    form->pathEdit()->clear();
    QTest::keyClicks(form->pathEdit(), u"metric"_s);
    if (!QTest::qWaitFor([form] { return form->startButton()->isEnabled(); }, 5000)) {
        qWarning("start never enabled");
        return {};
    }
    if (form->lastCheck().valid != 3) {
        qWarning("expected 3 valid nodes, got %d", form->lastCheck().valid);
        return {};
    }

    QSignalSpy finished(m_gui.window.get(), &MainWindow::huntFinished);
    QTest::mouseClick(form->startButton(), Qt::LeftButton);
    if (!finished.wait(20000)) {
        return {};
    }
    const HuntInfo info = finished.first().first().value<HuntInfo>();
    return info.id;
}

void TestGuiLocal::typedHuntRunsAndFillsTheTable()
{
    const QString id = runTypedHunt();
    QVERIFY(!id.isEmpty());
    ProgressPanel *progress = m_gui.window->progress();
    HuntResultsModel *model = progress->model();
    QCOMPARE(model->huntId(), id);
    QCOMPARE(model->rowCount(), 3);
    int ok = 0;
    int httpErrors = 0;
    for (int r = 0; r < model->rowCount(); ++r) {
        const ResultRow &row = model->row(r);
        QVERIFY2(row.outcome >= 0, qPrintable(row.node + u" has no outcome"_s));
        if (row.outcome == int(OutcomeKind::Ok)) {
            ++ok;
            QCOMPARE(row.httpStatus, 200);
            QVERIFY(row.bytes > 0);
        } else if (row.outcome == int(OutcomeKind::HttpError)) {
            ++httpErrors;
            QCOMPARE(row.httpStatus, 404);
        }
        QCOMPARE(model->index(r, int(ResultColumn::State)).data().toString(), u"done"_s);
    }
    QCOMPARE(ok, 2);
    QCOMPARE(httpErrors, 1);
    QCOMPARE(progress->progressBar()->value(), 3);
    QVERIFY2(progress->countsLabel()->text().contains(u"Done <b>3</b> / 3"_s),
             qPrintable(progress->countsLabel()->text()));
    QVERIFY(m_gui.window->form()->startButton()->isEnabled());
    QVERIFY(!m_gui.window->form()->cancelButton()->isEnabled());

    // Filter by outcome, then by text; sort by HTTP status.
    ResultsFilterProxy *proxy = progress->proxy();
    QComboBox *outcome = progress->outcomeFilter();
    outcome->setCurrentIndex(outcome->findText(u"http_error"_s));
    QCOMPARE(proxy->rowCount(), 1);
    outcome->setCurrentIndex(outcome->findText(u"ok"_s));
    QCOMPARE(proxy->rowCount(), 2);
    outcome->setCurrentIndex(outcome->findText(u"Failed (any)"_s));
    QCOMPARE(proxy->rowCount(), 1);
    outcome->setCurrentIndex(0);
    QTest::keyClicks(progress->textFilter(), m_fakes[1]->node());
    QCOMPARE(proxy->rowCount(), 1);
    QCOMPARE(proxy->index(0, 0).data().toString(), m_fakes[1]->node());
    progress->textFilter()->clear();
    QCOMPARE(proxy->rowCount(), 3);
    progress->table()->sortByColumn(int(ResultColumn::HttpStatus), Qt::DescendingOrder);
    QCOMPARE(proxy->index(0, int(ResultColumn::HttpStatus)).data().toInt(), 404);
}

void TestGuiLocal::storedHuntShowsJsonTreeAndCompares()
{
    const QString id = runTypedHunt();
    QVERIFY(!id.isEmpty());
    m_gui.window->showTab(MainWindow::ResultsTab);
    ResultsBrowser *results = m_gui.window->results();
    results->openHunt(id);
    PagedResultsModel *nodes = results->resultsModel();
    // Failing first: the ok node is folded into a count until asked for.
    QTRY_VERIFY_WITH_TIMEOUT(nodes->huntId() == id && nodes->total() == 1, 10000);
    QCOMPARE(results->okFold()->text(), u"2 ok (show)"_s);
    results->okFold()->click();
    QTRY_VERIFY(nodes->huntId() == id && nodes->total() == 3 && nodes->isLoaded(0));
    QCOMPARE(results->huntModel()->rowCount(), 1);

    int okRow = -1;
    for (int r = 0; r < nodes->rowCount(); ++r) {
        if (nodes->index(r, 0).data(OutcomeRole).toInt() == int(OutcomeKind::Ok)) {
            okRow = r;
            break;
        }
    }
    QVERIFY(okRow >= 0);
    results->showRow(okRow);
    QTRY_VERIFY(!results->shownNode().isEmpty());

    // FakeNode's body: {"node":"fake","cpu":12.5,"mem":{"used":"80%","total":1024}}
    JsonView *json = results->jsonView();
    QStringList keys;
    QStandardItemModel *tree = json->model();
    for (int r = 0; r < tree->rowCount(); ++r) {
        keys.append(tree->item(r, 0)->text());
    }
    keys.sort();
    QCOMPARE(keys, (QStringList{u"cpu"_s, u"mem"_s, u"node"_s}));
    QStandardItem *mem = tree->findItems(u"mem"_s).first();
    QCOMPARE(mem->rowCount(), 2);
    QCOMPARE(mem->child(1, 0)->text(), u"used"_s);
    QCOMPARE(mem->child(1, 0)->data(JsonView::PathRole).toString(), u"mem.used"_s);
    QCOMPARE(mem->child(1, 1)->text(), u"80%"_s);
    QCOMPARE(mem->child(1, 2)->text(), u"string"_s);
    QVERIFY(json->rawView()->toPlainText().contains(u"\"used\": \"80%\""_s));

    // Search narrows the tree to matching rows (and their parents).
    QTest::keyClicks(json->searchBox(), u"used"_s);
    QCOMPARE(json->tree()->model()->rowCount(), 1);
    const QModelIndex memIndex = json->tree()->model()->index(0, 0);
    QCOMPARE(json->tree()->model()->rowCount(memIndex), 1);
    const QModelIndex used = json->tree()->model()->index(0, 0, memIndex);
    json->tree()->setCurrentIndex(used);
    QCOMPARE(json->selectedPath(), u"mem.used"_s);
    json->copySelectedPath();
    json->searchBox()->clear();

    // Double-clicking a key compares that path across the hunt's nodes.
    QSignalSpy compared(m_gui.window->compare(), &CompareView::compared);
    Q_EMIT json->comparePathRequested(u"mem.used"_s);
    QVERIFY(compared.wait(10000));
    QCOMPARE(m_gui.window->tabs()->currentIndex(), int(MainWindow::CompareTab));
    CompareModel *cmp = m_gui.window->compare()->model();
    QCOMPARE(cmp->rowCount(), 3);
    int numeric = 0;
    for (const CompareRow &row : cmp->rows()) {
        if (row.outcome == OutcomeKind::Ok) {
            QCOMPARE(row.value.toString(), u"80%"_s);
            QCOMPARE(row.number, std::optional<double>(80.0));
            ++numeric;
        } else {
            QVERIFY(!row.number);
        }
    }
    QCOMPARE(numeric, 2);
    const QString stats = m_gui.window->compare()->statsLabel()->text();
    QVERIFY2(stats.contains(u"min 80"_s) && stats.contains(u"median 80"_s)
                 && stats.contains(u"max 80"_s),
             qPrintable(stats));
    QCOMPARE(m_gui.window->compare()->chart()->valueCount(), 2);

    // A plain number path and a sort by number.
    compared.clear();
    m_gui.window->compare()->compare(u"mem.total"_s);
    QVERIFY(compared.wait(10000));
    m_gui.window->compare()->table()->sortByColumn(CompareModel::Number, Qt::AscendingOrder);
    QCOMPARE(
        m_gui.window->compare()->table()->model()->index(0, CompareModel::Number).data().toString(),
        u"1024"_s);
}

void TestGuiLocal::inputsAreRemembered()
{
    m_gui.window->form()->setNodesText(u"10.0.0.1:9100\n10.0.0.2:9100"_s);
    m_gui.window->form()->setPath(u"stats"_s);
    FetchOptions options;
    options.timeoutMs = 1234;
    options.attempts = 4;
    options.concurrency = 77;
    m_gui.window->form()->setOptions(options);
    m_gui.window->serverEdit()->setText(u"http://127.0.0.1:1"_s);
    m_gui.window->tokenEdit()->setText(u"secret"_s);
    m_gui.window->showTab(MainWindow::CompareTab);
    m_gui.window->close(); // saves

    MainWindow second(m_gui.local.get(), m_gui.remote.get(), m_gui.settings.get());
    second.restoreSettings();
    QCOMPARE(second.form()->nodesEdit()->toPlainText(), u"10.0.0.1:9100\n10.0.0.2:9100"_s);
    QCOMPARE(second.form()->pathEdit()->text(), u"stats"_s);
    QTRY_VERIFY(!second.form()->isChecking());
    const HuntRequest request = second.form()->request();
    QCOMPARE(request.options.timeoutMs, 1234);
    QCOMPARE(request.options.attempts, 4);
    QCOMPARE(request.options.concurrency, 77);
    QCOMPARE(second.serverEdit()->text(), u"http://127.0.0.1:1"_s);
    QCOMPARE(second.tokenEdit()->text(), QString()); // not remembered unless asked
    QCOMPARE(second.tabs()->currentIndex(), int(MainWindow::CompareTab));
    QCOMPARE(second.mode(), MainWindow::Mode::Local);
}

void TestGuiLocal::repeatEveryRunsRoundsAndShowsHistory()
{
    FakeNode *a = fake(FakeNode::Behaviour::Json);
    HuntForm *form = m_gui.window->form();
    form->nodesEdit()->setPlainText(a->node());
    form->pathEdit()->setText(u"metric"_s);
    QVERIFY(QTest::qWaitFor([form] { return form->startButton()->isEnabled(); }, 5000));

    // A bad interval starts nothing and says why.
    form->repeatEdit()->setText(u"5 parsecs"_s);
    QTest::mouseClick(form->startButton(), Qt::LeftButton);
    QVERIFY(m_scheduler->list().isEmpty());
    QVERIFY(m_gui.window->runningHunt().isEmpty());
    QVERIFY(m_gui.window->statusBar()->currentMessage().contains(u"unknown unit"_s));

    form->repeatEdit()->setText(u"200ms"_s);
    QSignalSpy finished(m_gui.window.get(), &MainWindow::huntFinished);
    QTest::mouseClick(form->startButton(), Qt::LeftButton);
    QCOMPARE(m_scheduler->list().size(), 1);
    const QString id = m_scheduler->list().first().id;
    QVERIFY(finished.wait(10000)); // round 1 followed live like a hunt
    QCOMPARE(finished.first().first().value<HuntInfo>().round, 1);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_scheduler->find(id)->roundsStarted >= 3
            && !m_engine->activeInfo(m_scheduler->find(id)->rounds.last().hunt),
        10000);
    m_scheduler->stop();

    HistoryView *history = m_gui.window->history();
    QSignalSpy listed(history, &HistoryView::schedulesListed);
    m_gui.window->showTab(MainWindow::HistoryTab);
    QVERIFY(!listed.isEmpty() || listed.wait(5000)); // the local backend answers at once
    QCOMPARE(history->scheduleBox()->count(), 1);
    QCOMPARE(history->scheduleBox()->currentData().toString(), id);
    QSignalSpy shown(history, &HistoryView::shown);
    history->nodeEdit()->setText(a->node());
    history->pathEdit()->setText(u"cpu"_s);
    QTest::keyClick(history->pathEdit(), Qt::Key_Return);
    QVERIFY(shown.wait(5000));
    const int rounds = m_scheduler->find(id)->roundsStarted;
    QCOMPARE(history->table()->rowCount(), rounds);
    QCOMPARE(history->table()->item(0, 0)->text(), QString::number(rounds)); // newest first
    QCOMPARE(history->table()->item(0, 2)->text(), u"ok"_s);
    QCOMPARE(history->table()->item(0, 5)->text(), u"12.5"_s);
    QCOMPARE(history->chart()->valueCount(), rounds);

    // A node that is not in the schedule: a message, the table untouched.
    history->nodeEdit()->setText(u"10.9.9.9:1"_s);
    QTest::keyClick(history->nodeEdit(), Qt::Key_Return);
    QTRY_VERIFY(m_gui.window->statusBar()->currentMessage().contains(u"not one of"_s));
    QCOMPARE(history->table()->rowCount(), rounds);
}

// The icon is compiled in from resources/ (resources/CMakeLists.txt).
void TestGuiLocal::windowHasTheApplicationIcon()
{
    QVERIFY(QFile::exists(u":/artemis/artemis-256.png"_s));
    const QPixmap icon = m_gui.window->windowIcon().pixmap(QSize(64, 64));
    QVERIFY(!icon.isNull());
    QCOMPARE(icon.size(), QSize(64, 64));
}

namespace {

// Calls `call(callback)` and returns the answer, noting whether it arrived before the call
// returned (the interface promises it never does).
template <typename T, typename Call> std::optional<Result<T>> answer(Call call, bool *early)
{
    bool returned = false;
    std::optional<Result<T>> got;
    call([&](Result<T> result) {
        if (!returned) {
            *early = true;
        }
        got = std::move(result);
    });
    returned = true;
    if (!Artemis::Test::waitUntil([&] { return got.has_value(); }, 10000)) {
        return std::nullopt;
    }
    return got;
}

} // namespace

// Local mode shows what the catalog says, in the states only the catalog knows: a hunt the
// engine finished whose results are still being written is `running`, then `done`.
void TestGuiLocal::answersMatchTheCatalog()
{
    FakeNode *a = fake(FakeNode::Behaviour::Json);
    HuntCatalog *catalog = m_gui.stack->catalog();
    bool early = false;
    auto info = [&](const QString &id) {
        return answer<HuntInfo>([&](auto cb) { m_gui.local->huntInfo(id, this, cb); }, &early);
    };
    auto list = [&] {
        return answer<QList<HuntInfo>>([&](auto cb) { m_gui.local->listHunts(50, this, cb); },
                                       &early);
    };

    // Qt's raster paint engine draws on the global pool too: a window painting while the pool
    // is held would wait for it forever. Nothing needs to be painted here.
    m_gui.window->hide();
    std::optional<Artemis::Test::PoolBlocker> blocker(std::in_place);
    HuntRequest request;
    request.nodes = {a->node()};
    request.url = u"metric"_s;
    const Result<HuntInfo> hunt = m_engine->submit(request);
    QVERIFY2_OK(hunt);
    QVERIFY(Artemis::Test::waitUntil([&] {
        const std::optional<HuntInfo> active = m_engine->activeInfo(hunt->id);
        return active && active->state == HuntState::Done;
    }));
    const auto writing = info(hunt->id);
    QVERIFY(writing && *writing);
    QCOMPARE((*writing)->state, HuntState::Running);
    // elapsedMs of a running hunt is read off the clock at each toJson(): the two calls may be
    // a millisecond apart (seen under ASan); everything else must be equal.
    const auto withoutClock = [](const HuntInfo &manifest) {
        QJsonObject json = manifest.toJson();
        json.remove(u"elapsedMs"_s);
        return json;
    };
    QCOMPARE(withoutClock(**writing), withoutClock(*catalog->find(hunt->id)));
    const auto listedWhileWriting = list();
    QVERIFY(listedWhileWriting && *listedWhileWriting);
    QCOMPARE((*listedWhileWriting)->size(), 1);
    QCOMPARE((*listedWhileWriting)->first().state, HuntState::Running);

    QSignalSpy finished(catalog, &HuntCatalog::huntFinished);
    blocker.reset();
    QVERIFY(finished.wait(10000));
    const auto done = info(hunt->id);
    QVERIFY(done && *done);
    QCOMPARE((*done)->state, HuntState::Done);
    QCOMPARE((*done)->toJson(), catalog->find(hunt->id)->toJson());
    const auto listed = list();
    QVERIFY(listed && *listed);
    const QList<HuntInfo> fromCatalog = catalog->list({})->hunts;
    QCOMPARE((*listed)->size(), fromCatalog.size());
    for (int i = 0; i < fromCatalog.size(); ++i) {
        QCOMPARE((*listed)->at(i).toJson(), fromCatalog.at(i).toJson());
    }
    // Errors are the catalog's too.
    const auto unknown = info(u"01AAAAAAAAAAAAAAAAAAAAAAAA"_s);
    QVERIFY(unknown && !*unknown);
    QCOMPARE(unknown->error().code, ErrorCode::NotFound);
    QVERIFY(!early);
}

// The HuntBackend promise: no answer before the call returns, whatever the call and whether
// it succeeds or fails at once.
void TestGuiLocal::everyAnswerComesAfterTheCallReturned()
{
    FakeNode *a = fake(FakeNode::Behaviour::Json);
    bool early = false;
    HuntRequest request;
    request.nodes = {a->node()};
    request.url = u"metric"_s;
    const auto submitted =
        answer<HuntInfo>([&](auto cb) { m_gui.local->submit(request, this, cb); }, &early);
    QVERIFY(submitted && *submitted);
    const QString id = (*submitted)->id;
    HuntRequest bad = request;
    bad.nodes = {u"bob@x:1"_s};
    const auto refused =
        answer<HuntInfo>([&](auto cb) { m_gui.local->submit(bad, this, cb); }, &early);
    QVERIFY(refused && !*refused);
    QVERIFY(answer<bool>([&](auto cb) { m_gui.local->cancel(id, this, cb); }, &early));
    QVERIFY(answer<bool>(
        [&](auto cb) { m_gui.local->cancel(u"01AAAAAAAAAAAAAAAAAAAAAAAA"_s, this, cb); }, &early));
    QTRY_VERIFY_WITH_TIMEOUT(!m_engine->activeInfo(id), 10000);
    QVERIFY(
        answer<QList<HuntInfo>>([&](auto cb) { m_gui.local->listHunts(10, this, cb); }, &early));
    QVERIFY(answer<HuntInfo>([&](auto cb) { m_gui.local->huntInfo(id, this, cb); }, &early));
    QVERIFY(
        answer<HuntInfo>([&](auto cb) { m_gui.local->huntInfo(u"bad id"_s, this, cb); }, &early));
    QVERIFY(
        answer<ResultPage>([&](auto cb) { m_gui.local->readResults(id, {}, this, cb); }, &early));
    QVERIFY(answer<QList<CompareRow>>(
        [&](auto cb) { m_gui.local->collectValues(id, u"cpu"_s, this, cb); }, &early));
    QVERIFY(answer<QList<CompareRow>>(
        [&](auto cb) { m_gui.local->collectValues(id, u"a..b"_s, this, cb); }, &early));
    ScheduleSpec spec;
    spec.nodes = {a->node()};
    spec.url = u"metric"_s;
    spec.everyMs = 60000;
    spec.maxRounds = 1;
    const auto created =
        answer<Schedule>([&](auto cb) { m_gui.local->createSchedule(spec, this, cb); }, &early);
    QVERIFY(created && *created);
    ScheduleSpec tooFast = spec;
    tooFast.everyMs = 1;
    QVERIFY(
        answer<Schedule>([&](auto cb) { m_gui.local->createSchedule(tooFast, this, cb); }, &early));
    const auto schedules =
        answer<QList<Schedule>>([&](auto cb) { m_gui.local->listSchedules(this, cb); }, &early);
    QVERIFY(schedules && *schedules);
    QCOMPARE((*schedules)->size(), 1);
    QVERIFY(answer<QList<NodeHistoryEntry>>(
        [&](auto cb) {
            m_gui.local->nodeHistory((*created)->id, a->node(), u"cpu"_s, 5, this, cb);
        },
        &early));
    QVERIFY(answer<QList<NodeHistoryEntry>>(
        [&](auto cb) { m_gui.local->nodeHistory(u"nope"_s, a->node(), {}, 5, this, cb); }, &early));
    QVERIFY2(!early, "a LocalBackend answer arrived before its call returned");
}

QTEST_MAIN(TestGuiLocal)
#include "tst_guilocal.moc"
