// FleetValues: grouping one path across a hunt, stats, numeric and minority outliers.
#include <QtTest>

#include <algorithm>
#include <cmath>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "core/base/huntid.h"
#include "core/fleet/fleetvalues.h"
#include "core/hunt/huntinfo.h"
#include "core/store/resultskim.h"
#include "core/store/resultstore.h"
#include "tests/common/storedhunt.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

constexpr double GiB = 1024.0 * 1024 * 1024;
constexpr double MiB = 1024.0 * 1024;
constexpr int Nodes = 2000;

QString nodeName(int i)
{
    return u"10.0.%1.%2:9100"_s.arg(i / 250).arg(i % 250);
}

Outcome okOutcome(const QString &node, const QJsonObject &body)
{
    return Artemis::Test::okAnswer(node, body);
}

Outcome failedOutcome(const QString &node, OutcomeKind kind)
{
    return Outcome::unanswered(node, u"http://"_s + node + u"/metric"_s, kind, u"no answer"_s, 1);
}

// A done hunt in `store` holding `outcomes`; its id ("" when it could not be stored).
QString storeHunt(ResultStore &store, const QList<Outcome> &outcomes)
{
    const Result<HuntInfo> hunt = Artemis::Test::storeDoneHunt(store, outcomes);
    return hunt ? hunt->id : QString();
}

// Deterministic noise: a 32-bit LCG, and the sum of three uniforms on [-1, 1) (variance 1,
// bounded at 3 sigma, so no normal node can score past 3.5).
class Noise
{
public:
    double uniform()
    {
        m_state = m_state * 1664525u + 1013904223u;
        return double(m_state >> 8) / double(1u << 24) * 2.0 - 1.0;
    }
    double normalish() { return uniform() + uniform() + uniform(); }

private:
    quint32 m_state = 12345;
};

// The planted hunt: 2,000 nodes. Versions 1826 x 1.4.2, 57 x 1.4.1, 17 x 1.3.9; 60 ok nodes
// without the keys, 25 timeouts and 15 refused. mem.used around 2 GiB (sigma 40 MiB; every
// tenth node writes it as "NNNNM"), three outliers: "15.9G", 0.5 GiB and 6 GiB. One duplicate
// record at the end (ignored: first record wins).
struct Planted
{
    QList<Outcome> outcomes;
    QMap<QString, double> memory; // node -> number, as the test computes it
    QStringList outliers;         // expected order: |score| descending
};

Planted planted()
{
    Planted p;
    Noise noise;
    for (int i = 0; i < Nodes; ++i) {
        const QString node = nodeName(i);
        if (i >= 1900 && i < 1925) {
            p.outcomes.append(failedOutcome(node, OutcomeKind::Timeout));
            continue;
        }
        if (i >= 1925 && i < 1940) {
            p.outcomes.append(failedOutcome(node, OutcomeKind::Refused));
            continue;
        }
        if (i >= 1940) {
            p.outcomes.append(okOutcome(node, QJsonObject{{u"status"_s, u"ok"_s}}));
            continue;
        }
        const QString version = i < 1826 ? u"1.4.2"_s : (i < 1883 ? u"1.4.1"_s : u"1.3.9"_s);
        QJsonValue mem;
        double number = 0;
        if (i == 100) {
            mem = u"15.9G"_s;
            number = 15.9 * GiB;
        } else if (i == 700) {
            mem = 6 * GiB;
            number = 6 * GiB;
        } else if (i == 1500) {
            mem = 0.5 * GiB;
            number = 0.5 * GiB;
        } else if (i % 10 == 3) {
            const int mib = int(std::lround(2048 + 40 * noise.normalish()));
            mem = u"%1M"_s.arg(mib);
            number = mib * MiB;
        } else {
            number = std::round(2 * GiB + 40 * MiB * noise.normalish());
            mem = number;
        }
        p.memory.insert(node, number);
        p.outcomes.append(okOutcome(node, QJsonObject{
                                              {u"version"_s, version},
                                              {u"mem"_s, QJsonObject{{u"used"_s, mem}}},
                                          }));
    }
    p.outliers = {nodeName(100), nodeName(700), nodeName(1500)};
    p.outcomes.append(okOutcome(nodeName(0), QJsonObject{{u"version"_s, u"9.9.9"_s}}));
    return p;
}

