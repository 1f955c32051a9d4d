// ValueDistribution: a numeric path with many distinct values as a histogram with percentiles
// and its outliers on top; few distinct values keep their groups. Paging of groups in toJson.
#include <QtTest>

#include <QJsonArray>
#include <QJsonObject>

#include "core/fleet/fleetvalues.h"
#include "core/fleet/valuedistribution.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

constexpr int Nodes = 2000;
constexpr int Timeouts = 40;
constexpr int Spread = 221; // distinct values of the healthy nodes

QString nodeName(int i)
{
    return u"10.0.%1.%2:9100"_s.arg(i / 250).arg(i % 250);
}

// disk.root.used_pct as the trial saw it: 1,960 answers spread over 221 values 40.00..51.00
// (step 0.05), two nodes nearly full (99.5, 99.1) and one nearly empty (2.0); 40 timeouts.
FleetValues disk(const FleetValuesOptions &options = {})
{
    FleetValuesBuilder builder(*parseJsonPath(u"disk.root.used_pct"_s), options);
    for (int i = 0; i < Nodes; ++i) {
        const QString node = nodeName(i);
        if (i >= Nodes - Timeouts) {
            builder.addValue(node, OutcomeKind::Timeout, QJsonValue::Undefined);
            continue;
        }
        double pct = 40 + (i % Spread) * 0.05;
        if (i == 500) {
            pct = 99.5;
        } else if (i == 900) {
            pct = 99.1;
        } else if (i == 1300) {
            pct = 2.0;
        }
        builder.addValue(node, OutcomeKind::Ok, pct);
    }
    return builder.finish();
}

FleetValues distinctNumbers(int distinct, int nodes = 200)
{
    FleetValuesBuilder builder(*parseJsonPath(u"x"_s));
    for (int i = 0; i < nodes; ++i) {
        builder.addValue(nodeName(i), OutcomeKind::Ok, double(i % distinct));
    }
    return builder.finish();
}

} // namespace

class TestValueDistribution : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void histogramWithOutliersOnTop();
    void threshold_data();
    void threshold();
    void mostlyText();
    void jsonRoundTrip();
    void groupPaging();
};

void TestValueDistribution::histogramWithOutliersOnTop()
{
    const FleetValues values = disk();
    QVERIFY(values.distribution);
    const ValueDistribution &d = *values.distribution;
    QCOMPARE(d.count, Nodes - Timeouts);
    QCOMPARE(d.min, 2.0);
    QCOMPARE(d.max, 99.5);
    QCOMPARE(d.p50, values.stats->p50);
    QCOMPARE(d.p99, values.stats->p99);

    // The three planted nodes, most extreme first, marked by side.
    QCOMPARE(d.outlierCount, 3);
    QCOMPARE(d.outliers.size(), 3);
    QCOMPARE(d.outliers[0].node, nodeName(500));
    QCOMPARE(d.outliers[0].high, true);
    QCOMPARE(d.outliers[1].node, nodeName(900));
    QCOMPARE(d.outliers[1].high, true);
    QCOMPARE(d.outliers[2].node, nodeName(1300));
    QCOMPARE(d.outliers[2].high, false);
    QCOMPARE(d.outliers[2].number, 2.0);

    // Buckets cover the healthy range only, contiguously, and hold every other node once.
    QCOMPARE(d.buckets.size(), DistributionBuckets);
    QCOMPARE(d.buckets.first().lo, 40.0);
    QVERIFY(qFuzzyCompare(d.buckets.last().hi, 40 + (Spread - 1) * 0.05));
    int inBuckets = 0;
    for (qsizetype i = 0; i < d.buckets.size(); ++i) {
        inBuckets += d.buckets[i].nodes;
        QVERIFY2(d.buckets[i].nodes > 0, qPrintable(u"bucket %1 empty"_s.arg(i)));
        if (i > 0) {
            QCOMPARE(d.buckets[i].lo, d.buckets[i - 1].hi);
        }
    }
    QCOMPARE(inBuckets, d.count - d.outlierCount);
    // 40.00..40.55 are the first bucket's 12 values (width 0.55); nodes 0..1959 cycle over
    // the 221 values, so each value has 8 or 9 nodes; the first 12 values have 9 each
    // (1960 = 8 * 221 + 192), minus none of the outliers (they sat on later values).
    QCOMPARE(d.buckets.first().nodes, 12 * 9);
}

