// Per-hunt request settings (FetchOptions: headers, basic auth, CA / insecureSkipVerify,
// redirects) through HuntEngine + LocalExecutor + Fetcher against real loopback nodes, HTTPS
// ones with a CA made by openssl for the test. Secrets never reach the disk.
#include <QtTest>

#include <QJsonDocument>

#include "core/engine/huntengine.h"
#include "core/store/resultstore.h"
#include "tests/common/fakenode.h"
#include "tests/common/stackfixture.h"
#include "tests/common/testca.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;
using Artemis::Test::StackFixture;
using Artemis::Test::StackOptions;
using Artemis::Test::TestCa;

class TestRequestSettings : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void httpsWithCaFileIsOk();
    void httpsWithoutCaIsTls();
    void httpsWithAnotherCaIsTls();
    void insecureSkipVerifyIsOk();
    void headersAndBasicAuthReachNodeButNotTheDisk();
    void redirectsOffRecordThe3xx();
    void redirectsOnFollowUpToFive();
    void redirectLoopIsError();
    void redirectToDeniedAddressIsDenied();
    void redirectToNameIsResolvedThenFollowed();
    void redirectToOtherOriginWithCredentialsIsRefused();
    void redirectFromHttpsToHttpIsRefused();
    void optionsJson_data();
    void optionsJson();
    void secretsOnlyOnTheWire();

private:
    Outcome huntOne(const QString &node, const FetchOptions &options);
    FakeNode *fake(FakeNode::Behaviour behaviour, bool tls = false);
    FakeNode *redirecting(const QString &location);

    QTemporaryDir m_caDir;
    QTemporaryDir m_otherCaDir;
    std::optional<TestCa> m_ca;
    std::optional<TestCa> m_otherCa;
    std::unique_ptr<StackFixture> m_stack;
    ResultStore *m_store = nullptr; // m_stack's
    HuntEngine *m_engine = nullptr; // m_stack's
    std::vector<std::unique_ptr<FakeNode>> m_fakes;
    QString m_lastHunt;
};

void TestRequestSettings::initTestCase()
{
    QVERIFY(m_caDir.isValid() && m_otherCaDir.isValid());
    Result<TestCa> ca = TestCa::create(m_caDir.path());
    QVERIFY2(ca, ca ? "" : qPrintable(ca.error().message));
    m_ca = *ca;
    Result<TestCa> other = TestCa::create(m_otherCaDir.path());
    QVERIFY2(other, other ? "" : qPrintable(other.error().message));
    m_otherCa = *other;
}

void TestRequestSettings::init()
{
    auto policy = std::make_shared<TargetPolicy>();
    QVERIFY(policy->deny(u"127.0.0.2/32"));
    m_stack = std::make_unique<StackFixture>();
    StackOptions options;
    options.threads = 1;
    options.engine.policy = policy;
    options.scheduler.reset();
    QVERIFY2_OK(m_stack->open(options));
    m_store = m_stack->store();
    m_engine = m_stack->engine();
}

void TestRequestSettings::cleanup()
{
    m_engine = nullptr;
    m_store = nullptr;
    m_stack.reset();
    m_fakes.clear();
}

FakeNode *TestRequestSettings::fake(FakeNode::Behaviour behaviour, bool tls)
{
    auto node = std::make_unique<FakeNode>();
    if (tls) {
        node->setTlsConfiguration(m_ca->serverConfiguration());
    }
    if (!node->start()) {
        qFatal("fake node did not start");
    }
    node->setBehaviour(behaviour);
    m_fakes.push_back(std::move(node));
    return m_fakes.back().get();
}

FakeNode *TestRequestSettings::redirecting(const QString &location)
{
    FakeNode *node = fake(FakeNode::Behaviour::Status);
    node->setStatus(302, {}, {{"Location", location.toUtf8()}});
    return node;
}

