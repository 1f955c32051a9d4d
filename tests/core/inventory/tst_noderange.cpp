#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include "core/base/nodelabels.h"
#include "core/base/plural.h"
#include "core/fetch/outcome.h"
#include "core/inventory/noderange.h"
#include "core/net/target.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

// Node ranges (core/inventory/noderange.h) and node labels (core/base/nodelabels.h).
class TestNodeRange : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void expand_data();
    void expand();
    void badRanges_data();
    void badRanges();
    void boundCheckedBeforeExpanding();
    void boundOverSeveralNodes();
    void labelsFollowTheirRange();
    void plainNodesUnchanged();
    void splitNodeList();
    void labelNames_data();
    void labelNames();
    void labelsFromJson();
    void outcomeRecordKeepsLabels();
    void errorsPerGivenNode_data();
    void errorsPerGivenNode();
    void plural_data();
    void plural();
};

void TestNodeRange::expand_data()
{
    QTest::addColumn<QString>("node");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("plain") << u"10.0.0.1:9100"_s << QStringList{u"10.0.0.1:9100"_s};
    QTest::newRow("padded") << u"node[01-03].dc1:9100"_s
                            << QStringList{u"node01.dc1:9100"_s, u"node02.dc1:9100"_s,
                                           u"node03.dc1:9100"_s};
    QTest::newRow("no padding across widths")
        << u"h[8-10]"_s << QStringList{u"h8"_s, u"h9"_s, u"h10"_s};
    QTest::newRow("padding kept past the width")
        << u"h[098-101]"_s << QStringList{u"h098"_s, u"h099"_s, u"h100"_s, u"h101"_s};
    QTest::newRow("octet") << u"10.0.0.[1-3]:9100"_s
                           << QStringList{u"10.0.0.1:9100"_s, u"10.0.0.2:9100"_s,
                                          u"10.0.0.3:9100"_s};
    QTest::newRow("port") << u"127.0.0.1:[20000-20002]"_s
                          << QStringList{u"127.0.0.1:20000"_s, u"127.0.0.1:20001"_s,
                                         u"127.0.0.1:20002"_s};
    QTest::newRow("list") << u"h[1,3,7-9]"_s
                          << QStringList{u"h1"_s, u"h3"_s, u"h7"_s, u"h8"_s, u"h9"_s};
    QTest::newRow("single") << u"h[5]"_s << QStringList{u"h5"_s};
    QTest::newRow("two groups multiply, last fastest")
        << u"r[1-2]n[1-2]"_s << QStringList{u"r1n1"_s, u"r1n2"_s, u"r2n1"_s, u"r2n2"_s};
    QTest::newRow("scheme kept") << u"https://h[1-2]:443"_s
                                 << QStringList{u"https://h1:443"_s, u"https://h2:443"_s};
    QTest::newRow("ipv6 literal untouched") << u"[::1]:9100"_s << QStringList{u"[::1]:9100"_s};
    QTest::newRow("ipv6 without port") << u"[fe80::1]"_s << QStringList{u"[fe80::1]"_s};
    QTest::newRow("ipv6 literal with a port range")
        << u"[::1]:[9100-9101]"_s << QStringList{u"[::1]:9100"_s, u"[::1]:9101"_s};
}

void TestNodeRange::expand()
{
    QFETCH(QString, node);
    QFETCH(QStringList, expected);
    const Result<qint64> count = nodeRangeCount(node, 1000);
    QVERIFY(count);
    QCOMPARE(*count, qint64(expected.size()));
    const Result<QStringList> nodes = expandNodeRange(node);
    QVERIFY(nodes);
    QCOMPARE(*nodes, expected);
    const Result<ExpandedNodes> all = expandNodeRanges({node}, {}, 1000);
    QVERIFY(all);
    QCOMPARE(all->nodes, expected);
    QVERIFY(all->labels.isEmpty());
}

