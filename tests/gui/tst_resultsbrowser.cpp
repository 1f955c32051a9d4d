// The Results tab's node table sorts and searches through the store (issue #12): a local stack
// with loopback fake nodes of different latencies and a refused port; clicking the Latency
// header orders the rows by latency with the failed row last, the search box keeps only
// matching nodes with the right total; the same query through REST (?search=, its `next`
// link) and through the RemoteBackend against an in-process RestServer.
#include <QtTest>

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTcpServer>

#include "core/engine/huntengine.h"
#include "core/service/huntcatalog.h"
#include "gui/localbackend.h"
#include "gui/pagedresultsmodel.h"
#include "gui/remotebackend.h"
#include "gui/resultcolumns.h"
#include "gui/resultsbrowser.h"
#include "headless/rest/restserver.h"
#include "tests/common/fakenode.h"
#include "tests/common/httpclient.h"
#include "tests/common/loopback.h"
#include "tests/common/stackfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Gui;
using Artemis::Test::FakeNode;
using Artemis::Test::HttpClient;
using Artemis::Test::StackFixture;
using Artemis::Test::StackOptions;

using Artemis::Test::closedPortNode;

namespace {

QStringList columnOf(const QAbstractItemModel *model, ResultColumn column,
                     int role = Qt::DisplayRole)
{
    QStringList values;
    for (int r = 0; r < model->rowCount(); ++r) {
        values.append(model->index(r, int(column)).data(role).toString());
    }
    return values;
}

void clickHeader(QTableView *table, ResultColumn column)
{
    QHeaderView *header = table->horizontalHeader();
    const int section = int(column);
    const QPoint at(header->sectionViewportPosition(section) + header->sectionSize(section) / 2,
                    header->height() / 2);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
}

} // namespace

class TestResultsBrowser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void latencyHeaderSortsThroughTheStore();
    void searchKeepsMatchingNodes();
    void restAndRemoteSearch();
    void labelTermsFindTheirNodes();

private:
    bool loadedAll(int total) const;

    std::unique_ptr<StackFixture> m_stack;
    std::unique_ptr<LocalBackend> m_local;
    std::vector<std::unique_ptr<FakeNode>> m_fakes;
    std::unique_ptr<ResultsBrowser> m_browser;
    QString m_hunt;
    QStringList m_byLatency; // the answering nodes, fastest first
    QString m_refused;
};

void TestResultsBrowser::initTestCase()
{
    qRegisterMetaType<Artemis::HuntInfo>();
    qRegisterMetaType<Artemis::HuntProgress>();
    m_stack = std::make_unique<StackFixture>();
    StackOptions options;
    options.scheduler = std::nullopt;
    QVERIFY2_OK(m_stack->open(options));
    // Listed slowest first, so file order (completion order aside) is not latency order.
    QStringList nodes;
    for (const int delayMs : {700, 300, 0}) {
        auto node = std::make_unique<FakeNode>();
        QVERIFY(node->start());
        if (delayMs > 0) {
            node->setBehaviour(FakeNode::Behaviour::Slow);
            node->setDelayMs(delayMs);
        }
        nodes.append(node->node());
        m_byLatency.prepend(node->node());
        m_fakes.push_back(std::move(node));
    }
    m_refused = closedPortNode();
    nodes.append(m_refused);
    const Result<HuntInfo> hunt = m_stack->engine()->submit({nodes, u"metric"_s, {}, u"test"_s});
    QVERIFY2_OK(hunt);
    m_hunt = hunt->id;
    QTRY_VERIFY_WITH_TIMEOUT(m_stack->huntSettled(hunt->id), 20000);

    m_local = std::make_unique<LocalBackend>(m_stack->stack());
    m_browser = std::make_unique<ResultsBrowser>(m_local.get());
    m_browser->resize(1200, 800);
    m_browser->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_browser.get()));
    m_browser->openHunt(m_hunt);
    // Failing first: the hunt opens on its one refused node, the three ok ones folded.
    QTRY_VERIFY_WITH_TIMEOUT(loadedAll(1), 10000);
    QCOMPARE(columnOf(m_browser->resultsModel(), ResultColumn::Node), QStringList{m_refused});
    QVERIFY(!m_browser->okFold()->isHidden());
    QCOMPARE(m_browser->okFold()->text(), u"3 ok (show)"_s);
    m_browser->okFold()->click();
    QTRY_VERIFY_WITH_TIMEOUT(loadedAll(4), 10000);
    QVERIFY(m_browser->okFold()->isHidden());
}

