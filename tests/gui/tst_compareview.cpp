// The compare and diff views over a real local stack and 40 loopback fake nodes: value groups
// (counts, minority flag), clicking a group filters the node table, the memory outlier comes
// first, Ctrl+C and CSV export of the table, a node's diff marks exactly the differing path,
// and the FleetValues / NodeDiff JSON round trip the remote backend relies on.
#include <QtTest>

#include <QClipboard>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSet>
#include <QTableView>
#include <QTableWidget>

#include "core/base/jsonvalues.h"
#include "core/engine/huntengine.h"
#include "core/fleet/fleetvalues.h"
#include "core/fleet/nodediff.h"
#include "core/service/huntcatalog.h"
#include "gui/comparemodel.h"
#include "gui/compareview.h"
#include "gui/diffview.h"
#include "gui/groupsmodel.h"
#include "gui/jsonview.h"
#include "gui/localbackend.h"
#include "gui/numberformat.h"
#include "gui/remotebackend.h"
#include "headless/rest/restserver.h"
#include "tests/common/fakenode.h"
#include "tests/common/stackfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Gui;
using Artemis::Test::FakeNode;
using Artemis::Test::StackFixture;
using Artemis::Test::StackOptions;

namespace {
constexpr int NodeCount = 40;
constexpr int OutlierIndex = 5;
constexpr qint64 UsedBytes = 17071734784;     // 15.9G
constexpr qint64 OutlierBytes = 171798691840; // 160G

QString versionOf(int i)
{
    return i < 36 ? u"1.2"_s : (i < 39 ? u"1.3"_s : u"2.0"_s);
}
} // namespace

class TestCompareView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void versionGroupsAndMinority();
    void clickingAGroupFiltersTheNodeTable();
    void copyAndCsvExport();
    void memoryOutlierFirstInUnitStyle();
    void diffMarksExactlyTheDifferingPath();
    void exportResultsWritesTheFilteredSet();
    void jsonRoundTrip();
    void numberStyles_data();
    void numberStyles();
    void runningHuntSaysSoInABanner();
    void groupByLabelsSlicesTheAnswer();
    void huntDescriptionFollowsTheHunt();

private:
    int groupRow(const QString &value) const;

    std::unique_ptr<StackFixture> m_stack;
    std::unique_ptr<LocalBackend> m_local;
    std::vector<std::unique_ptr<FakeNode>> m_fakes;
    std::unique_ptr<CompareView> m_view;
    QString m_hunt;
    QStringList m_nodes;
};

void TestCompareView::initTestCase()
{
    qRegisterMetaType<Artemis::HuntInfo>();
    qRegisterMetaType<Artemis::HuntProgress>();
    m_stack = std::make_unique<StackFixture>();
    StackOptions options;
    options.scheduler = std::nullopt;
    QVERIFY2_OK(m_stack->open(options));
    for (int i = 0; i < NodeCount; ++i) {
        auto node = std::make_unique<FakeNode>();
        QVERIFY(node->start());
        const qint64 used = i == OutlierIndex ? OutlierBytes : UsedBytes;
        node->setJsonBody(
            u"{\"version\":\"%1\",\"mem\":{\"used\":%2,\"total\":\"64G\"}}"_s.arg(versionOf(i))
                .arg(used)
                .toUtf8());
        m_nodes.append(node->node());
        m_fakes.push_back(std::move(node));
    }
    const Result<HuntInfo> hunt = m_stack->engine()->submit({m_nodes, u"metric"_s, {}, u"test"_s});
    QVERIFY2_OK(hunt);
    m_hunt = hunt->id;
    QTRY_VERIFY_WITH_TIMEOUT(m_stack->huntSettled(hunt->id), 20000);
    m_local = std::make_unique<LocalBackend>(m_stack->stack());
    m_view = std::make_unique<CompareView>(m_local.get());
    m_view->resize(1200, 700);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    m_view->setHunt(m_hunt, u"test hunt"_s);
}

void TestCompareView::cleanupTestCase()
{
    m_view.reset();
    m_local.reset();
    m_stack->close();
    m_fakes.clear();
}

