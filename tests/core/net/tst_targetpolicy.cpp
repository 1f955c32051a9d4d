// TargetPolicy: CIDR and host-glob allow/deny lists over the built-in metadata denials.
#include <QtTest>

#include <QJsonArray>
#include <QJsonObject>

#include "core/net/targetpolicy.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

class TestTargetPolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void checkHost_data();
    void checkHost();
    void checkAddress_data();
    void checkAddress();
    void addressClasses_data();
    void addressClasses();
    void classesRoundTrip();
    void badRules();
    void needsResolution();
};

void TestTargetPolicy::checkHost_data()
{
    QTest::addColumn<QStringList>("allow");
    QTest::addColumn<QStringList>("deny");
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("denied");
    const QStringList none;
    QTest::newRow("public v4 allowed") << none << none << u"10.1.2.3"_s << false;
    // fuzz_targetpolicy: "::/8" was read as the IPv4 rule 0.0.0.0/0 (toIPv4Address maps ::).
    QTest::newRow("deny ::/8 denies ::1") << none << QStringList{u"::/8"_s} << u"::1"_s << true;
    QTest::newRow("deny ::/8 leaves v4 alone")
        << none << QStringList{u"::/8"_s} << u"10.1.2.3"_s << false;
    // Mapped addresses are checked as IPv4: an IPv6 rule wider than ::ffff:0:0/96 is not one.
    QTest::newRow("deny ::/8 leaves mapped v4 alone")
        << none << QStringList{u"::/8"_s} << u"[::ffff:127.0.0.1]"_s << false;
    QTest::newRow("deny mapped /104 is v4 /8")
        << none << QStringList{u"::ffff:127.0.0.0/104"_s} << u"127.9.9.9"_s << true;
    // The unspecified address connects to this host: checked as itself and as the loopback.
    QTest::newRow("0.0.0.0 allowed without rules") << none << none << u"0.0.0.0"_s << false;
    QTest::newRow("0.0.0.0 is loopback for deny 127/8")
        << none << QStringList{u"127.0.0.0/8"_s} << u"0.0.0.0"_s << true;
    QTest::newRow("0.0.0.0 still matches deny 0/8")
        << none << QStringList{u"0.0.0.0/8"_s} << u"0.0.0.0"_s << true;
    QTest::newRow("mapped 0.0.0.0 is loopback for deny 127/8")
        << none << QStringList{u"127.0.0.0/8"_s} << u"[::ffff:0.0.0.0]"_s << true;
    QTest::newRow(":: is loopback for deny ::1")
        << none << QStringList{u"::1"_s} << u"[::]"_s << true;
    // Loopback in every check (issue #21 item 8): a denial of either loopback denies both
    // unspecified addresses (the docs' promise: [::] is refused under --deny 127.0.0.0/8).
    QTest::newRow(":: is loopback for deny 127/8")
        << none << QStringList{u"127.0.0.0/8"_s} << u"::"_s << true;
    QTest::newRow("[::] is loopback for deny 127/8")
        << none << QStringList{u"127.0.0.0/8"_s} << u"[::]"_s << true;
    QTest::newRow("0.0.0.0 is loopback for deny ::1")
        << none << QStringList{u"::1"_s} << u"0.0.0.0"_s << true;
    QTest::newRow("::1 itself is not in 127/8")
        << none << QStringList{u"127.0.0.0/8"_s} << u"[::1]"_s << false;
    QTest::newRow(":: outside an allow of 127/8 (it reaches ::1)")
        << QStringList{u"127.0.0.0/8"_s} << none << u"[::]"_s << true;
    QTest::newRow("0.0.0.0 outside an allow list")
        << QStringList{u"10.0.0.0/8"_s} << none << u"0.0.0.0"_s << true;
    QTest::newRow("0.0.0.0 allowed with the loopback")
        << QStringList{u"127.0.0.0/8"_s} << none << u"0.0.0.0"_s << false;
    QTest::newRow("aws metadata") << none << none << u"169.254.169.254"_s << true;
    QTest::newRow("link-local v4") << none << none << u"169.254.1.1"_s << true;
    QTest::newRow("link-local v6") << none << none << u"fe80::1"_s << true;
    QTest::newRow("link-local v6 bracketed") << none << none << u"[fe80::1]"_s << true;
    QTest::newRow("v4-mapped metadata") << none << none << u"::ffff:169.254.169.254"_s << true;
    QTest::newRow("alibaba metadata") << none << none << u"100.100.100.200"_s << true;
    QTest::newRow("aws v6 metadata") << none << none << u"fd00:ec2::254"_s << true;
    QTest::newRow("gcp metadata name") << none << none << u"metadata.google.internal"_s << true;
    QTest::newRow("gcp metadata, any case, dot")
        << none << none << u"Metadata.Google.Internal."_s << true;
    QTest::newRow("metadata, octal quads") << none << none << u"0251.0376.0251.0376"_s << true;
    QTest::newRow("metadata, leading zeros") << none << none << u"169.254.169.0254"_s << true;
    QTest::newRow("metadata, one number") << none << none << u"2852039166"_s << true;
    QTest::newRow("v4 with 256 is a name") << none << none << u"10.0.0.256"_s << false;
    QTest::newRow("names pass before resolution") << none << none << u"node1.lab"_s << false;
    QTest::newRow("explicit allow lifts default")
        << QStringList{u"169.254.0.0/16"_s} << none << u"169.254.169.254"_s << false;
    QTest::newRow("allow list excludes others")
        << QStringList{u"10.0.0.0/8"_s} << none << u"192.168.1.1"_s << true;
    QTest::newRow("allow list includes")
        << QStringList{u"10.0.0.0/8"_s} << none << u"10.9.9.9"_s << false;
    QTest::newRow("host glob allow") << QStringList{u"*.lab"_s} << none << u"node7.lab"_s << false;
    QTest::newRow("host glob allow excludes other names")
        << QStringList{u"*.lab"_s} << none << u"node7.prod"_s << true;
    QTest::newRow("name waits for resolution with allow CIDR")
        << QStringList{u"10.0.0.0/8"_s} << none << u"node7.prod"_s << false;
    QTest::newRow("deny beats allow")
        << QStringList{u"10.0.0.0/8"_s} << QStringList{u"10.0.0.5"_s} << u"10.0.0.5"_s << true;
    QTest::newRow("deny host glob")
        << none << QStringList{u"db?.internal"_s} << u"db1.internal"_s << true;
    QTest::newRow("deny v6 cidr") << none << QStringList{u"fd00::/8"_s} << u"fd12::1"_s << true;
}