FleetValues build(const QList<Outcome> &outcomes, const QString &path,
                  const FleetValuesOptions &options = {})
{
    FleetValuesBuilder builder(*parseJsonPath(path), options);
    for (const Outcome &o : outcomes) {
        builder.add(o);
    }
    return builder.finish();
}

QList<Outcome> numbers(const QList<double> &values)
{
    QList<Outcome> out;
    for (qsizetype i = 0; i < values.size(); ++i) {
        out.append(okOutcome(nodeName(int(i)), QJsonObject{{u"x"_s, values[i]}}));
    }
    return out;
}

double nearestRankOf(QList<double> sorted, double percent)
{
    std::sort(sorted.begin(), sorted.end());
    const auto rank = qsizetype(std::ceil(percent / 100.0 * double(sorted.size())));
    return sorted[std::max<qsizetype>(rank, 1) - 1];
}

} // namespace

class TestFleetValues : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void versions();
    void memoryStatsAndOutliers();
    void percentiles_data();
    void percentiles();
    void outlierRules_data();
    void outlierRules();
    void minorityRule_data();
    void minorityRule();
    void groupingKeepsTypes();
    void jsonShape();
    void skim_data();
    void skim();
    void fromStore();
    void storeErrors();
    void labelCombinations();
};

void TestFleetValues::versions()
{
    const Planted p = planted();
    const FleetValues v = build(p.outcomes, u"version"_s);
    QCOMPARE(v.path, u"version"_s);
    QCOMPARE(v.nodes, Nodes);
    QCOMPARE(v.duplicates, 1);
    QCOMPARE(v.withValue, 1900);
    QCOMPARE(v.missing, 60);
    const QMap<QString, int> failed{{u"timeout"_s, 25}, {u"refused"_s, 15}};
    QCOMPARE(v.failed, failed);
    QCOMPARE(v.groups.size(), 3);
    QCOMPARE(v.groups[0].value, QJsonValue(u"1.4.2"_s));
    QCOMPARE(v.groups[0].count, 1826);
    QCOMPARE(v.groups[0].nodes.first(), nodeName(0)); // not the duplicate's 9.9.9
    QCOMPARE(v.groups[1].value, QJsonValue(u"1.4.1"_s));
    QCOMPARE(v.groups[1].count, 57);
    QCOMPARE(v.groups[2].value, QJsonValue(u"1.3.9"_s));
    QCOMPARE(v.groups[2].count, 17);
    QCOMPARE(v.groups[2].nodes.size(), 17);
    QVERIFY(qFuzzyCompare(v.groups[1].share, 57.0 / 1900.0));
    QVERIFY(!v.groups[0].minority);
    QVERIFY(v.groups[1].minority);
    QVERIFY(v.groups[2].minority);
    QCOMPARE(v.minorities, (QList<int>{1, 2}));
    QVERIFY(!v.stats); // "1.4.2" is not a number
    QVERIFY(v.outliers.isEmpty());
}

void TestFleetValues::memoryStatsAndOutliers()
{
    const Planted p = planted();
    const FleetValues v = build(p.outcomes, u"mem.used"_s);
    QCOMPARE(v.withValue, 1900);
    QCOMPARE(v.missing, 60);
    QVERIFY(v.stats);
    const QList<double> expected = p.memory.values();
    double sum = 0;
    for (double x : expected) {
        sum += x;
    }
    QCOMPARE(v.stats->count, 1900);
    QCOMPARE(v.stats->min, *std::min_element(expected.cbegin(), expected.cend()));
    QCOMPARE(v.stats->max, 15.9 * GiB);
    QCOMPARE(v.stats->p50, nearestRankOf(expected, 50));
    QCOMPARE(v.stats->p90, nearestRankOf(expected, 90));
    QCOMPARE(v.stats->p99, nearestRankOf(expected, 99));
    QVERIFY(qFuzzyCompare(v.stats->mean, sum / double(expected.size())));

    QStringList outlierNodes;
    for (const ValueOutlier &o : v.outliers) {
        outlierNodes.append(o.node);
        QVERIFY2(std::abs(o.score) > 3.5, qPrintable(o.node));
        QCOMPARE(o.number, p.memory.value(o.node));
    }
    QCOMPARE(outlierNodes, p.outliers); // exactly the planted ones: no normal node
    QCOMPARE(v.outlierCount, 3);
    QCOMPARE(v.outliers[0].value, QJsonValue(u"15.9G"_s));
    QVERIFY(v.outliers[0].score > 0);
    QVERIFY(v.outliers[2].score < 0); // 0.5 GiB is below the median

    // The score itself, from the definition.
    QList<double> sorted = expected;
    std::sort(sorted.begin(), sorted.end());
    const double median = (sorted[949] + sorted[950]) / 2;
    QList<double> deviations;
    for (double x : sorted) {
        deviations.append(std::abs(x - median));
    }
    std::sort(deviations.begin(), deviations.end());
    const double mad = (deviations[949] + deviations[950]) / 2;
    QVERIFY(qFuzzyCompare(v.outliers[0].score, 0.6745 * (15.9 * GiB - median) / mad));

    FleetValuesOptions two;
    two.maxOutliers = 2;
    const FleetValues cut = build(p.outcomes, u"mem.used"_s, two);
    QCOMPARE(cut.outliers.size(), 2);
    QCOMPARE(cut.outlierCount, 3);
}