int TestCompareView::groupRow(const QString &value) const
{
    const GroupsModel *groups = m_view->groups();
    for (int r = 0; r < groups->rowCount(); ++r) {
        if (groups->row(r).value == value) {
            return r;
        }
    }
    return -1;
}

void TestCompareView::versionGroupsAndMinority()
{
    QSignalSpy compared(m_view.get(), &CompareView::compared);
    m_view->compare(u"version"_s);
    QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 1, 10000);
    QCOMPARE(m_view->model()->rowCount(), NodeCount);
    const GroupsModel *groups = m_view->groups();
    // "2.0" reads as a number far from the others: a numeric outlier first, then the minority
    // group, then the values by count.
    QCOMPARE(groups->rowCount(), 4);
    QCOMPARE(groups->row(0).kind, GroupsModel::RowKind::Outlier);
    QCOMPARE(groups->row(0).nodes, QStringList{m_nodes[39]});
    QCOMPARE(groups->row(1).value, u"2.0"_s);
    QCOMPARE(groups->row(1).kind, GroupsModel::RowKind::Minority);
    QCOMPARE(groups->row(1).count, 1);
    QCOMPARE(groups->row(1).nodes, QStringList{m_nodes[39]});
    QCOMPARE(groups->row(2).value, u"1.2"_s);
    QCOMPARE(groups->row(2).count, 36);
    QCOMPARE(groups->row(2).kind, GroupsModel::RowKind::Group);
    QCOMPARE(groups->row(3).value, u"1.3"_s);
    QCOMPARE(groups->row(3).count, 3);
    QCOMPARE(groups->row(3).kind, GroupsModel::RowKind::Group); // 7.5%: not a minority
    QCOMPARE(groups->index(1, GroupsModel::Kind).data().toString(), u"minority"_s);
    QCOMPARE(groups->index(2, GroupsModel::Share).data().toString(), u"90.0%"_s);
    QVERIFY(groups->index(1, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(!groups->index(2, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(m_view->statsLabel()->text().contains(u"40 with a value, 3 distinct"_s));
}

void TestCompareView::clickingAGroupFiltersTheNodeTable()
{
    const int row = groupRow(u"1.3"_s);
    QVERIFY(row >= 0);
    QTableView *groupsTable = m_view->groupsTable();
    const QRect rect =
        groupsTable->visualRect(groupsTable->model()->index(row, GroupsModel::Value));
    QTest::mouseClick(groupsTable->viewport(), Qt::LeftButton, {}, rect.center());
    const QAbstractItemModel *shown = m_view->table()->model();
    QTRY_COMPARE(shown->rowCount(), 3);
    QSet<QString> nodes;
    for (int r = 0; r < shown->rowCount(); ++r) {
        nodes.insert(shown->index(r, CompareModel::Node).data().toString());
        QCOMPARE(shown->index(r, CompareModel::Value).data().toString(), u"1.3"_s);
    }
    QCOMPARE(nodes, (QSet<QString>{m_nodes[36], m_nodes[37], m_nodes[38]}));
}

void TestCompareView::copyAndCsvExport()
{
    QTableView *table = m_view->table();
    QCOMPARE(table->model()->rowCount(), 3); // still filtered to "1.3"
    table->setFocus();
    table->selectRow(0);
    table->selectionModel()->select(table->model()->index(2, 0),
                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QApplication::clipboard()->clear();
    QTest::keyClick(table, Qt::Key_C, Qt::ControlModifier);
    const QStringList lines = QApplication::clipboard()->text().split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3); // header + 2 rows
    QCOMPARE(lines[0], u"Node\tValue\tNumber"_s);
    QCOMPARE(lines[1].section(u'\t', 0, 0), table->model()->index(0, 0).data().toString());
    QCOMPARE(lines[2].section(u'\t', 0, 0), table->model()->index(2, 0).data().toString());
    QCOMPARE(lines[1].section(u'\t', 1, 1), u"1.3"_s);

    m_view->clearNodeFilter();
    QCOMPARE(table->model()->rowCount(), NodeCount);
    QTemporaryDir dir;
    const QString file = dir.filePath(u"compare.csv"_s);
    QSignalSpy exported(m_view.get(), &CompareView::exported);
    m_view->exportCsv(file);
    QTRY_COMPARE(exported.size(), 1);
    QCOMPARE(exported.at(0).at(1).toString(), QString());
    QFile in(file);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QStringList csv = QString::fromUtf8(in.readAll()).split(u"\r\n"_s, Qt::SkipEmptyParts);
    QCOMPARE(csv.size(), NodeCount + 1);
    QCOMPARE(csv[0], u"Node,Value,Number"_s);
    for (int r = 0; r < NodeCount; ++r) {
        const QStringList cells = csv[r + 1].split(u',');
        QCOMPARE(cells.size(), 3);
        for (int c = 0; c < 3; ++c) {
            QCOMPARE(cells[c], table->model()->index(r, c).data().toString());
        }
    }
}

void TestCompareView::memoryOutlierFirstInUnitStyle()
{
    QSignalSpy compared(m_view.get(), &CompareView::compared);
    m_view->compare(u"mem.used"_s);
    QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 1, 10000);
    const GroupsModel *groups = m_view->groups();
    QVERIFY(groups->rowCount() >= 2);
    QCOMPARE(groups->row(0).kind, GroupsModel::RowKind::Outlier);
    QCOMPARE(groups->row(0).nodes, QStringList{m_nodes[OutlierIndex]});
    QCOMPARE(groups->row(0).value, u"160G on %1"_s.arg(m_nodes[OutlierIndex]));
    // Raw byte counts are shown humanised, not as 1.71e+10.
    const QAbstractItemModel *shown = m_view->table()->model();
    for (int r = 0; r < shown->rowCount(); ++r) {
        const QString node = shown->index(r, CompareModel::Node).data().toString();
        QCOMPARE(shown->index(r, CompareModel::Number).data().toString(),
                 node == m_nodes[OutlierIndex] ? u"160G"_s : u"15.9G"_s);
    }
    QVERIFY2(m_view->statsLabel()->text().contains(u"min 15.9G"_s),
             qPrintable(m_view->statsLabel()->text()));
    QVERIFY(m_view->statsLabel()->text().contains(u"p99 160G"_s));
    // A path no node has: every node is "missing", none failed.
    compared.clear();
    m_view->compare(u"nope"_s);
    QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 1, 10000);
    QCOMPARE(groups->rowCount(), 1);
    QCOMPARE(groups->row(0).kind, GroupsModel::RowKind::Missing);
    QCOMPARE(groups->row(0).count, NodeCount);
}

void TestCompareView::diffMarksExactlyTheDifferingPath()
{
    DiffView diff(m_local.get());
    diff.setHunt(m_hunt);
    QSignalSpy shown(&diff, &DiffView::diffShown);
    diff.showDiff(m_nodes[39], u"majority"_s);
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 10000);
    QCOMPARE(diff.jsonView()->highlightedPaths(), QStringList{u"version"_s});
    QCOMPARE(diff.table()->rowCount(), 1);
    QCOMPARE(diff.table()->item(0, 1)->text(), u"version"_s);
    QCOMPARE(diff.table()->item(0, 2)->text(), u"2.0"_s);
    QCOMPARE(diff.table()->item(0, 3)->text(), u"1.2"_s);
}

