// The checks that keep web pages from driving the service (headless/rest/requestguard.h): one row
// per rule, then the same through a real service on loopback.
#include <QtTest>

#include <QProcess>

#include "headless/rest/requestguard.h"
#include "tests/common/httpclient.h"
#include "tests/headless/restservice.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::HttpClient;
using Artemis::Test::HttpReply;
using Artemis::Test::RestService;

class TestRequestGuard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rules_data();
    void rules();
    void throughTheService();
    void corsPreflightAndAnswers();
    void seedCurlLineStillWorks();
};

void TestRequestGuard::rules_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<QByteArray>("fetchSite");
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<bool>("token");
    QTest::addColumn<int>("status"); // 0: allowed
    QTest::addColumn<QString>("named");

    const QByteArray form = "application/x-www-form-urlencoded";
    const QByteArray json = "application/json";
    QTest::newRow("seed curl: form, no origin")
        << "POST"_ba << u"/fetch"_s << "localhost:5000"_ba << QByteArray() << QByteArray() << form
        << false << 0 << QString();
    QTest::newRow("cross-site form post") << "POST"_ba << u"/fetch"_s << "127.0.0.1:5000"_ba
                                          << "http://evil.example"_ba << QByteArray() << form
                                          << false << 403 << u"http://evil.example"_s;
    QTest::newRow("Sec-Fetch-Site cross-site")
        << "POST"_ba << u"/fetch"_s << "127.0.0.1:5000"_ba << QByteArray() << "cross-site"_ba
        << form << false << 403 << u"cross-site"_s;
    QTest::newRow("same origin page") << "POST"_ba << u"/api/v1/hunts"_s << "127.0.0.1:5000"_ba
                                      << "http://127.0.0.1:5000"_ba
                                      << "same-origin"_ba << json << false << 0 << QString();
    QTest::newRow("other port of localhost is another origin")
        << "POST"_ba << u"/api/v1/hunts"_s << "localhost:5000"_ba
        << "http://localhost:3000"_ba
        << "same-site"_ba << json << false << 403 << u"http://localhost:3000"_s;
    QTest::newRow("origin null") << "GET"_ba << u"/api/v1/hunts"_s << "localhost:5000"_ba
                                 << "null"_ba << QByteArray() << QByteArray() << false << 403
                                 << u"'null'"_s;
    QTest::newRow("allowed origin")
        << "GET"_ba << u"/api/v1/hunts"_s << "localhost:5000"_ba
        << "http://dash.example:8080"_ba << QByteArray() << QByteArray() << false << 0 << QString();
    QTest::newRow("allowed origin from another site")
        << "POST"_ba << u"/api/v1/hunts"_s << "127.0.0.1:5000"_ba
        << "http://dash.example:8080"_ba
        << "cross-site"_ba
        << "application/json"_ba << true << 0 << QString();
    QTest::newRow("JSON as text/plain")
        << "POST"_ba << u"/api/v1/hunts"_s << "localhost:5000"_ba << QByteArray() << QByteArray()
        << "text/plain"_ba << false << 415 << u"text/plain"_s;
    QTest::newRow("JSON with charset")
        << "POST"_ba << u"/api/v1/schedules"_s << "localhost:5000"_ba << QByteArray()
        << QByteArray() << "application/json; charset=utf-8"_ba << false << 0 << QString();
    QTest::newRow("form sent to JSON endpoint")
        << "POST"_ba << u"/api/v1/hunts"_s << "localhost:5000"_ba << QByteArray() << QByteArray()
        << form << false << 415 << u"application/x-www-form-urlencoded"_s;
    QTest::newRow("JSON sent to /fetch")
        << "POST"_ba << u"/fetch"_s << "localhost:5000"_ba << QByteArray() << QByteArray() << json
        << false << 415 << u"application/json"_s;
    QTest::newRow("rebinding: foreign Host")
        << "GET"_ba << u"/api/v1/hunts"_s << "evil.example:5000"_ba << QByteArray() << QByteArray()
        << QByteArray() << false << 403 << u"evil.example"_s;
    QTest::newRow("foreign Host on a probe")
        << "GET"_ba << u"/metric"_s << "evil.example"_ba << QByteArray() << QByteArray()
        << QByteArray() << false << 403 << u"evil.example"_s;
    QTest::newRow("foreign Host with a token")
        << "GET"_ba << u"/api/v1/hunts"_s << "artemis.lan:5000"_ba << QByteArray() << QByteArray()
        << QByteArray() << true << 0 << QString();
    QTest::newRow("allowed host") << "GET"_ba << u"/api/v1/hunts"_s << "artemis.lan:5000"_ba
                                  << QByteArray() << QByteArray() << QByteArray() << false << 0
                                  << QString();
    QTest::newRow("loopback 127.1.2.3")
        << "GET"_ba << u"/api/v1/hunts"_s << "127.1.2.3:80"_ba << QByteArray() << QByteArray()
        << QByteArray() << false << 0 << QString();
    QTest::newRow("loopback [::1]")
        << "GET"_ba << u"/api/v1/hunts"_s << "[::1]:5000"_ba << QByteArray() << QByteArray()
        << QByteArray() << false << 0 << QString();
    QTest::newRow("cancel without a body")
        << "POST"_ba << u"/api/v1/hunts/X/cancel"_s << "localhost"_ba << QByteArray()
        << QByteArray() << QByteArray() << false << 0 << QString();
}