void TestFleetValues::percentiles_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<double>("p50");
    QTest::addColumn<double>("p90");
    QTest::addColumn<double>("p99");
    QTest::addColumn<double>("mean");
    QTest::newRow("one") << QList<double>{7} << 7.0 << 7.0 << 7.0 << 7.0;
    QTest::newRow("1..10") << QList<double>{3, 1, 2, 10, 9, 8, 7, 6, 5, 4} << 5.0 << 9.0 << 10.0
                           << 5.5;
    QTest::newRow("wikipedia nearest rank")
        << QList<double>{15, 20, 35, 40, 50} << 35.0 << 50.0 << 50.0 << 32.0;
    QTest::newRow("repeated values")
        << QList<double>{1, 1, 1, 1, 100} << 1.0 << 100.0 << 100.0 << 20.8;
}

void TestFleetValues::percentiles()
{
    QFETCH(QList<double>, values);
    QFETCH(double, p50);
    QFETCH(double, p90);
    QFETCH(double, p99);
    QFETCH(double, mean);
    const FleetValues v = build(numbers(values), u"x"_s);
    QVERIFY(v.stats);
    QCOMPARE(v.stats->count, values.size());
    QCOMPARE(v.stats->p50, p50);
    QCOMPARE(v.stats->p90, p90);
    QCOMPARE(v.stats->p99, p99);
    QVERIFY(qFuzzyCompare(v.stats->mean, mean));
}

void TestFleetValues::outlierRules_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<QList<int>>("outliers"); // indexes, in score order
    QTest::newRow("MAD") << QList<double>{10, 11, 9, 10, 12, 8, 10, 50} << QList<int>{7};
    QTest::newRow("MAD 0: meanAD fallback") << QList<double>{5, 5, 5, 5, 5, 5, 9} << QList<int>{6};
    QTest::newRow("all equal: none") << QList<double>{5, 5, 5, 5} << QList<int>{};
    QTest::newRow("two values: too few") << QList<double>{1, 1000} << QList<int>{};
    QTest::newRow("both sides, by |score|")
        << QList<double>{100, 101, 99, 100, 102, 98, 100, -300, 200} << QList<int>{7, 8};
}

void TestFleetValues::outlierRules()
{
    QFETCH(QList<double>, values);
    QFETCH(QList<int>, outliers);
    const FleetValues v = build(numbers(values), u"x"_s);
    QStringList expected;
    for (int i : outliers) {
        expected.append(nodeName(i));
    }
    QStringList actual;
    for (const ValueOutlier &o : v.outliers) {
        actual.append(o.node);
    }
    QCOMPARE(actual, expected);
}