void TestCompareView::exportResultsWritesTheFilteredSet()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(u"results.csv"_s);
    std::optional<Result<qint64>> answer;
    QObject context;
    m_local->exportResults(m_hunt, {u"node"_s, u"outcome"_s, u"version"_s}, ExportFormat::Csv,
                           OutcomeFilter(OutcomeKind::Ok), file, &context,
                           [&answer](Result<qint64> bytes) { answer = std::move(bytes); });
    QTRY_VERIFY(answer.has_value());
    QVERIFY2_OK(*answer);
    QFile in(file);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray bytes = in.readAll();
    QCOMPARE(qint64(bytes.size()), **answer);
    const QStringList lines = QString::fromUtf8(bytes).split(u"\r\n"_s, Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), NodeCount + 1);
    QCOMPARE(lines[0], u"node,outcome,version"_s);
    QCOMPARE(lines.filter(u",ok,2.0"_s).size(), 1);
}

void TestCompareView::jsonRoundTrip()
{
    const Result<FleetValues> values = m_stack->catalog()->values(m_hunt, u"mem.used"_s);
    QVERIFY2_OK(values);
    const Result<FleetValues> back = fleetValuesFromJson(toJson(*values));
    QVERIFY2_OK(back);
    QCOMPARE(toJson(*back), toJson(*values));
    QCOMPARE(back->minorities, values->minorities);
    QCOMPARE(back->groups.first().text, values->groups.first().text);
    QVERIFY(back->stats.has_value());
    QCOMPARE(back->outliers.size(), 1);
    QVERIFY(!fleetValuesFromJson(QJsonObject{{u"x"_s, 1}}));

    const Result<NodeDiff> diff = m_stack->catalog()->diff(m_hunt, m_nodes[39], u"majority"_s);
    QVERIFY2_OK(diff);
    const Result<NodeDiff> diffBack = nodeDiffFromJson(toJson(*diff));
    QVERIFY2_OK(diffBack);
    QCOMPARE(toJson(*diffBack), toJson(*diff));
    QVERIFY(!nodeDiffFromJson(QJsonObject{}));
}

