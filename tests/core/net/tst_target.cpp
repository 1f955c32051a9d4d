#include <QtTest>

#include "core/net/target.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

class TestTarget : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void path_data();
    void path();
    void parseTargetsReportsEveryBadNode();
    void duplicatesFetchedOnce();
    void ipv4FormsAreOneHost();
    void nodeList();
    void largeListsKeepOrderAndIndexes();
};

void TestTarget::parse_data()
{
    QTest::addColumn<QString>("node");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("url");    // expected URL, empty when rejected
    QTest::addColumn<QString>("reason"); // substring of the error when rejected

    // Accepted forms
    QTest::newRow("old tool: host:port + metric")
        << u"localhost:5000"_s << u"metric"_s << u"http://localhost:5000/metric"_s << QString();
    QTest::newRow("ipv4:port") << u"127.0.0.1:5000"_s << u"metric"_s
                               << u"http://127.0.0.1:5000/metric"_s << QString();
    QTest::newRow("host alone -> port 80")
        << u"node-1.example"_s << u"metric"_s << u"http://node-1.example/metric"_s << QString();
    QTest::newRow("https host -> port 443")
        << u"https://node1"_s << u"metric"_s << u"https://node1/metric"_s << QString();
    QTest::newRow("http:// prefix")
        << u"http://node1:9100"_s << u"/metric"_s << u"http://node1:9100/metric"_s << QString();
    QTest::newRow("scheme case-insensitive")
        << u"HTTPS://node1:8443"_s << u"m"_s << u"https://node1:8443/m"_s << QString();
    QTest::newRow("ipv6 with port")
        << u"[::1]:9100"_s << u"metric"_s << u"http://[::1]:9100/metric"_s << QString();
    QTest::newRow("ipv6 zone keeps its case")
        << u"[FE80::1%Eth0]:81"_s << u"m"_s << u"http://[fe80::1%25Eth0]:81/m"_s << QString();
    QTest::newRow("ipv6 without port")
        << u"[fe80::1]"_s << u"metric"_s << u"http://[fe80::1]/metric"_s << QString();
    QTest::newRow("whitespace trimmed")
        << u"  \tnode1:80 \n"_s << u"metric"_s << u"http://node1/metric"_s << QString();
    QTest::newRow("host lower-cased")
        << u"Node1:81"_s << u"metric"_s << u"http://node1:81/metric"_s << QString();
    QTest::newRow("duplicate slashes folded")
        << u"node1:81"_s << u"//a//b///c"_s << u"http://node1:81/a/b/c"_s << QString();
    QTest::newRow("path with query") << u"node1:81"_s << u"stats?format=json&x=1"_s
                                     << u"http://node1:81/stats?format=json&x=1"_s << QString();
    QTest::newRow("query keeps its slashes")
        << u"node1:81"_s << u"a?next=//x"_s << u"http://node1:81/a?next=//x"_s << QString();
    QTest::newRow("trailing slash pasted")
        << u"http://node1:81/"_s << u"metric"_s << u"http://node1:81/metric"_s << QString();
    QTest::newRow("port 65535") << u"n:65535"_s << u"m"_s << u"http://n:65535/m"_s << QString();
    QTest::newRow("underscore allowed")
        << u"my_node:81"_s << u"m"_s << u"http://my_node:81/m"_s << QString();
    QTest::newRow("empty path -> root") << u"n:81"_s << QString() << u"http://n:81/"_s << QString();
    // Found by fuzzing (tests/fuzz/regressions/nodes): IPv4 in inet_aton forms.
    QTest::newRow("ipv4 in hex") << u"0x7f.1:81"_s << u"m"_s << u"http://127.0.0.1:81/m"_s
                                 << QString();
    QTest::newRow("ipv4 as one number")
        << u"2130706433"_s << u"m"_s << u"http://127.0.0.1/m"_s << QString();
    QTest::newRow("ipv4 in octal")
        << u"0177.0.0.1:81"_s << u"m"_s << u"http://127.0.0.1:81/m"_s << QString();

    // Rejected, one row per rule
    QTest::newRow("ipv4 octet > 255")
        << u"300.1.1.1:80"_s << u"m"_s << QString() << u"not a valid IPv4 address"_s;
    QTest::newRow("ipv4 three parts")
        << u"1.2.3:80"_s << u"m"_s << QString() << u"not a valid IPv4 address"_s;
    QTest::newRow("ipv4 two parts") << u"127.1"_s << u"m"_s << QString() << u"not looked up"_s;
    QTest::newRow("ipv4 five parts")
        << u"10.0.0.1.5:80"_s << u"m"_s << QString() << u"not a valid IPv4 address"_s;
    QTest::newRow("ipv4 huge octet")
        << u"10.0.0.99999:80"_s << u"m"_s << QString() << u"not a valid IPv4 address"_s;
    QTest::newRow("hex ipv4 too many parts")
        << u"0x7f.1.1.1.1"_s << u"m"_s << QString() << u"not a valid IPv4 address"_s;
    QTest::newRow("empty") << u""_s << u"m"_s << QString() << u"empty"_s;
    QTest::newRow("blank") << u"   "_s << u"m"_s << QString() << u"empty"_s;
    QTest::newRow("port 0") << u"n:0"_s << u"m"_s << QString() << u"out of range"_s;
    QTest::newRow("port 65536") << u"n:65536"_s << u"m"_s << QString() << u"out of range"_s;
    QTest::newRow("port 70000") << u"n:70000"_s << u"m"_s << QString() << u"out of range"_s;
    QTest::newRow("huge port") << u"n:99999999999999"_s << u"m"_s << QString() << u"out of range"_s;
    QTest::newRow("non-numeric port")
        << u"n:http"_s << u"m"_s << QString() << u"non-numeric port"_s;
    QTest::newRow("negative port") << u"n:-1"_s << u"m"_s << QString() << u"non-numeric port"_s;
    QTest::newRow("empty port") << u"n:"_s << u"m"_s << QString() << u"empty port"_s;
    QTest::newRow("user-info") << u"bob@10.0.0.1"_s << u"m"_s << QString() << u"user-info"_s;
    QTest::newRow("user:pass@") << u"http://bob:pw@n:80"_s << u"m"_s << QString() << u"user-info"_s;
    QTest::newRow("path inside node")
        << u"n:80/metric"_s << u"m"_s << QString() << u"path, query or fragment"_s;
    QTest::newRow("query inside node")
        << u"n:80?x=1"_s << u"m"_s << QString() << u"path, query or fragment"_s;
    QTest::newRow("fragment inside node")
        << u"n#frag"_s << u"m"_s << QString() << u"path, query or fragment"_s;
    QTest::newRow("space inside") << u"no de:80"_s << u"m"_s << QString() << u"whitespace"_s;
    QTest::newRow("NUL inside ipv6 (fuzz)") << QString::fromUtf16(u"[::1\0\0x]:80", 12) << u"m"_s
                                            << QString() << u"control character"_s;
    QTest::newRow("ipv6 empty zone (fuzz)")
        << u"[fe80::1%]:80"_s << u"m"_s << QString() << u"does not form a valid URL"_s;
    QTest::newRow("illegal char") << u"no$de:80"_s << u"m"_s << QString()
                                  << u"not allowed in a host name"_s;
    QTest::newRow("unicode char") << u"nödé:80"_s << u"m"_s << QString()
                                  << u"not allowed in a host name"_s;
    QTest::newRow("empty label") << u"a..b:80"_s << u"m"_s << QString() << u"empty label"_s;
    QTest::newRow("leading hyphen") << u"-a:80"_s << u"m"_s << QString() << u"'-'"_s;
    QTest::newRow("label > 63") << QString(64, u'a') << u"m"_s << QString() << u"63"_s;
    QTest::newRow("unbracketed ipv6") << u"::1:80"_s << u"m"_s << QString() << u"brackets"_s;
    QTest::newRow("bad ipv6") << u"[::zz]:80"_s << u"m"_s << QString() << u"not a valid IPv6"_s;
    QTest::newRow("unclosed bracket") << u"[::1:80"_s << u"m"_s << QString() << u"']'"_s;
    QTest::newRow("other scheme") << u"ftp://n:21"_s << u"m"_s << QString()
                                  << u"unsupported scheme"_s;
    QTest::newRow("empty host with port") << u":80"_s << u"m"_s << QString() << u"empty host"_s;
    QTest::newRow("path is a full URL")
        << u"n:80"_s << u"http://evil/x"_s << QString() << u"not a full URL"_s;
    QTest::newRow("path with space") << u"n:80"_s << u"a b"_s << QString() << u"whitespace"_s;
    QTest::newRow("path with fragment") << u"n:80"_s << u"a#b"_s << QString() << u"fragment"_s;
}

