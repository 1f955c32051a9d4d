#include <QJsonDocument>
#include <QTest>

#include "core/broker/expiringset.h"
#include "core/broker/wire.h"

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
    void secretFromBytes_data();
    void secretFromBytes();
    void sealOpens();
    void signedSpecSealsItsSecrets();
    void signedSpecRefused_data();
    void signedSpecRefused();
    void entrySignatures();
    void signingMarks();
    void specExpiryAndEnd();
    void expiringSet();
    void nodesRoundTrip();
    void authRulesTravelSealed();
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

namespace {
BrokerSecretPtr makeSecret(const QByteArray &bytes = "0123456789abcdef0123456789abcdef")
{
    Result<BrokerSecretPtr> secret = BrokerSecret::fromBytes(bytes);
    return secret ? *secret : nullptr;
}

Wire::HuntSpec specWithSecrets()
{
    Wire::HuntSpec spec;
    spec.id = u"20240101-abc"_s;
    spec.path = u"/metric"_s;
    spec.options.headers = {{"X-Api-Key", "hdr-s3cret"}};
    spec.options.basicAuth = FetchOptions::BasicAuth{u"ops"_s, u"pw-s3cret"_s};
    return spec;
}
} // namespace

void TestWire::secretFromBytes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("15 bytes") << QByteArray(15, 'x') << false;
    QTest::newRow("15 bytes and newlines") << QByteArray(15, 'x') + "\r\n\n" << false;
    QTest::newRow("16 bytes") << QByteArray(16, 'x') << true;
    QTest::newRow("openssl rand -hex 32") << QByteArray(64, 'a') + '\n' << true;
    QTest::newRow("binary") << QByteArray(32, '\0') << true;
}

void TestWire::secretFromBytes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    const Result<BrokerSecretPtr> secret = BrokerSecret::fromBytes(bytes);
    QCOMPARE(bool(secret), valid);
    if (!valid) {
        QVERIFY2(secret.error().message.contains(u"at least 16"_s),
                 qPrintable(secret.error().message));
    }
}

void TestWire::sealOpens()
{
    const BrokerSecretPtr secret = makeSecret();
    QVERIFY(secret);
    const QByteArray sealed = secret->seal("header value", "hunt-a");
    QVERIFY(!sealed.contains("header value"));
    QCOMPARE(*secret->open(sealed, "hunt-a"), QByteArray("header value"));
    QVERIFY(secret->seal("header value", "hunt-a") != sealed); // a fresh nonce each time
    QVERIFY(!secret->open(sealed, "hunt-b"));                  // bound to its hunt
    QVERIFY(!makeSecret(QByteArray(32, 'z'))->open(sealed, "hunt-a"));
    QByteArray raw = QByteArray::fromBase64(sealed);
    raw[14] = char(raw[14] ^ 1); // one bit of the ciphertext
    QVERIFY(!secret->open(raw.toBase64(), "hunt-a"));
    QVERIFY(!secret->open("short", "hunt-a"));
    QCOMPARE(*secret->open(secret->seal({}, "h"), "h"), QByteArray());
}

void TestWire::signedSpecSealsItsSecrets()
{
    const BrokerSecretPtr secret = makeSecret();
    const Wire::HuntSpec spec = specWithSecrets();
    const QByteArray bytes = spec.toBytes(secret.get());
    QVERIFY(bytes.startsWith("artemis-mac "));
    QVERIFY2(!bytes.contains("s3cret"), bytes.constData()); // neither the header nor the password
    QVERIFY(bytes.contains("/metric"));                     // the rest stays readable
    const Result<Wire::HuntSpec> back = Wire::HuntSpec::fromBytes(bytes, secret.get());
    QVERIFY2(back, back ? "" : qPrintable(back.error().message));
    QCOMPARE(back->options.headers, spec.options.headers);
    QVERIFY(back->options.basicAuth);
    QCOMPARE(back->options.basicAuth->password, u"pw-s3cret"_s);
    // Without secrets nothing is sealed, but the spec is still signed.
    Wire::HuntSpec plain = spec;
    plain.options.headers.clear();
    plain.options.basicAuth.reset();
    const QByteArray plainBytes = plain.toBytes(secret.get());
    QVERIFY(!plainBytes.contains("sealed"));
    QVERIFY(Wire::HuntSpec::fromBytes(plainBytes, secret.get()));
    QVERIFY(!Wire::HuntSpec::fromBytes(plainBytes)); // a worker without the secret refuses it
}