void TestCompareView::numberStyles_data()
{
    QTest::addColumn<QJsonValue>("sample");
    QTest::addColumn<double>("number");
    QTest::addColumn<QString>("shown");
    QTest::newRow("G strings stay G")
        << QJsonValue(u"15.9G"_s) << 15.9 * 1024 * 1024 * 1024 << u"15.9G"_s;
    QTest::newRow("raw bytes humanised")
        << QJsonValue(17071734784.0) << 17071734784.0 << u"15.9G"_s;
    QTest::newRow("percent") << QJsonValue(u"80%"_s) << 80.0 << u"80%"_s;
    QTest::newRow("milliseconds") << QJsonValue(u"12ms"_s) << 12.0 << u"12ms"_s;
    QTest::newRow("plain small") << QJsonValue(12.5) << 12.5 << u"12.5"_s;
    QTest::newRow("plain large fraction") << QJsonValue(12345678.5) << 12345678.5 << u"12345679"_s;
}

void TestCompareView::numberStyles()
{
    QFETCH(QJsonValue, sample);
    QFETCH(double, number);
    QFETCH(QString, shown);
    QCOMPARE(formatNumber(number, detectNumberStyle({sample})), shown);
}

// Values read from a hunt still running cover only its finished nodes: the view says so above
// the answer, and says nothing once the hunt shown is done.
void TestCompareView::runningHuntSaysSoInABanner()
{
    FakeNode hang;
    QVERIFY(hang.start());
    hang.setBehaviour(FakeNode::Behaviour::Hang);
    HuntRequest request{{m_nodes[0], hang.node()}, u"metric"_s, {}, u"test"_s};
    request.options.timeoutMs = 60000;
    request.options.attempts = 1;
    const Result<HuntInfo> running = m_stack->engine()->submit(request);
    QVERIFY2_OK(running);
    QTRY_COMPARE_WITH_TIMEOUT(m_stack->catalog()->find(running->id)->done, 1, 10000);
    const auto *banner = m_view->findChild<QLabel *>(u"compareCoverage"_s);
    QVERIFY(banner);
    QSignalSpy compared(m_view.get(), &CompareView::compared);
    m_view->setHunt(running->id, u"running hunt"_s);
    m_view->compare(u"version"_s);
    QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 1, 10000);
    QTRY_VERIFY(banner->isVisible());
    QCOMPARE(banner->text(), u"hunt still running: 1 of 2 done"_s);

    m_view->setHunt(m_hunt, u"test hunt"_s);
    QVERIFY(!banner->isVisible());
    m_view->compare(u"version"_s);
    QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 2, 10000);
    QVERIFY(!banner->isVisible());
    QVERIFY2_OK(m_stack->catalog()->cancel(running->id));
}