void TestTarget::parse()
{
    QFETCH(QString, node);
    QFETCH(QString, path);
    QFETCH(QString, url);
    QFETCH(QString, reason);
    const Result<Target> target = parseTarget(node, path, 2);
    if (url.isEmpty()) {
        QVERIFY2(!target,
                 qPrintable(u"accepted: "_s + (target ? target->url().toString() : u""_s)));
        QVERIFY2(target.error().message.contains(reason), qPrintable(target.error().message));
        if (!node.trimmed().isEmpty() && reason != u"not a full URL"_s && reason != u"whitespace"_s
            && reason != u"fragment"_s) {
            // The message names the node and its position (1-based).
            QVERIFY2(target.error().message.contains(u"node 3"_s),
                     qPrintable(target.error().message));
        }
        return;
    }
    QVERIFY2(target, qPrintable(target ? QString() : target.error().message));
    QCOMPARE(target->url().toString(), url);
    QCOMPARE(target->node, node.trimmed());
    // The host that is keyed and checked against the policy is the host that is fetched.
    QCOMPARE(target->host, target->url().host());
}

void TestTarget::path_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("normalized");
    QTest::newRow("plain") << u"metric"_s << u"/metric"_s;
    QTest::newRow("leading slash") << u"/metric"_s << u"/metric"_s;
    QTest::newRow("many slashes") << u"///a//b/"_s << u"/a/b/"_s;
    QTest::newRow("trimmed") << u"  metric "_s << u"/metric"_s;
    QTest::newRow("query") << u"m?a=1&b=2"_s << u"/m?a=1&b=2"_s;
}