void TestTargetPolicy::checkHost()
{
    QFETCH(QStringList, allow);
    QFETCH(QStringList, deny);
    QFETCH(QString, host);
    QFETCH(bool, denied);
    TargetPolicy policy;
    for (const QString &rule : allow) {
        QVERIFY(policy.allow(rule));
    }
    for (const QString &rule : deny) {
        QVERIFY(policy.deny(rule));
    }
    const std::optional<QString> reason = policy.checkHost(host);
    QCOMPARE(reason.has_value(), denied);
    if (reason) {
        QVERIFY2(
            reason->contains(
                QStringView(host).trimmed().toString().toLower().remove(u'[').remove(u']').chopped(
                    host.endsWith(u'.') ? 1 : 0)),
            qPrintable(*reason));
    }
}

void TestTargetPolicy::checkAddress_data()
{
    QTest::addColumn<QStringList>("allow");
    QTest::addColumn<QStringList>("deny");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("denied");
    const QStringList none;
    QTest::newRow("name -> public") << none << none << u"n.lab"_s << u"10.0.0.1"_s << false;
    QTest::newRow("name -> metadata")
        << none << none << u"evil.example"_s << u"169.254.169.254"_s << true;
    QTest::newRow("allowed name -> metadata still denied")
        << QStringList{u"*.example"_s} << none << u"evil.example"_s << u"169.254.169.254"_s << true;
    QTest::newRow("name -> denied cidr")
        << none << QStringList{u"127.0.0.0/8"_s} << u"localhost"_s << u"127.0.0.1"_s << true;
    QTest::newRow("name -> allowed cidr")
        << QStringList{u"10.0.0.0/8"_s} << none << u"n.prod"_s << u"10.2.3.4"_s << false;
    QTest::newRow("name -> outside allowed cidr")
        << QStringList{u"10.0.0.0/8"_s} << none << u"n.prod"_s << u"192.168.0.1"_s << true;
    QTest::newRow("name -> 0.0.0.0 is loopback")
        << none << QStringList{u"127.0.0.0/8"_s} << u"zero.lab"_s << u"0.0.0.0"_s << true;
    QTest::newRow("name -> :: is loopback")
        << none << QStringList{u"::1/128"_s} << u"zero.lab"_s << u"::"_s << true;
}

void TestTargetPolicy::checkAddress()
{
    QFETCH(QStringList, allow);
    QFETCH(QStringList, deny);
    QFETCH(QString, host);
    QFETCH(QString, address);
    QFETCH(bool, denied);
    TargetPolicy policy;
    for (const QString &rule : allow) {
        QVERIFY(policy.allow(rule));
    }
    for (const QString &rule : deny) {
        QVERIFY(policy.deny(rule));
    }
    const std::optional<QString> reason = policy.checkAddress(host, QHostAddress(address));
    QCOMPARE(reason.has_value(), denied);
    if (reason) {
        QVERIFY2(reason->contains(address), qPrintable(*reason));
    }
}