void TestResultsBrowser::cleanupTestCase()
{
    m_browser.reset();
    m_stack->stack()->shutdown();
    m_local.reset();
    m_stack->close();
    m_fakes.clear();
}

bool TestResultsBrowser::loadedAll(int total) const
{
    const PagedResultsModel *model = m_browser->resultsModel();
    return model->huntId() == m_hunt && model->total() == total
           && (total == 0 || model->isLoaded(0));
}

void TestResultsBrowser::latencyHeaderSortsThroughTheStore()
{
    PagedResultsModel *model = m_browser->resultsModel();
    QTableView *table = m_browser->nodeTable();
    QCOMPARE(model->resultSort().by, ResultSort::By::File);

    clickHeader(table, ResultColumn::Latency);
    QTRY_COMPARE(model->resultSort().by, ResultSort::By::Latency);
    QVERIFY(!model->resultSort().descending);
    QTRY_VERIFY(loadedAll(4));
    QCOMPARE(columnOf(model, ResultColumn::Node), m_byLatency + QStringList{m_refused});
    QCOMPARE(model->index(3, int(ResultColumn::Outcome)).data(OutcomeRole).toInt(),
             int(OutcomeKind::Refused));

    // Again: slowest first, and the failed row stays last.
    clickHeader(table, ResultColumn::Latency);
    QTRY_VERIFY(model->resultSort().descending);
    QTRY_VERIFY(loadedAll(4));
    QStringList slowest = m_byLatency;
    std::reverse(slowest.begin(), slowest.end());
    QCOMPARE(columnOf(model, ResultColumn::Node), slowest + QStringList{m_refused});

    // A column the store cannot sort by leaves the order (and the indicator) alone.
    clickHeader(table, ResultColumn::Bytes);
    QCOMPARE(table->horizontalHeader()->sortIndicatorSection(), int(ResultColumn::Latency));
    QCOMPARE(model->resultSort().by, ResultSort::By::Latency);

    // Outcome: by name (ok before refused).
    clickHeader(table, ResultColumn::Outcome);
    QTRY_COMPARE(model->resultSort().by, ResultSort::By::Outcome);
    QTRY_VERIFY(loadedAll(4));
    QCOMPARE(columnOf(model, ResultColumn::Node).last(), m_refused);

    // The JSON of a row of a sorted table is that row's node.
    m_browser->showRow(0);
    QTRY_COMPARE(m_browser->shownNode(), model->index(0, 0).data(NodeRole).toString());
}

void TestResultsBrowser::searchKeepsMatchingNodes()
{
    PagedResultsModel *model = m_browser->resultsModel();
    clickHeader(m_browser->nodeTable(), ResultColumn::Latency); // ascending again
    QTRY_COMPARE(model->resultSort().by, ResultSort::By::Latency);

    // The port of the slowest node, with its colon so no other port contains it.
    const QString wanted = m_byLatency.last();
    const QString port = wanted.mid(wanted.indexOf(u':'));
    QTest::keyClicks(m_browser->searchBox(), port);
    QTRY_COMPARE_WITH_TIMEOUT(model->search(), port, 5000);
    QTRY_VERIFY(loadedAll(1));
    QCOMPARE(columnOf(model, ResultColumn::Node), QStringList{wanted});
    QTRY_VERIFY2(m_browser->nodesLabel()->text().contains(u"— 1 result matching"_s),
                 qPrintable(m_browser->nodesLabel()->text()));

    // Return searches at once; combined with the sort: every node has the prefix.
    m_browser->searchBox()->clear();
    QTest::keyClicks(m_browser->searchBox(), u"127.0.0."_s);
    QTest::keyClick(m_browser->searchBox(), Qt::Key_Return);
    QCOMPARE(model->search(), u"127.0.0."_s);
    QTRY_VERIFY(loadedAll(4));
    QCOMPARE(columnOf(model, ResultColumn::Node), m_byLatency + QStringList{m_refused});
    QTRY_VERIFY(m_browser->nodesLabel()->text().contains(u"— 4 results"_s));

    // No match: an empty table that says so.
    m_browser->searchBox()->setText(u"no-such-node"_s);
    QTRY_COMPARE(model->search(), u"no-such-node"_s);
    QTRY_VERIFY(m_browser->nodesLabel()->text().contains(u"— 0 results"_s));
    QCOMPARE(model->rowCount(), 0);

    m_browser->searchBox()->clear();
    QTRY_VERIFY(model->search().isEmpty());
    QTRY_VERIFY(loadedAll(4));
}