void TestFleetValues::minorityRule_data()
{
    QTest::addColumn<QList<int>>("split"); // nodes per value
    QTest::addColumn<QList<bool>>("minority");
    QTest::newRow("96/4") << QList<int>{96, 4} << QList<bool>{false, true};
    QTest::newRow("95/5: 5% is not below 5%") << QList<int>{95, 5} << QList<bool>{false, false};
    // Rare against the other values, with or without a majority value (issue #22: a 33/33/33 %
    // build split plus 10 canaries was not flagged).
    QTest::newRow("no majority: 46/30/20/4")
        << QList<int>{46, 30, 20, 4} << QList<bool>{false, false, false, true};
    QTest::newRow("50/46/4") << QList<int>{50, 46, 4} << QList<bool>{false, false, true};
    QTest::newRow("33/33/33 % + 10 canaries of 2,000")
        << QList<int>{664, 663, 663, 10} << QList<bool>{false, false, false, true};
    QTest::newRow("33/33/33 % + 0.5 % + 0.25 %")
        << QList<int>{660, 660, 660, 10, 5} << QList<bool>{false, false, false, true, true};
    QTest::newRow("40/30/30: nothing rare")
        << QList<int>{40, 30, 30} << QList<bool>{false, false, false};
    QTest::newRow("every value rare: 25 x 4 %") << QList<int>(25, 4) << QList<bool>(25, false);
    QTest::newRow("rare values hold most: 10 x 3 % + 70 x 1 %")
        << (QList<int>(10, 3) + QList<int>(70, 1)) << QList<bool>(80, false);
    QTest::newRow("two common values at 48 % + 4 %")
        << QList<int>{48, 48, 4} << QList<bool>{false, false, true};
}

void TestFleetValues::minorityRule()
{
    QFETCH(QList<int>, split);
    QFETCH(QList<bool>, minority);
    QList<Outcome> outcomes;
    for (qsizetype g = 0; g < split.size(); ++g) {
        for (int k = 0; k < split[g]; ++k) {
            const QString node = nodeName(int(outcomes.size()));
            outcomes.append(okOutcome(node, QJsonObject{{u"v"_s, u"value-%1"_s.arg(g)}}));
        }
    }
    const FleetValues v = build(outcomes, u"v"_s);
    QCOMPARE(v.groups.size(), split.size());
    for (qsizetype g = 0; g < split.size(); ++g) {
        QCOMPARE(v.groups[g].count, split[g]);
        QCOMPARE(v.groups[g].minority, minority[g]);
    }
}

void TestFleetValues::groupingKeepsTypes()
{
    const QList<Outcome> outcomes = {
        okOutcome(nodeName(0), QJsonObject{{u"v"_s, 1}}),
        okOutcome(nodeName(1), QJsonObject{{u"v"_s, u"1"_s}}),
        okOutcome(nodeName(2), QJsonObject{{u"v"_s, 1.0}}),
        okOutcome(nodeName(3), QJsonObject{{u"v"_s, QJsonValue::Null}}),
        okOutcome(nodeName(4), QJsonObject{{u"v"_s, QJsonArray{1, 2}}}),
        okOutcome(nodeName(5), QJsonObject{{u"v"_s, QJsonArray{1, 2}}}),
        okOutcome(nodeName(6), QJsonObject{{u"w"_s, 1}}),
    };
    const FleetValues v = build(outcomes, u"v"_s);
    QCOMPARE(v.withValue, 6);
    QCOMPARE(v.missing, 1);
    QCOMPARE(v.groups.size(), 4);
    // 1 and 1.0 are the same JSON number; "1" is a string; ties sort by the compact text.
    QCOMPARE(v.groups[0].text, u"1"_s);
    QCOMPARE(v.groups[0].count, 2);
    QCOMPARE(v.groups[1].text, u"[1,2]"_s);
    QCOMPARE(v.groups[1].count, 2);
    QCOMPARE(v.groups[2].text, u"\"1\""_s);
    QCOMPARE(v.groups[3].text, u"null"_s);
    QVERIFY(v.stats);
    QCOMPARE(v.stats->count, 3); // the number twice and the number-like string
    QCOMPARE(compactJsonText(u"a\"b\n"_s), u"\"a\\\"b\\n\""_s);
    QCOMPARE(compactJsonText(0.1), u"0.1"_s);
    QCOMPARE(compactJsonText(QJsonObject{{u"b"_s, 1}, {u"a"_s, true}}), u"{\"a\":true,\"b\":1}"_s);
}