void TestWire::signedSpecRefused_data()
{
    const BrokerSecretPtr secret = makeSecret();
    const QByteArray good = specWithSecrets().toBytes(secret.get());
    const qsizetype newline = good.indexOf('\n');
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    QTest::newRow("unsigned") << specWithSecrets().toBytes() << u"unsigned"_s;
    QByteArray path = good;
    path.replace("/metric", "/evil!");
    QTest::newRow("path changed") << path << u"forged"_s;
    QByteArray mac = good;
    mac[13] = mac[13] == 'a' ? 'b' : 'a';
    QTest::newRow("mac changed") << mac << u"forged"_s;
    QTest::newRow("no newline") << good.left(newline) << u"forged"_s;
    QTest::newRow("another secret")
        << specWithSecrets().toBytes(makeSecret(QByteArray(20, 'q')).get()) << u"forged"_s;
    QTest::newRow("empty") << QByteArray() << u"unsigned"_s;
}

void TestWire::signedSpecRefused()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    const Result<Wire::HuntSpec> spec = Wire::HuntSpec::fromBytes(bytes, makeSecret().get());
    QVERIFY(!spec);
    QCOMPARE(spec.error().code, ErrorCode::Forbidden);
    QVERIFY2(spec.error().message.contains(reason), qPrintable(spec.error().message));
}

void TestWire::entrySignatures()
{
    const BrokerSecretPtr secret = makeSecret();
    const QByteArray nodes = R"(["10.0.0.1:80"])";
    Wire::StreamEntry unsignedJob;
    const QList<QByteArray> plain = Wire::jobFields(nullptr, "h1", 1700000000000, nodes);
    for (qsizetype i = 0; i + 1 < plain.size(); i += 2) {
        unsignedJob.fields.insert(plain.at(i), plain.at(i + 1));
    }
    QCOMPARE(Wire::checkJob(*secret, unsignedJob), Wire::Signature::Missing);
    QCOMPARE(Wire::jobExpiry(unsignedJob), 1700000000000);
    QCOMPARE(unsignedJob.fields.value("job").size(), 32);
    Wire::StreamEntry job;
    const QList<QByteArray> fields = Wire::jobFields(secret.get(), "h1", 1700000000000, nodes);
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
        job.fields.insert(fields.at(i), fields.at(i + 1));
    }
    QCOMPARE(Wire::checkJob(*secret, job), Wire::Signature::Valid);
    QVERIFY(job.fields.value("job") != unsignedJob.fields.value("job")); // unique per job
    // Every field is covered: hunt, nodes, the job id and the expiry.
    for (const auto &[field, value] : {std::pair<QByteArray, QByteArray>{"hunt", "h2"},
                                       {"nodes", R"(["10.0.0.1:80","10.0.0.2:80"])"},
                                       {"job", QByteArray(32, '0')},
                                       {"expires", "1800000000000"}}) {
        Wire::StreamEntry changed = job;
        changed.fields.insert(field, value);
        QVERIFY2(Wire::checkJob(*secret, changed) == Wire::Signature::Forged, field.constData());
    }
    QCOMPARE(Wire::checkJob(*makeSecret(QByteArray(16, 'k')), job), Wire::Signature::Forged);
    QCOMPARE(Wire::jobMac(*secret, "h1", job.fields.value("job"), "1700000000000", nodes),
             job.fields.value("mac"));
    // Parts are length-prefixed: moving bytes between fields changes the MAC.
    Wire::StreamEntry shifted = job;
    shifted.fields.insert("hunt", "h1[\"10");
    shifted.fields.insert("nodes", R"(.0.0.1:80"])");
    QCOMPARE(Wire::checkJob(*secret, shifted), Wire::Signature::Forged);
    Wire::StreamEntry noExpiry = job;
    noExpiry.fields.insert("expires", "soon");
    QCOMPARE(Wire::jobExpiry(noExpiry), 0);

    Wire::StreamEntry result;
    result.fields = {{"hunt", "h1"}, {"worker", "w1"}, {"outcomes", "[]"}};
    result.fields.insert("mac", Wire::resultMac(*secret, "h1", "w1", "[]"));
    QCOMPARE(Wire::checkResult(*secret, result), Wire::Signature::Valid);
    result.fields.insert("worker", "w2");
    QCOMPARE(Wire::checkResult(*secret, result), Wire::Signature::Forged);
    // A job's MAC is never a result's (domains differ).
    Wire::StreamEntry asResult;
    asResult.fields = {{"hunt", "h1"}, {"worker", R"(["10.0.0.1:80"])"}, {"outcomes", ""}};
    asResult.fields.insert("mac", job.fields.value("mac"));
    QCOMPARE(Wire::checkResult(*secret, asResult), Wire::Signature::Forged);
}