// Runs a one-node hunt to the end and returns the stored outcome.
Outcome TestRequestSettings::huntOne(const QString &node, const FetchOptions &options)
{
    QSignalSpy finished(m_engine, &HuntEngine::huntFinished);
    const Result<HuntInfo> hunt = m_engine->submit({{node}, u"metric"_s, options, u"test"_s});
    if (!hunt) {
        qWarning("submit failed: %s", qPrintable(hunt.error().message));
        return {};
    }
    m_lastHunt = hunt->id;
    if (!finished.wait(20000)) {
        qWarning("hunt did not finish");
        return {};
    }
    Outcome outcome;
    (void)m_store->forEachResult(hunt->id, [&](const Outcome &o) {
        outcome = o;
        return false;
    });
    return outcome;
}

void TestRequestSettings::httpsWithCaFileIsOk()
{
    FakeNode *node = fake(FakeNode::Behaviour::Json, true);
    FetchOptions o;
    QVERIFY(o.loadCaFile(m_ca->caFile(), FileAccess::unrestricted()));
    const Outcome outcome = huntOne(node->node(), o);
    QCOMPARE(outcomeName(outcome.outcome), u"ok"_s);
    QCOMPARE(outcome.body[u"cpu"_s].toDouble(), 12.5);
    QVERIFY(outcome.url.startsWith(u"https://127.0.0.1:"_s));
    QCOMPARE(node->requestCount(), 1);
}

void TestRequestSettings::httpsWithoutCaIsTls()
{
    FakeNode *node = fake(FakeNode::Behaviour::Json, true);
    const Outcome outcome = huntOne(node->node(), FetchOptions{});
    QCOMPARE(outcomeName(outcome.outcome), u"tls"_s);
    QCOMPARE(outcome.attempts, 1); // final, not retried
    QVERIFY2(outcome.error.startsWith(u"TLS failed:"_s), qPrintable(outcome.error));
    QCOMPARE(node->requestCount(), 0);
}

void TestRequestSettings::httpsWithAnotherCaIsTls()
{
    // The given CA replaces the trusted set: a certificate from another CA fails.
    FakeNode *node = fake(FakeNode::Behaviour::Json, true);
    FetchOptions o;
    QVERIFY(o.loadCaFile(m_otherCa->caFile(), FileAccess::unrestricted()));
    QCOMPARE(outcomeName(huntOne(node->node(), o).outcome), u"tls"_s);
    QCOMPARE(node->requestCount(), 0);
}

void TestRequestSettings::insecureSkipVerifyIsOk()
{
    FakeNode *node = fake(FakeNode::Behaviour::Json, true);
    FetchOptions o;
    o.insecureSkipVerify = true;
    QCOMPARE(outcomeName(huntOne(node->node(), o).outcome), u"ok"_s);
    QCOMPARE(node->requestCount(), 1);
}

void TestRequestSettings::headersAndBasicAuthReachNodeButNotTheDisk()
{
    FakeNode *node = fake(FakeNode::Behaviour::Json, true);
    FetchOptions o;
    QVERIFY(o.loadCaFile(m_ca->caFile(), FileAccess::unrestricted()));
    o.headers = {{"X-Api-Key", "k-7f3a9c"}};
    o.basicAuth = FetchOptions::BasicAuth{u"bob"_s, u"s3cr\u00e9t pass"_s};
    const Outcome outcome = huntOne(node->node(), o);
    QCOMPARE(outcomeName(outcome.outcome), u"ok"_s);
    const QHash<QByteArray, QByteArray> seen = node->requestHeaders().value(0);
    const QByteArray credentials = QByteArray("bob:s3cr\xc3\xa9t pass").toBase64();
    QCOMPARE(seen.value("authorization"), "Basic " + credentials);
    QCOMPARE(seen.value("x-api-key"), QByteArray("k-7f3a9c"));

    const QString huntDir = m_store->huntDir(m_lastHunt);
    QByteArray manifestBytes;
    for (const QString &name : {u"hunt.json"_s, u"results.ndjson"_s}) {
        QFile file(huntDir + u'/' + name);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const QByteArray bytes = file.readAll();
        QVERIFY2(!bytes.contains("s3cr"), qPrintable(name));
        QVERIFY2(!bytes.contains(credentials), qPrintable(name));
        QVERIFY2(!bytes.contains("k-7f3a9c"), qPrintable(name));
        if (name == u"hunt.json"_s) {
            manifestBytes = bytes;
        }
    }
    QVERIFY(manifestBytes.contains("\"X-Api-Key\"")); // the header's name is kept
    // What is not secret stays, so a stored hunt says how it was fetched.
    const Result<HuntInfo> stored = m_store->loadManifest(m_lastHunt);
    QVERIFY(stored);
    QCOMPARE(stored->options.basicAuth->username, u"bob"_s);
    QVERIFY(stored->options.basicAuth->password.isEmpty());
    QCOMPARE(stored->options.caFile, QFileInfo(m_ca->caFile()).absoluteFilePath());
    QVERIFY(!stored->options.caPem.isEmpty());
}