// `--deny WORD` / `--allow WORD` for the address classes, on a policy without built-ins (so a
// row shows the class itself, not the default denial of link-local and metadata).
void TestTargetPolicy::addressClasses_data()
{
    QTest::addColumn<bool>("builtins");
    QTest::addColumn<QString>("kind"); // "allow" or "deny"
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("denied");
    auto row = [](const char *name, bool builtins, const QString &kind, const QString &rule,
                  const QString &host, bool denied) {
        QTest::newRow(name) << builtins << kind << rule << host << denied;
    };
    const QString deny = u"deny"_s;
    const QString allow = u"allow"_s;
    row("deny loopback: 127.0.0.1", false, deny, u"loopback"_s, u"127.0.0.1"_s, true);
    row("deny loopback: 127.255.0.9", false, deny, u"loopback"_s, u"127.255.0.9"_s, true);
    row("deny loopback: ::1", false, deny, u"loopback"_s, u"[::1]"_s, true);
    row("deny loopback: 0.0.0.0", false, deny, u"loopback"_s, u"0.0.0.0"_s, true);
    row("deny loopback: ::", false, deny, u"loopback"_s, u"[::]"_s, true);
    row("deny loopback: mapped", false, deny, u"loopback"_s, u"[::ffff:127.0.0.1]"_s, true);
    row("deny loopback: any case", false, deny, u" LoopBack "_s, u"127.0.0.1"_s, true);
    row("deny loopback: 10.0.0.1 passes", false, deny, u"loopback"_s, u"10.0.0.1"_s, false);
    row("deny private: 10/8", false, deny, u"private"_s, u"10.1.2.3"_s, true);
    row("deny private: 172.16/12 low", false, deny, u"private"_s, u"172.16.0.1"_s, true);
    row("deny private: 172.16/12 high", false, deny, u"private"_s, u"172.31.255.255"_s, true);
    row("deny private: 172.32 passes", false, deny, u"private"_s, u"172.32.0.1"_s, false);
    row("deny private: 192.168/16", false, deny, u"private"_s, u"192.168.1.1"_s, true);
    row("deny private: CGNAT 100.64/10", false, deny, u"private"_s, u"100.64.0.1"_s, true);
    row("deny private: fc00::/7", false, deny, u"private"_s, u"fd12::1"_s, true);
    row("deny private: fec0::/10", false, deny, u"private"_s, u"fec0::1"_s, true);
    row("deny private: public passes", false, deny, u"private"_s, u"8.8.8.8"_s, false);
    row("deny private: loopback passes", false, deny, u"private"_s, u"127.0.0.1"_s, false);
    row("deny link-local: v4", false, deny, u"link-local"_s, u"169.254.1.1"_s, true);
    row("deny link-local: v6", false, deny, u"link-local"_s, u"fe80::1"_s, true);
    row("deny link-local: private passes", false, deny, u"link-local"_s, u"10.0.0.1"_s, false);
    row("deny metadata: aws", false, deny, u"metadata"_s, u"169.254.169.254"_s, true);
    row("deny metadata: ecs", false, deny, u"metadata"_s, u"169.254.170.2"_s, true);
    row("deny metadata: alibaba", false, deny, u"metadata"_s, u"100.100.100.200"_s, true);
    row("deny metadata: aws v6", false, deny, u"metadata"_s, u"fd00:ec2::254"_s, true);
    row("deny metadata: gcp name", false, deny, u"metadata"_s, u"metadata.google.internal"_s, true);
    row("deny metadata: other link-local passes", false, deny, u"metadata"_s, u"169.254.1.1"_s,
        false);
    row("allow loopback: 127.0.0.1", false, allow, u"loopback"_s, u"127.0.0.1"_s, false);
    row("allow loopback: 0.0.0.0", false, allow, u"loopback"_s, u"0.0.0.0"_s, false);
    row("allow loopback: ::", false, allow, u"loopback"_s, u"[::]"_s, false);
    row("allow loopback: others denied", false, allow, u"loopback"_s, u"10.0.0.1"_s, true);
    row("allow private: 192.168.1.1", false, allow, u"private"_s, u"192.168.1.1"_s, false);
    row("allow private: loopback denied", false, allow, u"private"_s, u"127.0.0.1"_s, true);
    row("allow link-local lifts the default", true, allow, u"link-local"_s, u"169.254.1.1"_s,
        false);
    row("allow metadata lifts the default", true, allow, u"metadata"_s, u"169.254.169.254"_s,
        false);
    row("allow metadata lifts the gcp name", true, allow, u"metadata"_s,
        u"metadata.google.internal"_s, false);
    row("allow metadata leaves link-local denied", true, allow, u"metadata"_s, u"169.254.1.1"_s,
        true);
    row("a trailing dot is a host: denied", false, deny, u"private."_s, u"private"_s, true);
    row("a trailing dot is a host: not the class", false, deny, u"private."_s, u"10.0.0.1"_s,
        false);
}

