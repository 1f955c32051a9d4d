// ResultQuery over a real store: the node search (ResultQuery::nodeContains) alone and with the
// outcome filter and a sort, exact totals, paging, case-insensitivity, and the same set from
// selectLines; ResultSort by outcome (outcome name, then file order) and by latency (answered
// rows first, failures after them).
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "core/base/huntid.h"
#include "core/fetch/outcome.h"
#include "core/hunt/huntinfo.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

constexpr int Count = 300;

// Nodes "Rack-A-<i>.example:9100" for even i, "rack-b-<i>.example:9100" for odd i; kinds cycle
// ok, timeout, refused; latency descends with i so file order and latency order differ.
Outcome makeOutcome(int i)
{
    static constexpr OutcomeKind Kinds[] = {OutcomeKind::Ok, OutcomeKind::Timeout,
                                            OutcomeKind::Refused};
    Outcome o;
    o.node = (i % 2 == 0 ? u"Rack-A-%1.example:9100"_s : u"rack-b-%1.example:9100"_s).arg(i);
    o.url = u"http://"_s + o.node + u"/metrics"_s;
    o.outcome = Kinds[i % 3];
    o.httpStatus = o.outcome == OutcomeKind::Ok ? 200 : 0;
    o.attempts = 1;
    o.latencyMs = 1000 - i;
    o.fetchedAt = QDateTime::fromMSecsSinceEpoch(1700000000000 + i, Qt::UTC);
    o.body = QJsonObject{{u"i"_s, i}};
    return o;
}

QStringList nodesOf(const QList<Outcome> &outcomes)
{
    QStringList nodes;
    for (const Outcome &o : outcomes) {
        nodes.append(o.node);
    }
    return nodes;
}

} // namespace

class TestResultQuery : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void search_data();
    void search();
    void searchPagesAndSelectLinesAgree();
    void sortByOutcome();
    void sortByLatencyPutsFailuresLast();
    void parseOutcomeSort();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ResultStore> m_store;
    QString m_id;
    QList<Outcome> m_all;
};

void TestResultQuery::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_store = std::make_unique<ResultStore>(m_dir.path());
    QVERIFY(m_store->open());
    HuntInfo info;
    info.id = newHuntId();
    info.state = HuntState::Done;
    info.url = u"/metrics"_s;
    info.total = Count;
    info.createdAt = QDateTime::currentDateTimeUtc();
    info.origin = u"test"_s;
    QStringList nodes;
    for (int i = 0; i < Count; ++i) {
        m_all.append(makeOutcome(i));
        nodes.append(m_all.last().node);
    }
    QVERIFY(m_store->createHunt(info, nodes));
    // Two batches, so the file has more than one append.
    QVERIFY(m_store->appendResults(info.id, m_all.mid(0, Count / 2)));
    QVERIFY(m_store->appendResults(info.id, m_all.mid(Count / 2)));
    m_id = info.id;
}

void TestResultQuery::search_data()
{
    QTest::addColumn<QString>("search");
    QTest::addColumn<QString>("outcome");
    QTest::addColumn<QString>("sort");

    QTest::newRow("substring") << u"-1"_s << QString() << QString();
    QTest::newRow("case-insensitive upper") << u"RACK-B"_s << QString() << QString();
    QTest::newRow("case-insensitive lower") << u"rack-a-2"_s << QString() << QString();
    QTest::newRow("port matches all") << u":9100"_s << QString() << QString();
    QTest::newRow("no match") << u"10.0.0.1"_s << QString() << QString();
    QTest::newRow("with outcome") << u"rack-b"_s << u"timeout"_s << QString();
    QTest::newRow("with failed set") << u"-2"_s << u"failed"_s << QString();
    QTest::newRow("with sort") << u"a-1"_s << QString() << u"-node"_s;
    QTest::newRow("with outcome and sort") << u"5"_s << u"ok,refused"_s << u"latency"_s;
}

void TestResultQuery::search()
{
    QFETCH(QString, search);
    QFETCH(QString, outcome);
    QFETCH(QString, sort);

    ResultQuery query;
    query.limit = Count;
    query.nodeContains = search;
    query.outcome = *OutcomeFilter::parse(outcome);
    query.sort = *ResultSort::parse(sort);

    // The expectation, computed the slow way from the outcomes themselves.
    QList<Outcome> want;
    for (const Outcome &o : std::as_const(m_all)) {
        if (query.outcome.matches(o.outcome) && o.node.contains(search, Qt::CaseInsensitive)) {
            want.append(o);
        }
    }
    if (query.sort.by == ResultSort::By::Node) {
        std::stable_sort(want.begin(), want.end(), [&](const Outcome &a, const Outcome &b) {
            return query.sort.descending ? b.node < a.node : a.node < b.node;
        });
    } else if (query.sort.by == ResultSort::By::Latency) {
        std::stable_sort(want.begin(), want.end(), [](const Outcome &a, const Outcome &b) {
            const bool aFailed = a.outcome != OutcomeKind::Ok;
            const bool bFailed = b.outcome != OutcomeKind::Ok;
            return aFailed != bFailed ? bFailed : a.latencyMs < b.latencyMs;
        });
    }

    const Result<ResultPage> page = m_store->readResults(m_id, query);
    QVERIFY2(page, qPrintable(page ? QString() : page.error().message));
    QCOMPARE(page->total, int(want.size()));
    QCOMPARE(nodesOf(page->outcomes), nodesOf(want));

    const Result<QList<LineRef>> lines = m_store->selectLines(m_id, query);
    QVERIFY(lines);
    QCOMPARE(lines->size(), want.size());
}