void TestValueDistribution::threshold_data()
{
    QTest::addColumn<int>("distinct");
    QTest::addColumn<bool>("distribution");
    QTest::newRow("1 value: groups") << 1 << false;
    QTest::newRow("20 values: groups") << DistributionMinDistinct << false;
    QTest::newRow("21 values: distribution") << DistributionMinDistinct + 1 << true;
    QTest::newRow("200 values: distribution") << 200 << true;
}

void TestValueDistribution::threshold()
{
    QFETCH(int, distinct);
    QFETCH(bool, distribution);
    const FleetValues values = distinctNumbers(distinct);
    QCOMPARE(bool(values.distribution), distribution);
    QCOMPARE(toJson(values).contains(u"distribution"_s), distribution);
    if (distribution) {
        int nodes = 0;
        for (const DistributionBucket &b : values.distribution->buckets) {
            nodes += b.nodes;
        }
        QCOMPARE(nodes, 200); // evenly spread: no outliers
    }
}

void TestValueDistribution::mostlyText()
{
    // 30 distinct numbers but 20 % text answers: the groups tell more than a histogram.
    FleetValuesBuilder builder(*parseJsonPath(u"x"_s));
    for (int i = 0; i < 100; ++i) {
        builder.addValue(nodeName(i), OutcomeKind::Ok,
                         i < 20 ? QJsonValue(u"n/a"_s) : QJsonValue(double(i % 30)));
    }
    QVERIFY(!builder.finish().distribution);
}

void TestValueDistribution::jsonRoundTrip()
{
    const FleetValues values = disk();
    const QJsonObject json = toJson(values);
    const QJsonObject d = json[u"distribution"_s].toObject();
    QCOMPARE(d[u"count"_s].toInt(), Nodes - Timeouts);
    QCOMPARE(d[u"buckets"_s].toArray().size(), DistributionBuckets);
    QCOMPARE(d[u"outliers"_s].toArray()[2].toObject()[u"side"_s].toString(), u"low"_s);

    const Result<FleetValues> back = fleetValuesFromJson(json);
    QVERIFY(back);
    QVERIFY(back->distribution);
    QCOMPARE(back->distribution->buckets.size(), values.distribution->buckets.size());
    for (qsizetype i = 0; i < values.distribution->buckets.size(); ++i) {
        QCOMPARE(back->distribution->buckets[i].nodes, values.distribution->buckets[i].nodes);
    }
    QCOMPARE(back->distribution->outliers[0].node, nodeName(500));
    QCOMPARE(back->distribution->outlierCount, 3);
    QCOMPARE(back->distribution->p90, values.stats->p90);
}

void TestValueDistribution::groupPaging()
{
    // The GUI's remote Compare reads groups page by page: every group is reachable, and the
    // count is the service's, not the page's.
    const FleetValues values = disk();
    QCOMPARE(values.groupCount, Spread + 3);
    QStringList seen;
    FleetValuesOptions options;
    options.maxGroups = 50;
    for (options.groupOffset = 0; options.groupOffset < values.groupCount;
         options.groupOffset += options.maxGroups) {
        const Result<FleetValues> page = fleetValuesFromJson(toJson(values, options));
        QVERIFY(page);
        QCOMPARE(page->groupCount, Spread + 3);
        QCOMPARE(page->groupOffset, options.groupOffset);
        QVERIFY(page->groups.size() <= 50);
        for (const ValueGroup &g : page->groups) {
            seen.append(g.text);
        }
    }
    QCOMPARE(seen.size(), Spread + 3);
    QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), Spread + 3);
    QCOMPARE(seen.last(), values.groups.last().text); // the rarest value too
}

QTEST_GUILESS_MAIN(TestValueDistribution)
#include "tst_valuedistribution.moc"