void TestTargetPolicy::addressClasses()
{
    QFETCH(bool, builtins);
    QFETCH(QString, kind);
    QFETCH(QString, rule);
    QFETCH(QString, host);
    QFETCH(bool, denied);
    TargetPolicy policy = builtins ? TargetPolicy() : TargetPolicy::none();
    QVERIFY(kind == u"allow"_s ? policy.allow(rule) : policy.deny(rule));
    const std::optional<QString> reason = policy.checkHost(host);
    QVERIFY2(reason.has_value() == denied, reason ? qPrintable(*reason) : "admitted");
    // A name resolving to the address gets the same verdict.
    QHostAddress address;
    if (address.setAddress(QString(host).remove(u'[').remove(u']'))) {
        QCOMPARE(policy.checkAddress(u"n.test"_s, address).has_value(), denied);
    }
}

// Distributed mode sends the policy to workers as JSON: the words survive, and describe() names
// each class with what it covers.
void TestTargetPolicy::classesRoundTrip()
{
    TargetPolicy policy;
    QVERIFY(policy.allow(u"private"_s));
    QVERIFY(policy.deny(u"loopback"_s));
    QVERIFY(policy.deny(u"10.9.0.0/16"_s));
    const QJsonObject json = policy.toJson();
    QCOMPARE(json.value(u"allow"_s).toArray(), QJsonArray{u"private"_s});
    QCOMPARE(json.value(u"deny"_s).toArray(), (QJsonArray{u"loopback"_s, u"10.9.0.0/16"_s}));
    const Result<TargetPolicy> back = TargetPolicy::fromJson(json);
    QVERIFY(back);
    QCOMPARE(back->toJson(), json);
    QCOMPARE(back->describe(), policy.describe());
    for (const QString &host : {u"127.0.0.1"_s, u"[::]"_s, u"10.1.1.1"_s, u"10.9.1.1"_s,
                                u"8.8.8.8"_s, u"169.254.169.254"_s}) {
        QCOMPARE(back->checkHost(host).has_value(), policy.checkHost(host).has_value());
    }
    QVERIFY(!back->checkHost(u"10.1.1.1"_s));
    QVERIFY(back->checkHost(u"10.9.1.1"_s));
    QVERIFY(back->checkHost(u"[::]"_s));
    const QStringList lines = policy.describe();
    QVERIFY2(lines.contains(u"deny loopback (127.0.0.0/8, ::1/128, 0.0.0.0/32, ::/128)"_s),
             qPrintable(lines.join(u"; "_s)));
    QVERIFY2(lines.contains(u"deny 10.9.0.0/16"_s), qPrintable(lines.join(u"; "_s)));
    QVERIFY2(std::any_of(lines.begin(), lines.end(),
                         [](const QString &l) {
                             return l.startsWith(u"deny-by-default metadata ("_s)
                                    && l.contains(u"metadata.google.internal"_s);
                         }),
             qPrintable(lines.join(u"; "_s)));
}

void TestTargetPolicy::badRules()
{
    TargetPolicy policy;
    QVERIFY(!policy.allow(u""_s));
    QVERIFY(!policy.allow(u"10.0.0.0/33"_s));
    QVERIFY(!policy.deny(u"not a host"_s));
    QVERIFY(!policy.deny(u"a/b"_s));
    const Result<void> bad = policy.deny(u"x y"_s);
    QVERIFY(bad.error().message.contains(u"x y"_s));
}

void TestTargetPolicy::needsResolution()
{
    TargetPolicy policy;
    QVERIFY(policy.needsResolution(u"node.lab"_s));
    QVERIFY(!policy.needsResolution(u"10.0.0.1"_s));
    QVERIFY(!policy.needsResolution(u"[::1]"_s));
    QVERIFY(!TargetPolicy::none().needsResolution(u"node.lab"_s));
    QVERIFY(!TargetPolicy::none().checkHost(u"169.254.169.254"_s));
}

QTEST_GUILESS_MAIN(TestTargetPolicy)
#include "tst_targetpolicy.moc"