void TestFleetValues::jsonShape()
{
    const Planted p = planted();
    FleetValuesOptions options;
    options.maxGroups = 2;
    options.maxNodesPerGroup = 3;
    const QJsonObject json = toJson(build(p.outcomes, u"version"_s, options), options);
    QStringList keys = json.keys();
    keys.sort();
    QCOMPARE(keys, (QStringList{u"failed"_s, u"groupCount"_s, u"groups"_s, u"missing"_s, u"nodes"_s,
                                u"outliers"_s, u"path"_s, u"stats"_s, u"withValue"_s}));
    QCOMPARE(json[u"path"_s].toString(), u"version"_s);
    QCOMPARE(json[u"nodes"_s].toInt(), Nodes);
    QCOMPARE(json[u"withValue"_s].toInt(), 1900);
    QCOMPARE(json[u"missing"_s].toInt(), 60);
    QCOMPARE(json[u"failed"_s].toObject(), (QJsonObject{{u"timeout"_s, 25}, {u"refused"_s, 15}}));
    QCOMPARE(json[u"groupCount"_s].toInt(), 3);
    QVERIFY(json[u"stats"_s].isNull());
    QCOMPARE(json[u"outliers"_s].toArray().size(), 0);
    const QJsonArray groups = json[u"groups"_s].toArray();
    QCOMPARE(groups.size(), 2);
    const QJsonObject second = groups[1].toObject();
    keys = second.keys();
    QCOMPARE(keys, (QStringList{u"count"_s, u"minority"_s, u"nodes"_s, u"share"_s, u"value"_s}));
    QCOMPARE(second[u"value"_s].toString(), u"1.4.1"_s);
    QCOMPARE(second[u"count"_s].toInt(), 57);
    QCOMPARE(second[u"nodes"_s].toArray().size(), 3);
    QCOMPARE(second[u"nodes"_s].toArray()[0].toString(), nodeName(1826));
    QCOMPARE(second[u"minority"_s].toBool(), true);
    QVERIFY(qFuzzyCompare(second[u"share"_s].toDouble(), 57.0 / 1900.0));

    const QJsonObject mem = toJson(build(p.outcomes, u"mem.used"_s));
    const QJsonObject stats = mem[u"stats"_s].toObject();
    keys = stats.keys();
    QCOMPARE(keys, (QStringList{u"count"_s, u"max"_s, u"mean"_s, u"min"_s, u"p50"_s, u"p90"_s,
                                u"p99"_s}));
    const QJsonObject outlier = mem[u"outliers"_s].toArray()[0].toObject();
    keys = outlier.keys();
    QCOMPARE(keys, (QStringList{u"node"_s, u"number"_s, u"score"_s, u"value"_s}));
    QCOMPARE(outlier[u"node"_s].toString(), nodeName(100));
    QCOMPARE(outlier[u"value"_s].toString(), u"15.9G"_s);
    QCOMPARE(outlier[u"number"_s].toDouble(), 15.9 * GiB);
}

void TestFleetValues::skim_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("valid");
    const QByteArray base = R"({"attempts":1,"body":{"a":{"b":[1,{"c":"x\"y"}]},"k.x":2,)"
                            R"("s":"\u00fc","n":null,"e":{}},"node":"n1","outcome":"ok"})";
    QTest::newRow("nested") << base << u"a.b[1].c"_s << true;
    QTest::newRow("array") << base << u"a.b"_s << true;
    QTest::newRow("quoted key") << base << u"[\"k.x\"]"_s << true;
    QTest::newRow("escaped unicode") << base << u"s"_s << true;
    QTest::newRow("null") << base << u"n"_s << true;
    QTest::newRow("empty object") << base << u"e"_s << true;
    QTest::newRow("absent") << base << u"a.z"_s << true;
    QTest::newRow("index past end") << base << u"a.b[5]"_s << true;
    QTest::newRow("whole body") << base << QString() << true;
    QTest::newRow("spaces") << QByteArray(R"( { "node" : "n" , "body" : { "v" : -1.5e3 } } )")
                            << u"v"_s << true;
    QTest::newRow("big integer") << QByteArray(R"({"node":"n","body":{"v":17179869184}})") << u"v"_s
                                 << true;
    QTest::newRow("torn") << base.left(40) << u"a"_s << false;
    QTest::newRow("trailing junk") << base + "x" << u"a"_s << false;
    // Leniencies of QJsonDocument the skimmer shares (they must agree on what is corrupt).
    QTest::newRow("unknown escape") << QByteArray(R"({"node":"\q"})") << u"a"_s << true;
    QTest::newRow("1. accepted") << QByteArray(R"({"node":"n","body":{"v":1.}})") << u"v"_s << true;
    QTest::newRow("control char") << QByteArray("{\"node\":\"a\x01\"}") << u"a"_s << true;
    QTest::newRow("missing comma") << QByteArray(R"({"node":"n" "body":1})") << u"a"_s << false;
    QTest::newRow("not an object") << QByteArray("[1]") << u"a"_s << false;
}