void TestRequestSettings::redirectsOffRecordThe3xx()
{
    FakeNode *target = fake(FakeNode::Behaviour::Json);
    FakeNode *node = redirecting(u"http://%1/metric"_s.arg(target->node()));
    const Outcome outcome = huntOne(node->node(), FetchOptions{});
    QCOMPARE(outcomeName(outcome.outcome), u"http_error"_s);
    QCOMPARE(outcome.httpStatus, 302);
    QCOMPARE(outcome.attempts, 1);
    QCOMPARE(target->requestCount(), 0);
}

void TestRequestSettings::redirectsOnFollowUpToFive()
{
    // Five hops through five nodes, then the answer.
    FakeNode *target = fake(FakeNode::Behaviour::Json);
    QString next = u"http://%1/final"_s.arg(target->node());
    QList<FakeNode *> chain;
    for (int i = 0; i < FetchOptions::MaxRedirects; ++i) {
        chain.prepend(redirecting(next));
        next = u"http://%1/hop"_s.arg(chain.first()->node());
    }
    FetchOptions o;
    o.followRedirects = true;
    const Outcome outcome = huntOne(chain.first()->node(), o);
    QVERIFY2(outcome.outcome == OutcomeKind::Ok, qPrintable(outcome.error));
    QCOMPARE(outcome.httpStatus, 200);
    QCOMPARE(outcome.body[u"node"_s].toString(), u"fake"_s);
    QCOMPARE(outcome.attempts, 1);
    for (FakeNode *hop : std::as_const(chain)) {
        QCOMPARE(hop->requestCount(), 1);
    }
    QCOMPARE(target->requestPaths(), QList<QByteArray>{"/final"});
}

void TestRequestSettings::redirectLoopIsError()
{
    FakeNode *node = fake(FakeNode::Behaviour::Status);
    node->setStatus(301, {}, {{"Location", "/metric"}}); // relative, to itself
    FetchOptions o;
    o.followRedirects = true;
    const Outcome outcome = huntOne(node->node(), o);
    QVERIFY2(outcome.error.startsWith(u"more than 5 redirects (last to http://127.0.0.1:"_s),
             qPrintable(outcome.error));
    QCOMPARE(outcomeName(outcome.outcome), u"error"_s);
    QCOMPARE(outcome.httpStatus, 301);
    QCOMPARE(outcome.attempts, 1); // not transient
    QCOMPARE(node->requestCount(), 1 + FetchOptions::MaxRedirects);
}

void TestRequestSettings::redirectToDeniedAddressIsDenied()
{
    // The policy denies 127.0.0.2; a redirect must not take the hunt there.
    FakeNode *node = redirecting(u"http://127.0.0.2:9/metric"_s);
    FetchOptions o;
    o.followRedirects = true;
    const Outcome outcome = huntOne(node->node(), o);
    QCOMPARE(outcomeName(outcome.outcome), u"denied"_s);
    QVERIFY2(outcome.error.startsWith(u"redirect to http://127.0.0.2:9/metric denied:"_s),
             qPrintable(outcome.error));
}

