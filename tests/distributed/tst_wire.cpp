#include <QJsonDocument>
#include <QTest>

#include "core/redis/wire.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

class TestWire : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void keys();
    void specKeepsHeaderValues();
    void manifestJsonStillDropsHeaderValues();
    void badSpec();
    void specCarriesThePolicy();
    void nodesRoundTrip();
    void outcomesRoundTrip();
    void badOutcomes();
    void workerInfoRoundTrip();
    void parseReadReply();
    void parseAutoClaimReply();
};

void TestWire::keys()
{
    QCOMPARE(Wire::huntKey(u"h1"_s), QByteArray("artemis:hunt:h1"));
    QCOMPARE(Wire::cancelKey(u"h1"_s), QByteArray("artemis:cancel:h1"));
    QCOMPARE(Wire::workerKey(u"w-1"_s), QByteArray("artemis:worker:w-1"));
}

void TestWire::specKeepsHeaderValues()
{
    Wire::HuntSpec spec;
    spec.id = u"20240101-abc"_s;
    spec.path = u"/metric?x=1"_s;
    spec.options.timeoutMs = 1234;
    spec.options.attempts = 2;
    spec.options.headers = {{"Authorization", "Bearer s3cret"}, {"X-Team", "ops"}};
    const Result<Wire::HuntSpec> back = Wire::HuntSpec::fromBytes(spec.toBytes());
    QVERIFY(back);
    QCOMPARE(back->id, spec.id);
    QCOMPARE(back->path, spec.path);
    QCOMPARE(back->options.timeoutMs, 1234);
    QCOMPARE(back->options.attempts, 2);
    QCOMPARE(back->options.headers.size(), 2);
    QVERIFY(back->options.headers.contains(
        qMakePair(QByteArray("Authorization"), QByteArray("Bearer s3cret"))));
}

void TestWire::manifestJsonStillDropsHeaderValues()
{
    FetchOptions options;
    options.headers = {{"Authorization", "Bearer s3cret"}};
    const QByteArray manifest = QJsonDocument(options.toJson()).toJson();
    QVERIFY(!manifest.contains("s3cret"));
    QVERIFY(QJsonDocument(options.toWireJson()).toJson().contains("s3cret"));
}

void TestWire::badSpec()
{
    QVERIFY(!Wire::HuntSpec::fromBytes("not json"));
    QVERIFY(!Wire::HuntSpec::fromBytes(R"({"path":"/x","options":{}})"));
    QVERIFY(!Wire::HuntSpec::fromBytes(R"({"id":"a","options":{"attempts":0}})"));
}

void TestWire::specCarriesThePolicy()
{
    TargetPolicy coordinator = TargetPolicy::none();
    QVERIFY(coordinator.deny(u"10.0.0.0/8"_s));
    QVERIFY(coordinator.allow(u"*.lab"_s));
    Wire::HuntSpec spec;
    spec.id = u"01ABC"_s;
    spec.path = u"/metric"_s;
    spec.policy = coordinator.toJson();
    const Result<Wire::HuntSpec> back = Wire::HuntSpec::fromBytes(spec.toBytes());
    QVERIFY(back);
    QCOMPARE(back->policy, spec.policy);
    const TargetPolicyPtr policy = back->options.extraPolicy;
    QVERIFY(policy);
    QCOMPARE(policy->toJson(), coordinator.toJson());
    QVERIFY(policy->checkHost(u"10.1.2.3"_s));      // denied
    QVERIFY(!policy->checkHost(u"node1.lab"_s));    // allowed
    QVERIFY(policy->checkHost(u"node1.example"_s)); // not allowed: allow rules exist
    // none() has no built-in denials: without allow rules, 169.254.169.254 passes.
    TargetPolicy bare = TargetPolicy::none();
    QVERIFY(bare.deny(u"10.0.0.0/8"_s));
    spec.policy = bare.toJson();
    QVERIFY(!Wire::HuntSpec::fromBytes(spec.toBytes())
                 ->options.extraPolicy->checkHost(u"169.254.169.254"_s));
    // The defaults keep their built-in denials across the wire.
    spec.policy = TargetPolicy().toJson();
    const TargetPolicyPtr defaults = Wire::HuntSpec::fromBytes(spec.toBytes())->options.extraPolicy;
    QVERIFY(defaults->checkHost(u"169.254.169.254"_s));
    // No policy: nothing extra (an older coordinator); a bad one: refused.
    spec.policy = {};
    QVERIFY(!Wire::HuntSpec::fromBytes(spec.toBytes())->options.extraPolicy);
    QVERIFY(!Wire::HuntSpec::fromBytes(R"({"id":"a","options":{},"policy":[]})"));
    QVERIFY(!Wire::HuntSpec::fromBytes(
        R"({"id":"a","options":{},"policy":{"allow":[],"deny":["10.0.0.0/99"],"builtins":true}})"));
    QVERIFY(
        !Wire::HuntSpec::fromBytes(R"({"id":"a","options":{},"policy":{"allow":[],"deny":[]}})"));
}