void TestNodeRange::badRanges_data()
{
    QTest::addColumn<QString>("node");
    QTest::addColumn<QString>("reason");
    QTest::newRow("start above end") << u"h[5-1]"_s << u"5 is above 1"_s;
    QTest::newRow("letters") << u"h[a-b]"_s << u"'a-b' is not a number"_s;
    QTest::newRow("unclosed") << u"h[1-3"_s << u"unclosed '['"_s;
    QTest::newRow("empty") << u"h[]"_s << u"empty range"_s;
    QTest::newRow("empty list item") << u"h[1,,3]"_s << u"'' is not a number"_s;
    QTest::newRow("too many digits") << u"h[1-1234567890]"_s << u"not a number"_s;
    QTest::newRow("ipv4 in brackets") << u"[10.0.0.1]:9100"_s << u"not a number"_s;
}

void TestNodeRange::badRanges()
{
    QFETCH(QString, node);
    QFETCH(QString, reason);
    const Result<ExpandedNodes> all = expandNodeRanges({u"ok:9100"_s, node, u"h[1-2]"_s}, {}, 1000);
    QVERIFY(!all);
    QCOMPARE(all.error().code, ErrorCode::InvalidNode);
    const QJsonArray details = all.error().details.toArray();
    QCOMPARE(details.size(), 1);
    const QJsonObject bad = details.at(0).toObject();
    QCOMPARE(bad.value(u"index"_s).toInt(), 1);
    QCOMPARE(bad.value(u"node"_s).toString(), node);
    QVERIFY2(bad.value(u"reason"_s).toString().contains(reason),
             qPrintable(bad.value(u"reason"_s).toString()));
    QVERIFY(all.error().message.contains(node));
}

void TestNodeRange::boundCheckedBeforeExpanding()
{
    // 10^9 * 10^9 nodes would never fit in memory: the count alone refuses it.
    const QString huge = u"h[1-999999999].[1-999999999]"_s;
    const Result<ExpandedNodes> all = expandNodeRanges({huge}, {}, 100000);
    QVERIFY(!all);
    QCOMPARE(all.error().code, ErrorCode::TooLarge);
    QVERIFY2(all.error().message.contains(huge), qPrintable(all.error().message));
    QVERIFY(all.error().message.contains(u"100000"_s));

    const Result<ExpandedNodes> named = expandNodeRanges({u"10.0.[0-255].[1-254]"_s}, {}, 1000);
    QVERIFY(!named);
    QCOMPARE(named.error().code, ErrorCode::TooLarge);
    QVERIFY2(named.error().message.contains(u"65024"_s), qPrintable(named.error().message));
    QCOMPARE(named.error().details.toObject().value(u"expandsTo"_s).toInteger(), 65024);

    const Result<ExpandedNodes> exact = expandNodeRanges({u"h[1-1000]"_s}, {}, 1000);
    QVERIFY(exact);
    QCOMPARE(exact->nodes.size(), 1000);
}

void TestNodeRange::boundOverSeveralNodes()
{
    const Result<ExpandedNodes> all = expandNodeRanges({u"a[1-6]"_s, u"b"_s, u"c[1-4]"_s}, {}, 10);
    QVERIFY(!all);
    QCOMPARE(all.error().code, ErrorCode::TooLarge);
    QVERIFY2(all.error().message.contains(u"'c[1-4]'"_s), qPrintable(all.error().message));
    QVERIFY(all.error().message.contains(u"11 in all"_s));
}

void TestNodeRange::labelsFollowTheirRange()
{
    const Labels fra{{u"dc"_s, u"fra1"_s}};
    const Labels ams{{u"dc"_s, u"ams1"_s}};
    const Result<ExpandedNodes> all = expandNodeRanges({u"f[1-2]"_s, u"a1"_s}, {fra, ams}, 100);
    QVERIFY(all);
    QCOMPARE(all->nodes, (QStringList{u"f1"_s, u"f2"_s, u"a1"_s}));
    QCOMPARE(all->labels, (QList<Labels>{fra, fra, ams}));
}