void TestResultsBrowser::restAndRemoteSearch()
{
    RestServer server(m_stack->stack(), RestServerConfig{});
    const quint16 port = server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);
    const QString base = u"http://127.0.0.1:%1"_s.arg(port);
    HttpClient http(base);
    const QString results = u"/api/v1/hunts/%1/results"_s.arg(m_hunt);

    // Every node has the prefix: with limit=1 the total, the paging and `next` show.
    const Test::HttpReply page = http.get(results + u"?search=127.0.0.&sort=latency&limit=1"_s);
    QCOMPARE(page.status, 200);
    QCOMPARE(page.json().value(u"total"_s).toInt(), 4);
    const QString next = page.json().value(u"next"_s).toString();
    QVERIFY2(next.contains(u"search=127.0.0."_s) && next.contains(u"sort=latency"_s),
             qPrintable(next));
    const Test::HttpReply second = http.get(next);
    QCOMPARE(second.status, 200);
    QCOMPARE(
        second.json().value(u"results"_s).toArray().first().toObject().value(u"node"_s).toString(),
        m_byLatency.at(1));

    const QString wanted = m_byLatency.first();
    const QString colonPort = wanted.mid(wanted.indexOf(u':'));
    const Test::HttpReply one =
        http.get(results + u"?search="_s + QString::fromUtf8(QUrl::toPercentEncoding(colonPort)));
    QCOMPARE(one.status, 200);
    QCOMPARE(one.json().value(u"total"_s).toInt(), 1);
    QCOMPARE(
        one.json().value(u"results"_s).toArray().first().toObject().value(u"node"_s).toString(),
        wanted);
    const Test::HttpReply stream =
        http.get(results + u"?format=ndjson&search="_s
                 + QString::fromUtf8(QUrl::toPercentEncoding(colonPort)));
    QCOMPARE(stream.status, 200);
    QCOMPARE(stream.body.trimmed().count('\n'), 0); // one line: the streamed export searches too
    QVERIFY(stream.body.contains(wanted.toUtf8()));
    const Test::HttpReply failed = http.get(results + u"?search=127&outcome=failed"_s);
    QCOMPARE(failed.json().value(u"total"_s).toInt(), 1);

    // The remote backend passes sort, search and outcome as query items.
    RemoteBackend remote;
    remote.setServer(QUrl(base), {});
    PagedResultsModel model(&remote);
    model.open(m_hunt);
    model.sort(int(ResultColumn::Latency), Qt::DescendingOrder);
    model.setSearch(u"127.0.0.1"_s);
    QTRY_VERIFY(model.total() == 4 && model.isLoaded(0));
    QStringList slowest = m_byLatency;
    std::reverse(slowest.begin(), slowest.end());
    QCOMPARE(columnOf(&model, ResultColumn::Node), slowest + QStringList{m_refused});
    model.setSearch(colonPort);
    QTRY_VERIFY(model.total() == 1 && model.isLoaded(0));
    QCOMPARE(columnOf(&model, ResultColumn::Node), QStringList{wanted});
    model.open(m_hunt, OutcomeKind::Refused);
    QTRY_VERIFY(model.isLoaded(0));
    QCOMPARE(model.total(), 0); // the refused node does not match the port
}