void TestRequestGuard::rules()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, origin);
    QFETCH(QByteArray, fetchSite);
    QFETCH(QByteArray, type);
    QFETCH(bool, token);
    QFETCH(int, status);
    QFETCH(QString, named);
    RequestFacts facts{method, path, host, origin, fetchSite, type, !type.isEmpty()};
    const RequestSourcePolicy policy{token, {u"http://dash.example:8080"_s}, {u"artemis.lan"_s}};
    std::optional<RequestRefusal> refusal = checkRequestSource(facts, policy);
    if (!refusal) {
        refusal = checkRequestBody(facts);
    }
    QCOMPARE(refusal ? refusal->status : 0, status);
    if (refusal) {
        QVERIFY2(refusal->reason.contains(named), qPrintable(refusal->reason));
    }
}

void TestRequestGuard::throughTheService()
{
    RestService service;
    HttpClient client(service.base());
    const HttpReply evil = client.send("POST", u"/fetch"_s, "node=127.0.0.1:1&url=metric",
                                       {{"Origin", "http://evil.example"}});
    QCOMPARE(evil.status, 403);
    QCOMPARE(evil.json().value(u"error"_s).toString(), u"Forbidden"_s);
    QVERIFY(evil.json().value(u"details"_s).toString().contains(u"http://evil.example"_s));
    const HttpReply plain =
        client.send("POST", u"/api/v1/hunts"_s, R"({"nodes": ["127.0.0.1:1"], "url": "metric"})",
                    {{"Content-Type", "text/plain"}});
    QCOMPARE(plain.status, 415);
    QVERIFY(plain.json().value(u"details"_s).toString().contains(u"text/plain"_s));
    const HttpReply rebound = client.get(u"/api/v1/hunts"_s, {{"Host", "evil.example:5000"}});
    QCOMPARE(rebound.status, 403);
    // Nothing of the refused requests was started.
    QCOMPARE(client.get(u"/api/v1/hunts"_s).json().value(u"count"_s).toInt(), 0);
}

// --allow-origin: the preflight a browser sends before a call with `Authorization` or a JSON
// body gets 204 with what it may send; the answers say the origin; any other origin gets 403
// and not one Access-Control header (the browser then refuses to let the page read anything).
void TestRequestGuard::corsPreflightAndAnswers()
{
    Artemis::Test::ServiceOptions options;
    options.token = "secret";
    options.allowedOrigins = {u"http://127.0.0.1:8081"_s};
    RestService service(options);
    HttpClient anonymous(service.base());
    const QList<QPair<QByteArray, QByteArray>> preflight{
        {"Origin", "http://127.0.0.1:8081"},
        {"Access-Control-Request-Method", "POST"},
        {"Access-Control-Request-Headers", "authorization, content-type"}};
    const HttpReply allowed = anonymous.send("OPTIONS", u"/api/v1/hunts"_s, {}, preflight);
    QCOMPARE(allowed.status, 204);
    QCOMPARE(allowed.headers.value("access-control-allow-origin"), "http://127.0.0.1:8081"_ba);
    const QByteArray methods = allowed.headers.value("access-control-allow-methods");
    QVERIFY2(methods.contains("GET") && methods.contains("POST"), methods.constData());
    const QByteArray headers = allowed.headers.value("access-control-allow-headers");
    QVERIFY2(headers.contains("Authorization") && headers.contains("Content-Type"),
             headers.constData());

    QList<QPair<QByteArray, QByteArray>> other = preflight;
    other[0].second = "http://127.0.0.1:9999";
    const HttpReply refused = anonymous.send("OPTIONS", u"/api/v1/hunts"_s, {}, other);
    QCOMPARE(refused.status, 403);
    for (auto it = refused.headers.cbegin(); it != refused.headers.cend(); ++it) {
        QVERIFY2(!it.key().startsWith("access-control-"), it.key().constData());
    }

    HttpClient page(service.base(), "secret");
    const HttpReply list = page.get(u"/api/v1/hunts"_s, {{"Origin", "http://127.0.0.1:8081"}});
    QCOMPARE(list.status, 200);
    QCOMPARE(list.headers.value("access-control-allow-origin"), "http://127.0.0.1:8081"_ba);
    const HttpReply stranger = page.get(u"/api/v1/hunts"_s, {{"Origin", "http://127.0.0.1:9999"}});
    QCOMPARE(stranger.status, 403);
    QVERIFY(!stranger.headers.contains("access-control-allow-origin"));
    // An error the page may read too (it must see its 401 to ask for a token).
    const HttpReply noToken =
        anonymous.get(u"/api/v1/hunts"_s, {{"Origin", "http://127.0.0.1:8081"}});
    QCOMPARE(noToken.status, 401);
    QCOMPARE(noToken.headers.value("access-control-allow-origin"), "http://127.0.0.1:8081"_ba);
}

void TestRequestGuard::seedCurlLineStillWorks()
{
    const QString curl = QStandardPaths::findExecutable(u"curl"_s);
    QVERIFY2(!curl.isEmpty(), "curl is installed by scripts/deps.sh test");
    RestService service;
    QProcess process;
    process.start(curl, {u"-s"_s, u"-o"_s, u"/dev/null"_s, u"-w"_s, u"%{http_code}"_s, u"-d"_s,
                         u"node=localhost:1&node=127.0.0.1:1&url=metric"_s,
                         service.base() + u"/fetch"_s});
    QVERIFY(process.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(process.state() == QProcess::NotRunning, 10000);
    QCOMPARE(process.readAllStandardOutput(), "202"_ba);
}

QTEST_GUILESS_MAIN(TestRequestGuard)
#include "tst_requestguard.moc"