void TestRequestSettings::redirectToNameIsResolvedThenFollowed()
{
    // The policy has address rules, so a host name is looked up and checked before the hop.
    FakeNode *target = fake(FakeNode::Behaviour::Json);
    FakeNode *node = redirecting(u"http://localhost:%1/final"_s.arg(target->port()));
    FetchOptions o;
    o.followRedirects = true;
    const Outcome outcome = huntOne(node->node(), o);
    QVERIFY2(outcome.outcome == OutcomeKind::Ok, qPrintable(outcome.error));
    QCOMPARE(target->requestPaths(), QList<QByteArray>{"/final"});
}

void TestRequestSettings::redirectToOtherOriginWithCredentialsIsRefused()
{
    FakeNode *other = fake(FakeNode::Behaviour::Json);
    FakeNode *node = redirecting(u"http://%1/metric"_s.arg(other->node()));
    FetchOptions o;
    o.followRedirects = true;
    o.basicAuth = FetchOptions::BasicAuth{u"bob"_s, u"s3cret"_s};
    const Outcome outcome = huntOne(node->node(), o);
    QCOMPARE(outcomeName(outcome.outcome), u"error"_s);
    QVERIFY2(outcome.error.contains(u"another origin"_s), qPrintable(outcome.error));
    QCOMPARE(other->requestCount(), 0); // the password never went there
}

void TestRequestSettings::redirectFromHttpsToHttpIsRefused()
{
    FakeNode *plain = fake(FakeNode::Behaviour::Json);
    FakeNode *node = fake(FakeNode::Behaviour::Status, true);
    node->setStatus(302, {}, {{"Location", u"http://%1/metric"_s.arg(plain->node()).toUtf8()}});
    FetchOptions o;
    o.insecureSkipVerify = true;
    o.followRedirects = true;
    const Outcome outcome = huntOne(node->node(), o);
    QCOMPARE(outcomeName(outcome.outcome), u"error"_s);
    QVERIFY2(outcome.error.startsWith(u"redirect from https to"_s), qPrintable(outcome.error));
    QCOMPARE(plain->requestCount(), 0);
}

void TestRequestSettings::optionsJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // empty: valid

    const QByteArray caFile = m_ca->caFile().toUtf8();
    QTest::newRow("all settings") << QByteArray(R"({"headers": {"X-A": "1"}, "basicAuth": )"
                                                R"({"username": "bob", "password": "pw"}, )"
                                                R"("caFile": ")"
                                                + caFile
                                                + R"(", )"
                                                  R"("insecureSkipVerify": false, )"
                                                  R"("followRedirects": true})")
                                  << QString();
    QTest::newRow("password optional")
        << QByteArray(R"({"basicAuth": {"username": "bob"}})") << QString();
    QTest::newRow("missing CA file") << QByteArray(R"({"caFile": "/nonexistent/ca.pem"})")
                                     << u"CA file '/nonexistent/ca.pem' does not exist"_s;
    QTest::newRow("CA file is a directory")
        << QByteArray(R"({"caFile": "/tmp"})") << u"CA file '/tmp' is not a regular file"_s;
    QTest::newRow("CA file is not PEM")
        << QByteArray(R"({"caFile": ")" + caFile.chopped(6) + R"(server.ext"})")
        << u"server.ext' holds no PEM certificate"_s;
    QTest::newRow("CA file is a key only")
        << QByteArray(R"({"caFile": ")" + caFile.chopped(6) + R"(ca.key"})")
        << u"ca.key' holds no PEM certificate"_s;
    QTest::newRow("caPem not PEM")
        << QByteArray(R"({"caPem": "hello"})") << u"option 'caPem' holds no PEM certificate"_s;
    QTest::newRow("caFile not a string") << QByteArray(R"({"caFile": 3})") << u"must be strings"_s;
    QTest::newRow("insecure not bool") << QByteArray(R"({"insecureSkipVerify": "yes"})")
                                       << u"option 'insecureSkipVerify' must be true or false"_s;
    QTest::newRow("redirects not bool") << QByteArray(R"({"followRedirects": 1})")
                                        << u"option 'followRedirects' must be true or false"_s;
    QTest::newRow("basicAuth a string")
        << QByteArray(R"({"basicAuth": "bob:pw"})") << u"option 'basicAuth' must be"_s;
    QTest::newRow("basicAuth without user")
        << QByteArray(R"({"basicAuth": {"password": "x"}})") << u"option 'basicAuth' must be"_s;
    QTest::newRow("user with colon")
        << QByteArray(R"({"basicAuth": {"username": "a:b", "password": "x"}})")
        << u"basicAuth needs a user name without ':'"_s;
    QTest::newRow("password with line break")
        << QByteArray(R"({"basicAuth": {"username": "a", "password": "x\r\nEvil: 1"}})")
        << u"line break"_s;
    QTest::newRow("basicAuth and Authorization header")
        << QByteArray(R"({"basicAuth": {"username": "a"}, "headers": {"authorization": "x"}})")
        << u"either basicAuth or an Authorization header"_s;
    QTest::newRow("unknown key lists the new ones")
        << QByteArray(R"({"insecure": true})") << u"insecureSkipVerify, followRedirects"_s;
}