// Issue #22 item 7: the search finds `rack=r7` (a label NAME=VALUE term,
// core/inventory/nodesearch.h): exactly the nodes with that label (not rack=r70), in the Results
// tab (local store), through REST's ?search= and through the RemoteBackend; combined with a node
// term, both must match.
void TestResultsBrowser::labelTermsFindTheirNodes()
{
    HuntRequest request{
        {m_fakes[0]->node(), m_fakes[1]->node(), m_fakes[2]->node()}, u"metric"_s, {}, u"test"_s};
    request.labels = {Labels{{u"rack"_s, u"r7"_s}}, Labels{{u"rack"_s, u"r70"_s}},
                      Labels{{u"rack"_s, u"r7"_s}, {u"dc"_s, u"fra1"_s}}};
    const Result<HuntInfo> hunt = m_stack->engine()->submit(request);
    QVERIFY2_OK(hunt);
    QTRY_VERIFY_WITH_TIMEOUT(m_stack->huntSettled(hunt->id), 20000);
    // File order is completion order (node 0 answers slowest): compared sorted.
    QStringList r7 = {m_fakes[0]->node(), m_fakes[2]->node()};
    r7.sort();
    const auto sorted = [](QStringList nodes) {
        nodes.sort();
        return nodes;
    };
    const QString port2 = m_fakes[2]->node().mid(m_fakes[2]->node().indexOf(u':'));

    ResultsBrowser browser(m_local.get());
    browser.resize(1200, 800);
    browser.show();
    browser.openHunt(hunt->id);
    PagedResultsModel *model = browser.resultsModel();
    QTRY_VERIFY_WITH_TIMEOUT(model->huntId() == hunt->id && model->total() == 3, 10000);
    QTest::keyClicks(browser.searchBox(), u"rack=r7"_s);
    QTest::keyClick(browser.searchBox(), Qt::Key_Return);
    QTRY_VERIFY(model->total() == 2 && model->isLoaded(0));
    QCOMPARE(sorted(columnOf(model, ResultColumn::Node)), r7);
    QTRY_VERIFY2(browser.nodesLabel()->text().contains(u"— 2 results matching"_s),
                 qPrintable(browser.nodesLabel()->text()));
    browser.searchBox()->setText(u"rack=r7 "_s + port2);
    QTest::keyClick(browser.searchBox(), Qt::Key_Return);
    QTRY_VERIFY(model->total() == 1 && model->isLoaded(0));
    QCOMPARE(columnOf(model, ResultColumn::Node), QStringList{m_fakes[2]->node()});

    RestServer server(m_stack->stack(), RestServerConfig{});
    const quint16 port = server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);
    const QString base = u"http://127.0.0.1:%1"_s.arg(port);
    HttpClient http(base);
    const Test::HttpReply page =
        http.get(u"/api/v1/hunts/%1/results?search=rack%3Dr7"_s.arg(hunt->id));
    QCOMPARE(page.status, 200);
    QCOMPARE(page.json().value(u"total"_s).toInt(), 2);

    RemoteBackend remote;
    remote.setServer(QUrl(base), {});
    PagedResultsModel remoteModel(&remote);
    remoteModel.open(hunt->id);
    remoteModel.setSearch(u"rack=r7"_s);
    QTRY_VERIFY(remoteModel.total() == 2 && remoteModel.isLoaded(0));
    QCOMPARE(sorted(columnOf(&remoteModel, ResultColumn::Node)), r7);
    remoteModel.setSearch(u"rack=r70"_s);
    QTRY_VERIFY(remoteModel.total() == 1 && remoteModel.isLoaded(0));
    QCOMPARE(columnOf(&remoteModel, ResultColumn::Node), QStringList{m_fakes[1]->node()});
    remoteModel.setSearch(u"dc=fra1"_s);
    QTRY_VERIFY(remoteModel.total() == 1 && remoteModel.isLoaded(0));
    QCOMPARE(columnOf(&remoteModel, ResultColumn::Node), QStringList{m_fakes[2]->node()});
}

QTEST_MAIN(TestResultsBrowser)
#include "tst_resultsbrowser.moc"