void TestWire::nodesRoundTrip()
{
    const QStringList nodes{u"10.0.0.1:9100"_s, u"https://[::1]:443"_s, u"name with \"quote\""_s};
    const Result<QStringList> back = Wire::decodeNodes(Wire::encodeNodes(nodes));
    QVERIFY(back);
    QCOMPARE(*back, nodes);
    QVERIFY(!Wire::decodeNodes("{}"));
    QVERIFY(!Wire::decodeNodes("[1]"));
}

void TestWire::outcomesRoundTrip()
{
    Outcome ok;
    ok.node = u"10.0.0.1:9100"_s;
    ok.url = u"http://10.0.0.1:9100/metric"_s;
    ok.outcome = OutcomeKind::Ok;
    ok.httpStatus = 200;
    ok.attempts = 1;
    ok.latencyMs = 12;
    ok.bytes = 40;
    ok.fetchedAt = QDateTime::fromString(u"2024-01-02T03:04:05.678Z"_s, Qt::ISODateWithMs);
    ok.body = QJsonObject{{u"cpu"_s, 12.5}};
    Outcome failed = ok;
    failed.node = u"10.0.0.2:9100"_s;
    failed.outcome = OutcomeKind::Timeout;
    failed.httpStatus = 0;
    failed.error = u"timed out"_s;
    failed.body = QJsonValue();
    const Result<QList<Outcome>> back = Wire::decodeOutcomes(Wire::encodeOutcomes({ok, failed}));
    QVERIFY(back);
    QCOMPARE(back->size(), 2);
    QCOMPARE(back->at(0).toJson(), ok.toJson());
    QCOMPARE(back->at(1).toJson(), failed.toJson());
}

void TestWire::badOutcomes()
{
    QVERIFY(!Wire::decodeOutcomes("garbage"));
    QVERIFY(!Wire::decodeOutcomes(R"({"node":"x"})"));
}

void TestWire::workerInfoRoundTrip()
{
    Wire::WorkerInfo info;
    info.name = u"w1"_s;
    info.host = u"box"_s;
    info.pid = 4242;
    info.inFlight = 17;
    info.done = 123456789012;
    info.jobs = 3;
    info.startedAt = QDateTime::fromString(u"2024-01-02T03:04:05.678Z"_s, Qt::ISODateWithMs);
    info.seenAt = info.startedAt.addSecs(10);
    const Result<Wire::WorkerInfo> back = Wire::WorkerInfo::fromJson(info.toJson());
    QVERIFY(back);
    QCOMPARE(back->toJson(), info.toJson());
    QVERIFY(!Wire::WorkerInfo::fromJson(QJsonObject{}));
}

namespace {
RedisReply str(const QByteArray &s)
{
    RedisReply r;
    r.type = RedisReply::Type::String;
    r.str = s;
    return r;
}
RedisReply array(QList<RedisReply> elements)
{
    RedisReply r;
    r.type = RedisReply::Type::Array;
    r.elements = std::move(elements);
    return r;
}
} // namespace

void TestWire::parseReadReply()
{
    const RedisReply reply = array(
        {array({str("artemis:jobs"),
                array({array({str("1-0"), array({str("hunt"), str("h"), str("nodes"), str("[]")})}),
                       array({str("2-0"), array({str("hunt"), str("g")})})})})});
    const QList<Wire::StreamEntry> entries = Wire::parseReadReply(reply);
    QCOMPARE(entries.size(), 2);
    QCOMPARE(entries.at(0).id, QByteArray("1-0"));
    QCOMPARE(entries.at(0).fields.value("nodes"), QByteArray("[]"));
    QCOMPARE(entries.at(1).fields.value("hunt"), QByteArray("g"));
    RedisReply nil;
    nil.type = RedisReply::Type::Nil;
    QVERIFY(Wire::parseReadReply(nil).isEmpty()); // BLOCK timed out
}

void TestWire::parseAutoClaimReply()
{
    const RedisReply reply =
        array({str("5-0"), array({array({str("3-0"), array({str("hunt"), str("h")})})}),
               array({str("4-0")})});
    QByteArray cursor;
    const QList<Wire::StreamEntry> entries = Wire::parseAutoClaimReply(reply, &cursor);
    QCOMPARE(cursor, QByteArray("5-0"));
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.at(0).id, QByteArray("3-0"));
    QVERIFY(Wire::parseAutoClaimReply(RedisReply{}, &cursor).isEmpty());
    QCOMPARE(cursor, QByteArray("0-0"));
}

QTEST_GUILESS_MAIN(TestWire)
#include "tst_wire.moc"