void TestRequestSettings::optionsJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    QVERIFY2(doc.isObject(), json.constData());
    const Result<FetchOptions> parsed =
        FetchOptions::fromJson(doc.object(), FileAccess::unrestricted());
    if (!error.isEmpty()) {
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(parsed.error().message.contains(error), qPrintable(parsed.error().message));
        return;
    }
    QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().message));
    QCOMPARE(parsed->basicAuth->username, u"bob"_s);
    // What the wire carries reads back the same; the manifest form reads back without secrets.
    const Result<FetchOptions> wire = FetchOptions::fromJson(parsed->toWireJson());
    QVERIFY(wire);
    QCOMPARE(wire->toWireJson(), parsed->toWireJson());
    const Result<FetchOptions> stored = FetchOptions::fromJson(parsed->toJson());
    QVERIFY(stored);
    QJsonObject withoutHeaders = parsed->toJson();
    withoutHeaders.remove(u"headerNames"_s); // names without values are not headers to send
    QCOMPARE(stored->toJson(), withoutHeaders);
}

void TestRequestSettings::secretsOnlyOnTheWire()
{
    FetchOptions o;
    o.headers = {{"Authorization", "Bearer t0ken"}};
    QVERIFY(o.loadCaFile(m_ca->caFile(), FileAccess::unrestricted()));
    o.followRedirects = true;
    const QByteArray manifest = QJsonDocument(o.toJson()).toJson();
    QVERIFY(!manifest.contains("t0ken"));
    QVERIFY(manifest.contains("BEGIN CERTIFICATE")); // public: workers need no file
    QVERIFY(!manifest.contains("PRIVATE KEY"));
    o.headers.clear();
    o.basicAuth = FetchOptions::BasicAuth{u"bob"_s, u"pw-9"_s};
    QVERIFY(!QJsonDocument(o.toJson()).toJson().contains("pw-9"));
    const Result<FetchOptions> back = FetchOptions::fromJson(o.toWireJson());
    QVERIFY(back);
    QCOMPARE(back->basicAuth->password, u"pw-9"_s);
    QCOMPARE(back->caPem, o.caPem);
    QVERIFY(back->followRedirects);
    QCOMPARE(back->basicAuthorization(), "Basic " + QByteArray("bob:pw-9").toBase64());
}

QTEST_GUILESS_MAIN(TestRequestSettings)
#include "tst_requestsettings.moc"