void TestNodeRange::plainNodesUnchanged()
{
    const QStringList nodes{u"a:1"_s, u"[::1]:2"_s, u"b"_s};
    const Result<ExpandedNodes> all = expandNodeRanges(nodes, {}, 3);
    QVERIFY(all);
    QCOMPARE(all->nodes, nodes);
    QVERIFY(!hasNodeRange(u"[::1]:9100"));
    QVERIFY(hasNodeRange(u"h[1-2]"));
}

void TestNodeRange::splitNodeList()
{
    QCOMPARE(Artemis::splitNodeList(u"h[1,3], other ,[::1]:9100,,x[1-2]"),
             (QStringList{u"h[1,3]"_s, u"other"_s, u"[::1]:9100"_s, u"x[1-2]"_s}));
}

void TestNodeRange::labelNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("simple") << u"dc"_s << true;
    QTest::newRow("underscore first") << u"_x1"_s << true;
    QTest::newRow("mixed") << u"Rack_2"_s << true;
    QTest::newRow("reserved __") << u"__name__"_s << false;
    QTest::newRow("digit first") << u"1dc"_s << false;
    QTest::newRow("dash") << u"my-label"_s << false;
    QTest::newRow("dot") << u"a.b"_s << false;
    QTest::newRow("empty") << QString() << false;
}

void TestNodeRange::labelNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(isValidLabelName(name), valid);
    QCOMPARE(bool(parseLabelAssignment(QString(name + u"=v"_s))), valid);
}

void TestNodeRange::labelsFromJson()
{
    QVERIFY(Artemis::labelsFromJson(QJsonObject{{u"dc"_s, u"fra1"_s}}));
    QVERIFY(!Artemis::labelsFromJson(QJsonObject{{u"dc"_s, 1}}));
    QVERIFY(!Artemis::labelsFromJson(QJsonObject{{u"__x"_s, u"1"_s}}));
    QVERIFY(!Artemis::labelsFromJson(QJsonArray{}));
    QVERIFY(Artemis::labelsFromJson(QJsonValue())->isEmpty());
    const Result<QPair<QString, QString>> a = parseLabelAssignment(u"role=db=primary");
    QVERIFY(a);
    QCOMPARE(a->second, u"db=primary"_s);
    QCOMPARE(*parseLabelGroupBy({u"label:dc"_s}), QStringList{u"dc"_s});
    // Comma-separated and repeated (the API's one parameter, the CLI's repeated flag) alike.
    QCOMPARE(*parseLabelGroupBy({u"label:dc, label:rack"_s, u""_s, u"label:role"_s}),
             (QStringList{u"dc"_s, u"rack"_s, u"role"_s}));
    QCOMPARE(labelGroupByText({u"dc"_s, u"rack"_s}), u"label:dc,label:rack"_s);
    QVERIFY(parseLabelGroupBy({}) && parseLabelGroupBy({})->isEmpty());
    QVERIFY(!parseLabelGroupBy({u"dc"_s}));
    QVERIFY(!parseLabelGroupBy({u"label:1x"_s}));
    QVERIFY(!parseLabelGroupBy({u"label:dc,"_s}));
    const Result<QStringList> twice = parseLabelGroupBy({u"label:dc"_s, u"label:dc"_s});
    QVERIFY(!twice);
    QVERIFY(twice.error().message.contains(u"twice"_s));
}

void TestNodeRange::outcomeRecordKeepsLabels()
{
    Outcome o = Outcome::unanswered(u"n1"_s, u"http://n1/metric"_s, OutcomeKind::Timeout, u"x"_s);
    QVERIFY(!o.toJson().contains(u"labels"_s)); // only when there are some
    o.labels = {{u"dc"_s, u"fra1"_s}, {u"role"_s, u"db"_s}};
    const QJsonObject json = o.toJson();
    QCOMPARE(json.value(u"labels"_s).toObject(),
             (QJsonObject{{u"dc"_s, u"fra1"_s}, {u"role"_s, u"db"_s}}));
    const Result<Outcome> back = Outcome::fromJson(json);
    QVERIFY(back);
    QCOMPARE(back->labels, o.labels);
    QJsonObject old = json;
    old.remove(u"labels"_s); // a record written before labels existed
    QVERIFY(Outcome::fromJson(old));
    QVERIFY(Outcome::fromJson(old)->labels.isEmpty());
}