void TestWire::signingMarks()
{
    const BrokerSecretPtr one = makeSecret();
    const BrokerSecretPtr other = makeSecret(QByteArray(16, 'o'));
    QCOMPARE(Wire::signingMark(nullptr), QByteArray("none"));
    QVERIFY(Wire::signingMark(one.get()).startsWith("hmac-sha256 "));
    QVERIFY(!Wire::signingMark(one.get()).contains("0123456789abcdef"));
    QCOMPARE(Wire::signingMark(one.get()), Wire::signingMark(makeSecret().get()));
    QVERIFY(Wire::signingMismatch(Wire::signingMark(one.get()), one.get()).isEmpty());
    QVERIFY(Wire::signingMismatch("none", nullptr).isEmpty());
    QVERIFY(Wire::signingMismatch(Wire::signingMark(one.get()), nullptr)
                .contains(u"start this worker with"_s));
    QVERIFY(Wire::signingMismatch("none", one.get()).contains(u"does not sign"_s));
    QVERIFY(Wire::signingMismatch(Wire::signingMark(other.get()), one.get())
                .contains(u"is not the coordinator's"_s));
    // Anyone can write the mark: only a key id is quoted from it, never other bytes.
    const QString odd = Wire::signingMismatch("hmac-sha256 <script>\nfake log line", one.get());
    QVERIFY2(odd.contains(u"(not a key id)"_s) && !odd.contains(u"script"_s), qPrintable(odd));
}

void TestWire::specExpiryAndEnd()
{
    const BrokerSecretPtr secret = makeSecret();
    Wire::HuntSpec spec = specWithSecrets();
    spec.expiresAtMs = 1700000000123;
    const Result<Wire::HuntSpec> back =
        Wire::HuntSpec::fromBytes(spec.toBytes(secret.get()), secret.get());
    QVERIFY(back);
    QCOMPARE(back->expiresAtMs, 1700000000123);
    QVERIFY(!back->ended);
    // The expiry is signed: changing it forges the spec.
    QByteArray later = spec.toBytes(secret.get());
    later.replace("1700000000123", "1900000000123");
    QCOMPARE(Wire::HuntSpec::fromBytes(later, secret.get()).error().code, ErrorCode::Forbidden);
    // The `ended` marker: signed, no secrets in it.
    Wire::HuntSpec ended;
    ended.id = spec.id;
    ended.expiresAtMs = spec.expiresAtMs;
    ended.ended = true;
    const QByteArray marker = ended.toBytes(secret.get());
    QVERIFY(!marker.contains("s3cret") && !marker.contains("sealed"));
    const Result<Wire::HuntSpec> endedBack = Wire::HuntSpec::fromBytes(marker, secret.get());
    QVERIFY(endedBack);
    QVERIFY(endedBack->ended);
    QCOMPARE(endedBack->expiresAtMs, spec.expiresAtMs);
    QByteArray revived = marker;
    revived.replace("\"ended\":true,", ""); // compact JSON sorts the keys: it comes first
    QVERIFY(revived != marker);
    QCOMPARE(Wire::HuntSpec::fromBytes(revived, secret.get()).error().code, ErrorCode::Forbidden);
}