void TestTarget::path()
{
    QFETCH(QString, path);
    QFETCH(QString, normalized);
    const Result<QString> result = normalizePath(path);
    QVERIFY(result);
    QCOMPARE(*result, normalized);
}

void TestTarget::parseTargetsReportsEveryBadNode()
{
    const QStringList nodes = {u"good:80"_s, u"bad:0"_s, u"also good"_s, u"fine:81"_s, u"x@y"_s};
    const Result<TargetList> list = parseTargets(nodes, u"metric");
    QVERIFY(!list);
    QCOMPARE(list.error().code, ErrorCode::InvalidNode);
    const QJsonArray bad = list.error().details.toArray();
    QCOMPARE(bad.size(), 3);
    QCOMPARE(bad.at(0).toObject().value(u"index"_s).toInt(), 1);
    QCOMPARE(bad.at(0).toObject().value(u"node"_s).toString(), u"bad:0"_s);
    QVERIFY(bad.at(0).toObject().value(u"reason"_s).toString().contains(u"out of range"_s));
    QCOMPARE(bad.at(1).toObject().value(u"index"_s).toInt(), 2);
    QCOMPARE(bad.at(2).toObject().value(u"index"_s).toInt(), 4);
    QVERIFY(list.error().message.startsWith(u"3 invalid nodes"_s));

    const Result<TargetList> empty = parseTargets({}, u"metric");
    QVERIFY(!empty);
    QVERIFY(empty.error().message.contains(u"no nodes"_s));
}

void TestTarget::duplicatesFetchedOnce()
{
    const QStringList nodes = {u"a:80"_s, u"b:81"_s, u"http://a:80"_s,
                               u"A"_s,    u"b:81"_s, u"https://a:80"_s};
    const Result<TargetList> list = parseTargets(nodes, u"metric");
    QVERIFY(list);
    QCOMPARE(list->targets.size(), 3); // a:80, b:81, https://a:80
    QCOMPARE(list->targets.at(0).node, u"a:80"_s);
    QCOMPARE(list->targets.at(2).url().toString(), u"https://a:80/metric"_s);
    QCOMPARE(list->duplicates, (QStringList{u"http://a:80"_s, u"A"_s, u"b:81"_s}));
}

void TestTarget::ipv4FormsAreOneHost()
{
    const QStringList nodes = {u"127.0.0.1:80"_s, u"0x7f.1:80"_s, u"2130706433"_s, u"0177.0.0.1"_s};
    const Result<TargetList> list = parseTargets(nodes, u"metric");
    QVERIFY(list);
    QCOMPARE(list->targets.size(), 1);
    QCOMPARE(list->targets.at(0).host, u"127.0.0.1"_s);
    QCOMPARE(list->duplicates, (QStringList{u"0x7f.1:80"_s, u"2130706433"_s, u"0177.0.0.1"_s}));
}

void TestTarget::nodeList()
{
    const QString text = u"# cluster A\nnode1:9100\n\n  node2:9100  # the big one\n\t\n#x\r\n"
                         "[::1]:9100\r\n"_s;
    QCOMPARE(parseNodeList(text), (QStringList{u"node1:9100"_s, u"node2:9100"_s, u"[::1]:9100"_s}));
}

void TestTarget::largeListsKeepOrderAndIndexes()
{
    // Large lists are parsed in parallel chunks; results must not depend on that.
    QStringList nodes;
    for (int i = 0; i < 10000; ++i) {
        nodes.append(u"10.0.%1.%2:9100"_s.arg(i / 250).arg(i % 250));
    }
    nodes.append(nodes.at(3));    // duplicate of an early node, found late
    nodes.append(nodes.at(9000)); // duplicate across chunks
    Result<TargetList> list = parseTargets(nodes, u"metric");
    QVERIFY(list);
    QCOMPARE(list->targets.size(), 10000);
    for (int i = 0; i < 10000; i += 997) {
        QCOMPARE(list->targets.at(i).node, nodes.at(i));
    }
    QCOMPARE(list->duplicates, (QStringList{nodes.at(3), nodes.at(9000)}));

    nodes[7000] = u"bad:0"_s;
    nodes[2] = u"x@y"_s;
    list = parseTargets(nodes, u"metric");
    QVERIFY(!list);
    const QJsonArray bad = list.error().details.toArray();
    QCOMPARE(bad.size(), 2);
    QCOMPARE(bad.at(0).toObject().value(u"index"_s).toInt(), 2);
    QCOMPARE(bad.at(1).toObject().value(u"index"_s).toInt(), 7000);
    QVERIFY(list.error().message.contains(u"node 3 'x@y'"_s));
}

QTEST_GUILESS_MAIN(TestTarget)
#include "tst_target.moc"
