// The table models at scale: a 100,000-node live hunt fed in batches, and a stored hunt with
// 100,000 results opened through paged reads.
#include <QtTest>

#include <QElapsedTimer>
#include <QTableView>
#include <QTemporaryDir>

#include "core/base/huntid.h"
#include "core/engine/huntengine.h"
#include "core/store/resultstore.h"
#include "gui/huntresultsmodel.h"
#include "gui/localbackend.h"
#include "gui/pagedresultsmodel.h"
#include "gui/resultsfilterproxy.h"
#include "tests/common/stackfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Gui;
using Artemis::Test::StackFixture;
using Artemis::Test::StackOptions;

namespace {
constexpr int BigHunt = 100000;

Outcome outcomeFor(int i)
{
    Outcome o;
    o.node = u"10.%1.%2.%3:9100"_s.arg(i >> 16).arg((i >> 8) & 255).arg(i & 255);
    o.url = u"http://"_s + o.node + u"/metric"_s;
    o.outcome = i % 10 == 0 ? OutcomeKind::Timeout : OutcomeKind::Ok;
    o.httpStatus = o.outcome == OutcomeKind::Ok ? 200 : 0;
    o.attempts = 1;
    o.latencyMs = i % 997;
    o.bytes = 100 + i % 50;
    o.fetchedAt = QDateTime::currentDateTimeUtc();
    o.body = o.outcome == OutcomeKind::Ok ? QJsonValue(QJsonObject{{u"i"_s, i}}) : QJsonValue();
    o.worker = u"worker-%1"_s.arg(i % 3); // as a distributed hunt stores it
    return o;
}
} // namespace

class TestGuiModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void liveModelTakesBigHuntInBatches();
    void pagedModelOpensBigStoredHunt();
};

void TestGuiModels::liveModelTakesBigHuntInBatches()
{
    QStringList nodes;
    nodes.reserve(BigHunt);
    for (int i = 0; i < BigHunt; ++i) {
        nodes.append(outcomeFor(i).node);
    }
    HuntResultsModel model;
    ResultsFilterProxy proxy;
    proxy.setSourceModel(&model);
    QTableView view;
    view.setModel(&proxy);
    view.setSortingEnabled(true);
    view.sortByColumn(int(ResultColumn::Latency), Qt::DescendingOrder);
    view.resize(800, 600);
    view.show();

    QElapsedTimer clock;
    clock.start();
    model.start(u"H"_s, nodes);
    QCOMPARE(proxy.rowCount(), BigHunt);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    // ~10 batches a second in a real hunt; here as fast as possible, with repaints between.
    constexpr int Batch = 5000;
    qint64 worstBatchMs = 0;
    for (int start = 0; start < BigHunt; start += Batch) {
        HuntProgress p;
        p.id = u"H"_s;
        for (int i = start; i < start + Batch; ++i) {
            p.newOutcomes.append(outcomeFor(i));
        }
        p.done = start + Batch;
        p.total = BigHunt;
        QElapsedTimer batch;
        batch.start();
        model.applyProgress(p);
        QCoreApplication::processEvents();
        worstBatchMs = std::max(worstBatchMs, batch.elapsed());
    }
    qInfo("100k rows in %d batches: %lld ms total, worst batch %lld ms", BigHunt / Batch,
          clock.elapsed(), worstBatchMs);
    QCOMPARE(changed.size(), BigHunt / Batch); // one update per batch, not one per node
    QCOMPARE(model.rowCount(), BigHunt);
    proxy.setOutcomeFilter(int(OutcomeKind::Timeout));
    QCOMPARE(proxy.rowCount(), BigHunt / 10);
    proxy.setOutcomeFilter(ResultsFilterProxy::AnyOutcome);
    QCOMPARE(proxy.index(0, int(ResultColumn::Latency)).data(SortRole).toLongLong(), 996);
    // Generous bound (sanitizer builds are slow); a release build takes well under a second.
    QVERIFY2(worstBatchMs < 5000, qPrintable(QString::number(worstBatchMs)));
}

void TestGuiModels::pagedModelOpensBigStoredHunt()
{
    StackFixture fixture;
    StackOptions options;
    options.threads = 1;
    options.scheduler.reset();
    QVERIFY2_OK(fixture.open(options));
    ResultStore &store = *fixture.store();
    HuntInfo info;
    info.id = newHuntId();
    info.url = u"/metric"_s;
    info.total = BigHunt;
    info.done = BigHunt;
    info.state = HuntState::Done;
    info.createdAt = QDateTime::currentDateTimeUtc();
    QStringList nodes;
    QList<Outcome> outcomes;
    for (int i = 0; i < BigHunt; ++i) {
        outcomes.append(outcomeFor(i));
        nodes.append(outcomes.last().node);
    }
    const Result<void> created = store.createHunt(info, nodes);
    QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
    QVERIFY(store.appendResults(info.id, outcomes));

    LocalBackend backend(fixture.stack());
    PagedResultsModel model(&backend);
    QTableView view;
    view.setModel(&model);
    view.resize(800, 600);
    view.show();

    QSignalSpy loaded(&model, &PagedResultsModel::loaded);
    QElapsedTimer clock;
    clock.start();
    model.open(info.id);
    QVERIFY(loaded.wait(20000));
    qInfo("opened a 100k-result hunt in %lld ms", clock.elapsed());
    QCOMPARE(model.rowCount(), BigHunt);
    QVERIFY(model.isLoaded(0));
    QVERIFY(!model.isLoaded(BigHunt - 1)); // only what is looked at is read

    view.scrollToBottom();
    QTRY_VERIFY(model.isLoaded(BigHunt - 1));
    QCOMPARE(model.index(BigHunt - 1, int(ResultColumn::Node)).data().toString(),
             outcomeFor(BigHunt - 1).node);
    // The Worker column shows who fetched each node (distributed mode).
    QCOMPARE(
        model.headerData(int(ResultColumn::Worker), Qt::Horizontal, Qt::DisplayRole).toString(),
        u"Worker"_s);
    QCOMPARE(model.index(BigHunt - 1, int(ResultColumn::Worker)).data().toString(),
             outcomeFor(BigHunt - 1).worker);

    QSignalSpy loadedAgain(&model, &PagedResultsModel::loaded);
    model.open(info.id, OutcomeKind::Timeout);
    QVERIFY(loadedAgain.wait(20000));
    QCOMPARE(model.rowCount(), BigHunt / 10);

    bool got = false;
    model.outcomeAt(3, &model, [&got](Result<Outcome> o) {
        QVERIFY(o);
        QCOMPARE(o->node, outcomeFor(30).node);
        got = true;
    });
    QTRY_VERIFY(got);
}

QTEST_MAIN(TestGuiModels)
#include "tst_guimodels.moc"