void TestWire::expiringSet()
{
    ExpiringSet set(3);
    set.insert("a", 1000, 0);
    set.insert("b", 2000, 0);
    QVERIFY(set.contains("a", 999));
    QVERIFY(!set.contains("a", 1000)); // expired
    QVERIFY(set.contains("b", 1000));
    set.insert("past", 10, 100); // already expired: not kept
    QVERIFY(!set.contains("past", 0));
    set.insert("c", 3000, 0);
    set.insert("d", 4000, 0); // over capacity: the oldest inserted goes
    QCOMPARE(set.size(), 3);
    QVERIFY(!set.contains("a", 0));
    QVERIFY(set.contains("d", 0));
    set.insert("e", 5000, 2500); // a and b's time is over: pruned from the front
    QVERIFY(!set.contains("b", 2500));
    QVERIFY(set.contains("c", 2500) && set.contains("e", 2500));
}

void TestWire::nodesRoundTrip()
{
    const QStringList nodes{u"10.0.0.1:9100"_s, u"https://[::1]:443"_s, u"name with \"quote\""_s};
    const Result<QStringList> back = Wire::decodeNodes(Wire::encodeNodes(nodes));
    QVERIFY(back);
    QCOMPARE(*back, nodes);
    QVERIFY(!Wire::decodeNodes("{}"));
    QVERIFY(!Wire::decodeNodes("[1]"));

    // A hunt with auth rules sends each node's labels (its workers choose credentials by them).
    const QList<Labels> labels{{{u"dc"_s, u"fra1"_s}}, {}, {{u"dc"_s, u"ams1"_s}}};
    QList<Labels> labelsBack;
    const Result<QStringList> labelled =
        Wire::decodeNodes(Wire::encodeNodes(nodes, labels), &labelsBack);
    QVERIFY(labelled);
    QCOMPARE(*labelled, nodes);
    QCOMPARE(labelsBack, labels);
}

void TestWire::authRulesTravelSealed()
{
    Wire::HuntSpec spec;
    spec.id = u"20240101-auth"_s;
    spec.path = u"/metric"_s;
    spec.options.auth.resize(2);
    spec.options.auth[0].match = {{u"dc"_s, u"fra1"_s}};
    spec.options.auth[0].bearerTokenFile = u"/etc/artemis/fra1.token"_s;
    spec.options.auth[0].authorization = "Bearer tok-s3cret";
    spec.options.auth[1].user = u"svc"_s;
    spec.options.auth[1].passwordFile = u"/etc/artemis/default.pass"_s;
    spec.options.auth[1].authorization = "Basic c3ZjOnB3LXMzY3JldA==";
    const BrokerSecretPtr secret = makeSecret();
    const QByteArray bytes = spec.toBytes(secret.get());
    QVERIFY2(!bytes.contains("s3cret") && !bytes.contains("c3ZjOnB3LXMzY3JldA=="),
             bytes.constData());
    const Result<Wire::HuntSpec> back = Wire::HuntSpec::fromBytes(bytes, secret.get());
    QVERIFY2(back, back ? "" : qPrintable(back.error().message));
    QCOMPARE(back->options.auth, spec.options.auth);
    // Rules are credentials: without a broker secret the coordinator refuses the hunt
    // (RedisExecutor::accepts, through FetchOptions::hasCredentials).
    QVERIFY(spec.options.hasCredentials());
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
    info.errors = 12;
    info.refusedJobs = 2;
    info.nodesPerSecond = 1234.56;
    info.startedAt = QDateTime::fromString(u"2024-01-02T03:04:05.678Z"_s, Qt::ISODateWithMs);
    info.seenAt = info.startedAt.addSecs(10);
    const Result<Wire::WorkerInfo> back = Wire::WorkerInfo::fromJson(info.toJson());
    QVERIFY(back);
    QCOMPARE(back->toJson(), info.toJson());
    QCOMPARE(back->errors, 12);
    QCOMPARE(back->refusedJobs, 2);
    QCOMPARE(back->nodesPerSecond, 1234.6); // one decimal on the wire
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