// Issue #22 item 7: Compare groups by labels (core FleetValuesOptions::groupByLabels; the API's
// groupBy=label:dc,label:rack for the remote backend): one row per combination of dc and rack,
// with its own distinct values; clicking one keeps its nodes. The same hunt's fleet labelled
// dc=fra1 (nodes 0-19) / ams1 (20-39), rack r0..r2, except nodes 36-39 (the 1.3 and 2.0
// versions) in ams1 rack r7.
void TestCompareView::groupByLabelsSlicesTheAnswer()
{
    HuntRequest request{m_nodes, u"metric"_s, {}, u"test"_s};
    for (int i = 0; i < NodeCount; ++i) {
        request.labels.append(Labels{{u"dc"_s, i < 20 ? u"fra1"_s : u"ams1"_s},
                                     {u"rack"_s, i >= 36 ? u"r7"_s : u"r%1"_s.arg(i % 3)}});
    }
    const Result<HuntInfo> hunt = m_stack->engine()->submit(request);
    QVERIFY2_OK(hunt);
    QTRY_VERIFY_WITH_TIMEOUT(m_stack->huntSettled(hunt->id), 20000);

    RestServer server(m_stack->stack(), RestServerConfig{});
    const quint16 port = server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);
    RemoteBackend remote;
    remote.setServer(QUrl(u"http://127.0.0.1:%1"_s.arg(port)), {});

    for (HuntBackend *backend :
         {static_cast<HuntBackend *>(m_local.get()), static_cast<HuntBackend *>(&remote)}) {
        CompareView view(backend);
        view.resize(1200, 700);
        view.show();
        view.setHunt(hunt->id, u"labelled"_s);
        QSignalSpy compared(&view, &CompareView::compared);
        // A bad name is refused before anything is asked.
        view.groupByEdit()->setText(u"dc, 1rack"_s);
        view.compare(u"version"_s);
        QVERIFY2(view.statsLabel()->text().startsWith(u"Group by labels: "_s),
                 qPrintable(view.statsLabel()->text()));
        QVERIFY(compared.isEmpty());

        view.groupByEdit()->setText(u"dc, rack"_s);
        view.compare(u"version"_s);
        QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 1, 10000);
        QCOMPARE(view.values()->groupLabels, (QStringList{u"dc"_s, u"rack"_s}));
        QTableWidget *slices = view.slicesTable();
        QVERIFY(slices->isVisible());
        QCOMPARE(slices->rowCount(), 7); // fra1 x r0..r2, ams1 x r0..r2, ams1/r7
        int r7 = -1;
        for (int row = 0; row < slices->rowCount(); ++row) {
            if (slices->item(row, 0)->text() == u"dc=ams1, rack=r7"_s) {
                r7 = row;
            }
        }
        QVERIFY(r7 >= 0);
        QCOMPARE(slices->item(r7, 1)->text(), u"4"_s);      // nodes
        QCOMPARE(slices->item(r7, 3)->text(), u"2"_s);      // distinct: 1.3 and 2.0
        const QString common = slices->item(r7, 4)->text(); // 1.3 on 3 of the 4 nodes
        QVERIFY2(common.startsWith(jsonValueText(QJsonValue(u"1.3"_s)) + u" (75"_s),
                 qPrintable(common));
        view.selectSlice(r7);
        QCOMPARE(view.table()->model()->rowCount(), 4);
        QSet<QString> shown;
        for (int row = 0; row < 4; ++row) {
            shown.insert(view.table()->model()->index(row, CompareModel::Node).data().toString());
        }
        QCOMPARE(shown, (QSet<QString>{m_nodes[36], m_nodes[37], m_nodes[38], m_nodes[39]}));

        // Cleared: the whole hunt only, no slices.
        view.groupByEdit()->clear();
        view.compare(u"version"_s);
        QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 2, 10000);
        QVERIFY(!slices->isVisible());
        QVERIFY(view.values()->byLabel.empty());
    }
}

// The description given when a hunt was opened while running says "running" no more once a
// compare has read the hunt again (issue #22 item 10).
void TestCompareView::huntDescriptionFollowsTheHunt()
{
    m_view->setHunt(m_hunt, u"Hunt X — metric — running, 0 of 40 nodes, 0 ok"_s);
    QSignalSpy compared(m_view.get(), &CompareView::compared);
    m_view->compare(u"version"_s);
    QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 1, 10000);
    QTRY_VERIFY2(m_view->huntLabel()->text().contains(u" — done, 40 of 40 nodes, 40 ok"_s),
                 qPrintable(m_view->huntLabel()->text()));
    QVERIFY(m_view->huntLabel()->text().startsWith(u"Hunt "_s + m_hunt));
}

QTEST_MAIN(TestCompareView)
#include "tst_compareview.moc"