void TestFleetValues::skim()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, path);
    QFETCH(bool, valid);
    const JsonPath parsed = *parseJsonPath(path);
    SkimmedResult skimmed;
    QCOMPARE(skimResultLine(line, parsed, skimmed), valid);
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    QCOMPARE(doc.isObject(), valid);
    if (!valid) {
        return;
    }
    const QJsonObject object = doc.object();
    QCOMPARE(skimmed.node, object[u"node"_s].toString());
    QCOMPARE(skimmed.kind, outcomeFromName(object[u"outcome"_s].toString()));
    const QJsonValue expected = jsonValueAt(object[u"body"_s], parsed);
    QCOMPARE(skimmed.value.isUndefined(), expected.isUndefined());
    QCOMPARE(compactJsonText(skimmed.value), compactJsonText(expected));
}

void TestFleetValues::fromStore()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ResultStore store(dir.path());
    QVERIFY(store.open());
    const Planted p = planted();
    const QString id = storeHunt(store, p.outcomes);
    QVERIFY(!id.isEmpty());

    for (const QString &path : {u"version"_s, u"mem.used"_s, u"status"_s}) {
        const Result<FleetValues> stored = computeFleetValues(store, id, *parseJsonPath(path));
        QVERIFY2(stored, qPrintable(stored ? QString() : stored.error().message));
        QCOMPARE(stored->skippedLines, 0);
        QCOMPARE(stored->duplicates, 1);
        QCOMPARE(toJson(*stored), toJson(build(p.outcomes, path)));
    }

    // A corrupt line is counted and skipped; the rest is read.
    {
        QFile file(store.huntDir(id) + u"/results.ndjson"_s);
        QVERIFY(file.open(QIODevice::Append));
        file.write("{not json\n");
    }
    const Result<FleetValues> withCorrupt =
        computeFleetValues(store, id, *parseJsonPath(u"version"));
    QVERIFY(withCorrupt);
    QCOMPARE(withCorrupt->skippedLines, 1);
    QCOMPARE(withCorrupt->groups[0].count, 1826);
}

void TestFleetValues::storeErrors()
{
    QTemporaryDir dir;
    ResultStore store(dir.path());
    QVERIFY(store.open());
    const Result<FleetValues> missing = computeFleetValues(store, newHuntId(), {});
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
    const Result<FleetValues> bad = computeFleetValues(store, u"../etc"_s, {});
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, ErrorCode::InvalidArgument);
}