// Issue #22: a mistyped range is one error naming it, never one per expanded node; many bad
// nodes are capped with a count of the rest.
void TestNodeRange::errorsPerGivenNode_data()
{
    QTest::addColumn<QStringList>("given");
    QTest::addColumn<int>("listed");      // entries in details
    QTest::addColumn<int>("firstIndex");  // details[0].index (position as given)
    QTest::addColumn<QString>("message"); // substring of the message
    QTest::addColumn<QString>("reason");  // substring of details[0].reason

    QTest::newRow("bad port range") << QStringList{u"127.0.0.1:[30000-99999]"_s} << 1 << 0
                                    << u"node 1 '127.0.0.1:[30000-99999]': 34464 nodes of the "
                                       u"70000 it expands to; first '127.0.0.1:65536'"_s
                                    << u"port 65536 out of range"_s;
    QTest::newRow("range after good nodes")
        << QStringList{u"a:1"_s, u"b[1-3]:9100"_s, u"10.0.0.[250-300]:80"_s} << 1 << 2
        << u"node 3 '10.0.0.[250-300]:80': 45 nodes of the 51"_s << u"not a valid IPv4"_s;
    QStringList many;
    for (int i = 0; i < 30; ++i) {
        many.append(u"h%1:0"_s.arg(i));
    }
    QTest::newRow("30 bad nodes capped")
        << many << MaxListedNodes << 0
        << u"30 nodes invalid, 10 more not listed; first: node 1 'h0:0'"_s << u"out of range"_s;
    QTest::newRow("one bad plain node")
        << QStringList{u"ok:1"_s, u"300.1.1.1:80"_s} << 1 << 1
        << u"node 2 '300.1.1.1:80': not a valid IPv4"_s << u"not looked up"_s;
}

void TestNodeRange::errorsPerGivenNode()
{
    QFETCH(QStringList, given);
    QFETCH(int, listed);
    QFETCH(int, firstIndex);
    QFETCH(QString, message);
    QFETCH(QString, reason);
    const Result<ExpandedNodes> expanded = expandNodeRanges(given, {}, 100000);
    QVERIFY(expanded);
    const Result<TargetList> parsed = parseTargets(expanded->nodes, u"m");
    QVERIFY(!parsed);
    const Error error = perGivenNode(parsed.error(), given, *expanded);
    QCOMPARE(error.code, ErrorCode::InvalidNode);
    QVERIFY2(error.message.contains(message), qPrintable(error.message));
    QVERIFY(!error.message.contains(u'\n'));
    const QJsonArray details = error.details.toArray();
    QCOMPARE(details.size(), listed);
    QCOMPARE(details.at(0)[u"index"_s].toInt(), firstIndex);
    QCOMPARE(details.at(0)[u"node"_s].toString(), given.at(firstIndex));
    QVERIFY2(details.at(0)[u"reason"_s].toString().contains(reason),
             qPrintable(details.at(0)[u"reason"_s].toString()));
}

void TestNodeRange::plural_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("0 nodes") << nodeCount(0) << u"0 nodes"_s;
    QTest::newRow("1 node") << nodeCount(1) << u"1 node"_s;
    QTest::newRow("2 nodes") << nodeCount(2) << u"2 nodes"_s;
    QTest::newRow("1 key") << countOf(1, u"key") << u"1 key"_s;
    QTest::newRow("irregular") << countOf(3, u"entry", u"entries") << u"3 entries"_s;
    QTest::newRow("0 ms") << millis(0) << u"0 ms"_s;
    QTest::newRow("duration 0") << durationText(0) << u"0 ms"_s;
    QTest::newRow("duration 4750") << durationText(4750) << u"4750 ms"_s;
    QTest::newRow("duration 30s") << durationText(30000) << u"30s"_s;
}

void TestNodeRange::plural()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(text, expected);
}

QTEST_GUILESS_MAIN(TestNodeRange)
#include "tst_noderange.moc"