void TestResultQuery::searchPagesAndSelectLinesAgree()
{
    ResultQuery query;
    query.nodeContains = u"rack-b"_s; // the odd half
    query.limit = 40;
    QStringList paged;
    for (query.offset = 0; query.offset < Count; query.offset += query.limit) {
        const Result<ResultPage> page = m_store->readResults(m_id, query);
        QVERIFY(page);
        QCOMPARE(page->total, Count / 2); // exact on every page, not only the first
        QCOMPARE(page->offset, query.offset);
        paged += nodesOf(page->outcomes);
    }
    QCOMPARE(paged.size(), Count / 2);
    for (int k = 0; k < paged.size(); ++k) {
        QCOMPARE(paged[k], m_all[2 * k + 1].node); // file order without a sort
    }
    // The search is applied after the outcome filter and before the page.
    query.offset = 0;
    query.limit = 5;
    query.outcome = OutcomeKind::Refused; // i % 3 == 2; odd too: i % 6 == 5
    const Result<ResultPage> page = m_store->readResults(m_id, query);
    QVERIFY(page);
    QCOMPARE(page->total, Count / 6);
    QCOMPARE(nodesOf(page->outcomes), (QStringList{m_all[5].node, m_all[11].node, m_all[17].node,
                                                   m_all[23].node, m_all[29].node}));
}

void TestResultQuery::sortByOutcome()
{
    ResultQuery query;
    query.limit = Count;
    query.sort = *ResultSort::parse(u"outcome");
    const Result<ResultPage> page = m_store->readResults(m_id, query);
    QVERIFY(page);
    QCOMPARE(page->total, Count);
    // By name: ok < refused < timeout; equal names keep file order.
    QStringList want;
    for (OutcomeKind kind : {OutcomeKind::Ok, OutcomeKind::Refused, OutcomeKind::Timeout}) {
        for (const Outcome &o : std::as_const(m_all)) {
            if (o.outcome == kind) {
                want.append(o.node);
            }
        }
    }
    QCOMPARE(nodesOf(page->outcomes), want);

    query.sort.descending = true;
    query.limit = 3;
    const Result<ResultPage> down = m_store->readResults(m_id, query);
    QVERIFY(down);
    QCOMPARE(down->outcomes.first().outcome, OutcomeKind::Timeout);
    QCOMPARE(down->outcomes.first().node, m_all[1].node); // ties still in file order
    QCOMPARE(down->outcomes.at(1).node, m_all[4].node);
}

void TestResultQuery::sortByLatencyPutsFailuresLast()
{
    for (const bool descending : {false, true}) {
        ResultQuery query;
        query.limit = Count;
        query.sort.by = ResultSort::By::Latency;
        query.sort.descending = descending;
        const Result<ResultPage> page = m_store->readResults(m_id, query);
        QVERIFY(page);
        const QList<Outcome> &rows = page->outcomes;
        QCOMPARE(rows.size(), Count);
        const int ok = Count / 3;
        for (int r = 0; r < rows.size(); ++r) {
            QCOMPARE(rows[r].outcome == OutcomeKind::Ok, r < ok);
            if (r > 0 && (r < ok) == (r - 1 < ok)) {
                QVERIFY(descending ? rows[r - 1].latencyMs >= rows[r].latencyMs
                                   : rows[r - 1].latencyMs <= rows[r].latencyMs);
            }
        }
    }
    // Only failures: still in latency order (outcome=failed&sort=-latency).
    ResultQuery failed;
    failed.limit = 2;
    failed.outcome = OutcomeFilter::failed();
    failed.sort = *ResultSort::parse(u"-latency");
    const Result<ResultPage> page = m_store->readResults(m_id, failed);
    QVERIFY(page);
    QCOMPARE(page->total, Count - Count / 3);
    QCOMPARE(nodesOf(page->outcomes), (QStringList{m_all[1].node, m_all[2].node}));
}

void TestResultQuery::parseOutcomeSort()
{
    const Result<ResultSort> up = ResultSort::parse(u"outcome");
    QVERIFY(up);
    QCOMPARE(up->by, ResultSort::By::Outcome);
    QVERIFY(!up->descending);
    QCOMPARE(up->toString(), u"outcome"_s);
    const Result<ResultSort> down = ResultSort::parse(u"-outcome");
    QVERIFY(down);
    QCOMPARE(down->toString(), u"-outcome"_s);
    // A body key of the same name is still reachable, quoted.
    const Result<ResultSort> path = ResultSort::parse(uR"(["outcome"])");
    QVERIFY2(path, qPrintable(path ? QString() : path.error().message));
    QCOMPARE(path->by, ResultSort::By::Path);
}

QTEST_GUILESS_MAIN(TestResultQuery)
#include "tst_resultquery.moc"