void TestFleetValues::labelCombinations()
{
    // {dc, rack} -> (nodes, of which answer 1.3 rather than 1.2); "" = the label is absent.
    const QList<std::tuple<QString, QString, int, int>> fleet{
        {u"eu"_s, u"r7"_s, 6, 1}, {u"eu"_s, u"r8"_s, 3, 0}, {u"us"_s, u"r7"_s, 2, 2},
        {u"us"_s, u""_s, 1, 0},   {u""_s, u""_s, 1, 0},
    };
    QList<Outcome> outcomes;
    for (const auto &[dc, rack, count, newer] : fleet) {
        for (int i = 0; i < count; ++i) {
            Outcome o = okOutcome(nodeName(int(outcomes.size())),
                                  QJsonObject{{u"version"_s, i < newer ? u"1.3"_s : u"1.2"_s}});
            if (!dc.isEmpty()) {
                o.labels.insert(u"dc"_s, dc);
            }
            if (!rack.isEmpty()) {
                o.labels.insert(u"rack"_s, rack);
            }
            o.labels.insert(u"role"_s, u"node"_s); // not grouped by: no effect
            outcomes.append(o);
        }
    }
    outcomes.last() = failedOutcome(outcomes.last().node, OutcomeKind::Refused); // unlabelled
    // A node's second record, in another dc: counted once, in its first combination only.
    Outcome again = outcomes.first();
    again.labels.insert(u"dc"_s, u"ap"_s);
    outcomes.append(again);

    FleetValuesOptions options;
    options.groupByLabels = {u"dc"_s, u"rack"_s};
    FleetValuesBuilder builder(*parseJsonPath(u"version"), options);
    for (const Outcome &o : std::as_const(outcomes)) {
        builder.add(o);
    }
    const FleetValues v = builder.finish();
    QCOMPARE(v.nodes, 13);
    QCOMPARE(v.duplicates, 1);
    QCOMPARE(v.groupLabels, options.groupByLabels);
    // Full combinations first (most nodes first), then those lacking rack, then neither.
    QCOMPARE(v.byLabel.size(), size_t(5));
    const QList<std::pair<Labels, int>> expected{
        {{{u"dc"_s, u"eu"_s}, {u"rack"_s, u"r7"_s}}, 6},
        {{{u"dc"_s, u"eu"_s}, {u"rack"_s, u"r8"_s}}, 3},
        {{{u"dc"_s, u"us"_s}, {u"rack"_s, u"r7"_s}}, 2},
        {{{u"dc"_s, u"us"_s}}, 1},
        {{}, 1},
    };
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QCOMPARE(v.byLabel[size_t(i)].labels, expected[i].first);
        QCOMPARE(v.byLabel[size_t(i)].values.nodes, expected[i].second);
    }
    // Each slice follows the same rules over its own nodes: in us/r7 1.3 is the only value.
    const FleetValues &euR7 = v.byLabel[0].values;
    QCOMPARE(euR7.groups.size(), 2);
    QCOMPARE(euR7.groups[0].text, u"\"1.2\""_s);
    QCOMPARE(euR7.groups[0].count, 5);
    QCOMPARE(v.byLabel[2].values.groups.size(), 1);
    QCOMPARE(v.byLabel[2].values.groups[0].text, u"\"1.3\""_s);
    QCOMPARE(v.byLabel[4].values.failed.value(u"refused"_s), 1);

    // JSON: every grouped name in "labels", null where the nodes lack it; "label" only for one.
    const QJsonObject json = toJson(v, options);
    QCOMPARE(json.value(u"groupBy"_s).toString(), u"label:dc,label:rack"_s);
    const QJsonArray slices = json.value(u"byLabel"_s).toArray();
    QCOMPARE(slices.size(), 5);
    QCOMPARE(slices.at(3).toObject().value(u"labels"_s).toObject(),
             (QJsonObject{{u"dc"_s, u"us"_s}, {u"rack"_s, QJsonValue::Null}}));
    QCOMPARE(slices.at(4).toObject().value(u"labels"_s).toObject(),
             (QJsonObject{{u"dc"_s, QJsonValue::Null}, {u"rack"_s, QJsonValue::Null}}));
    QVERIFY(!slices.at(0).toObject().contains(u"label"_s));
    // Read back (the GUI's remote backend) it is the same answer.
    const Result<FleetValues> back = fleetValuesFromJson(json);
    QVERIFY(back);
    QCOMPARE(back->groupLabels, options.groupByLabels);
    QCOMPARE(toJson(*back, options), json);

    // The store scan (labels read from each record) gives the same answer as the builder.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ResultStore store(dir.path());
    QVERIFY(store.open());
    const QString id = storeHunt(store, outcomes);
    QVERIFY(!id.isEmpty());
    const Result<FleetValues> stored =
        computeFleetValues(store, id, *parseJsonPath(u"version"), options);
    QVERIFY2(stored, qPrintable(stored ? QString() : stored.error().message));
    QCOMPARE(toJson(*stored, options), json);

    // One name keeps the single-label shape: "label" beside "labels".
    options.groupByLabels = {u"rack"_s};
    const QJsonObject byRack =
        toJson(*computeFleetValues(store, id, *parseJsonPath(u"version"), options), options);
    QCOMPARE(byRack.value(u"groupBy"_s).toString(), u"label:rack"_s);
    const QJsonObject r7 = byRack.value(u"byLabel"_s).toArray().at(0).toObject();
    QCOMPARE(r7.value(u"label"_s).toString(), u"r7"_s);
    QCOMPARE(r7.value(u"nodes"_s).toInt(), 8);
}

QTEST_GUILESS_MAIN(TestFleetValues)
#include "tst_fleetvalues.moc"
