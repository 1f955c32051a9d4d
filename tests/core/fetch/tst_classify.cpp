// The retry rules and outcome mapping of Fetcher, as pure functions.
#include <QtTest>

#include "core/fetch/fetcher.h"
#include "core/prom/prometheustext.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

class TestClassify : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void classify_data();
    void classify();
    void prometheusText_data();
    void prometheusText();
    void prometheusRawIsCappedAndStored();
    void retryAfter_data();
    void retryAfter();
    void backoffGrowsWithJitterAndCap();
    void retryAfterReplacesBackoffButIsCapped();
};

void TestClassify::classify_data()
{
    QTest::addColumn<int>("error");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("flags"); // t = timed out, l = too large, c = cancelled
    QTest::addColumn<QString>("kind");
    QTest::addColumn<bool>("transient");

    using E = QNetworkReply::NetworkError;
    const QByteArray json = R"({"cpu": 1})";
    QTest::newRow("200 json") << int(E::NoError) << 200 << json << u""_s << u"ok"_s << false;
    QTest::newRow("204 empty") << int(E::NoError) << 204 << QByteArray() << u""_s
                               << u"invalid_json"_s << false;
    QTest::newRow("200 garbage") << int(E::NoError) << 200 << QByteArray("<html>") << u""_s
                                 << u"invalid_json"_s << false;
    QTest::newRow("404 final") << int(E::ContentNotFoundError) << 404 << QByteArray() << u""_s
                               << u"http_error"_s << false;
    QTest::newRow("403 final") << int(E::ContentAccessDenied) << 403 << QByteArray() << u""_s
                               << u"http_error"_s << false;
    QTest::newRow("301 final") << int(E::NoError) << 301 << QByteArray() << u""_s << u"http_error"_s
                               << false;
    QTest::newRow("429 transient")
        << int(E::UnknownContentError) << 429 << QByteArray() << u""_s << u"http_error"_s << true;
    QTest::newRow("500 transient")
        << int(E::InternalServerError) << 500 << QByteArray() << u""_s << u"http_error"_s << true;
    QTest::newRow("503 transient")
        << int(E::ServiceUnavailableError) << 503 << json << u""_s << u"http_error"_s << true;
    QTest::newRow("refused") << int(E::ConnectionRefusedError) << 0 << QByteArray() << u""_s
                             << u"refused"_s << true;
    QTest::newRow("reset") << int(E::RemoteHostClosedError) << 200 << QByteArray("{\"a") << u""_s
                           << u"error"_s << true;
    QTest::newRow("dns") << int(E::HostNotFoundError) << 0 << QByteArray() << u""_s << u"dns"_s
                         << false;
    QTest::newRow("tls") << int(E::SslHandshakeFailedError) << 0 << QByteArray() << u""_s
                         << u"tls"_s << false;
    QTest::newRow("qt timeout") << int(E::TimeoutError) << 0 << QByteArray() << u""_s
                                << u"timeout"_s << true;
    QTest::newRow("our deadline") << int(E::OperationCanceledError) << 0 << QByteArray() << u"t"_s
                                  << u"timeout"_s << true;
    QTest::newRow("too large") << int(E::OperationCanceledError) << 200 << QByteArray("aaa")
                               << u"l"_s << u"too_large"_s << false;
    QTest::newRow("cancelled") << int(E::OperationCanceledError) << 0 << QByteArray() << u"c"_s
                               << u"cancelled"_s << false;
    QTest::newRow("truncated body, NoError (Qt 6.4)")
        << int(E::NoError) << 200 << QByteArray("{\"a\":1}") << u"L"_s << u"error"_s << true;
    QTest::newRow("protocol error")
        << int(E::ProtocolFailure) << 0 << QByteArray() << u""_s << u"error"_s << false;
}

void TestClassify::classify()
{
    QFETCH(int, error);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, flags);
    QFETCH(QString, kind);
    QFETCH(bool, transient);
    AttemptFacts facts;
    facts.error = QNetworkReply::NetworkError(error);
    facts.errorString = u"details"_s;
    facts.httpStatus = status;
    facts.host = u"n1"_s;
    facts.timedOut = flags.contains(u't');
    facts.tooLarge = flags.contains(u'l');
    facts.cancelled = flags.contains(u'c');
    facts.contentLength = flags.contains(u'L') ? 1000 : -1;
    const Classification c =
        classifyAttempt(facts, body, FetchOptions{}, QDateTime::currentDateTimeUtc());
    QCOMPARE(outcomeName(c.kind), kind);
    QCOMPARE(c.transient, transient);
    if (kind == u"ok"_s) {
        QVERIFY(c.error.isEmpty());
        QCOMPARE(c.body.toObject().value(u"cpu"_s).toInt(), 1);
    } else {
        QVERIFY2(!c.error.isEmpty(), "every failure explains itself");
    }
    if (kind == u"invalid_json"_s && !body.isEmpty()) {
        QCOMPARE(c.body.toString(), QString::fromUtf8(body)); // raw text kept
    }
    if (kind == u"http_error"_s) {
        QVERIFY(c.error.startsWith(u"HTTP %1"_s.arg(status)));
    }
}

void TestClassify::prometheusText_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("error"); // part of the error; empty when ok

    const QByteArray metrics = "# TYPE node_load1 gauge\nnode_load1 0.5\n";
    QTest::newRow("text/plain 0.0.4") << QByteArray("text/plain; version=0.0.4; charset=utf-8")
                                      << metrics << u"ok"_s << QString();
    QTest::newRow("openmetrics") << QByteArray("application/openmetrics-text; version=1.0.0")
                                 << metrics + "# EOF\n"
                                 << u"ok"_s << QString();
    QTest::newRow("JSON served as text/plain is JSON")
        << QByteArray("text/plain") << QByteArray(R"({"node_load1": 0.5})") << u"ok"_s << QString();
    QTest::newRow("exposition text without a text type stays invalid")
        << QByteArray("application/octet-stream") << metrics << u"invalid_json"_s
        << u"invalid JSON"_s;
    QTest::newRow("no content type")
        << QByteArray() << metrics << u"invalid_json"_s << u"invalid JSON"_s;
    QTest::newRow("text/plain that is not exposition")
        << QByteArray("text/plain") << QByteArray("Hello, world\n") << u"invalid_json"_s
        << u"neither JSON nor Prometheus text: line 1:"_s;
    QByteArray overLimit;
    for (qsizetype i = 0; i <= PrometheusMaxSamples; ++i) {
        overLimit += "up 1\n";
    }
    QTest::newRow("text/plain past the sample limit: refused, raw text kept")
        << QByteArray("text/plain; version=0.0.4") << overLimit << u"invalid_json"_s
        << u"neither JSON nor Prometheus text: line %1: more than %2 samples"_s
               .arg(PrometheusMaxSamples + 1)
               .arg(PrometheusMaxSamples);
    QTest::newRow("empty text/plain")
        << QByteArray("text/plain") << QByteArray() << u"invalid_json"_s << u"empty body"_s;
}

void TestClassify::prometheusText()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(QString, kind);
    QFETCH(QString, error);
    AttemptFacts facts;
    facts.httpStatus = 200;
    facts.contentType = contentType;
    const Classification c =
        classifyAttempt(facts, body, FetchOptions{}, QDateTime::currentDateTimeUtc());
    QCOMPARE(outcomeName(c.kind), kind);
    QVERIFY2(c.error.contains(error), qPrintable(c.error));
    QVERIFY(!c.transient);
    if (kind != u"ok"_s) {
        QVERIFY(c.raw.isEmpty());
        // The text (its first RawBodyLimit bytes), as for any bad body.
        QCOMPARE(c.body.toString(), QString::fromUtf8(body.left(Outcome::RawBodyLimit)));
        return;
    }
    const QJsonValue value = c.body[u"node_load1"_s];
    QCOMPARE(value.isArray() ? value[0][u"value"_s].toDouble() : value.toDouble(), 0.5);
    if (body.startsWith('{')) {
        QVERIFY(c.raw.isEmpty()); // JSON needs no raw copy
    } else {
        QCOMPARE(c.raw, QString::fromUtf8(body));
        QCOMPARE(c.body[u"#meta"_s][u"node_load1"_s][u"type"_s].toString(), u"gauge"_s);
    }
}

void TestClassify::prometheusRawIsCappedAndStored()
{
    QByteArray body;
    for (int i = 0; body.size() <= Outcome::RawTextLimit; ++i) {
        body += "series_" + QByteArray::number(i) + "{n=\"" + QByteArray::number(i) + "\"} 1\n";
    }
    AttemptFacts facts;
    facts.httpStatus = 200;
    facts.contentType = "text/plain; version=0.0.4";
    const Classification c =
        classifyAttempt(facts, body, FetchOptions{}, QDateTime::currentDateTimeUtc());
    QCOMPARE(c.kind, OutcomeKind::Ok);
    QCOMPARE(c.raw.size(), Outcome::RawTextLimit); // ASCII: bytes == characters
    QVERIFY(body.startsWith(c.raw.toUtf8()));
    QCOMPARE(c.body.toObject().size(), body.count('\n')); // the parsed body is complete

    Outcome o;
    o.node = u"n1"_s;
    o.outcome = c.kind;
    o.body = c.body;
    o.raw = c.raw;
    const Result<Outcome> back = Outcome::fromJson(o.toJson());
    QVERIFY(back);
    QCOMPARE(back->raw, c.raw);
    QCOMPARE(back->body, c.body);
    o.raw.clear();
    QVERIFY(!o.toJson().contains(u"raw"_s)); // JSON answers keep their old record shape
}

void TestClassify::retryAfter_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<int>("expected"); // -1 = invalid
    QTest::newRow("seconds") << QByteArray("2") << 2000;
    QTest::newRow("zero") << QByteArray("0") << 0;
    QTest::newRow("spaces") << QByteArray(" 3 ") << 3000;
    QTest::newRow("http date +10s") << QByteArray("Fri, 27 Nov 2026 12:00:10 GMT") << 10000;
    QTest::newRow("http date in past") << QByteArray("Fri, 27 Nov 2026 11:00:00 GMT") << 0;
    QTest::newRow("garbage") << QByteArray("soon") << -1;
    QTest::newRow("negative") << QByteArray("-5") << -1;
    QTest::newRow("empty") << QByteArray("") << -1;
    QTest::newRow("huge") << QByteArray("99999999999") << std::numeric_limits<int>::max();
    // Found by fuzzing (tests/fuzz/regressions/retryafter): 2147484 * 1000 overflowed an int.
    QTest::newRow("seconds * 1000 > INT_MAX")
        << QByteArray("2147484") << std::numeric_limits<int>::max();
    QTest::newRow("largest exact") << QByteArray("2147483") << 2147483000;
    QTest::newRow("leading zeros") << QByteArray("0000000000005") << 5000;
}

void TestClassify::retryAfter()
{
    QFETCH(QByteArray, value);
    QFETCH(int, expected);
    const QDateTime now(QDate(2026, 11, 27), QTime(12, 0, 0), Qt::UTC);
    QCOMPARE(parseRetryAfterMs(value, now), expected);
}

void TestClassify::backoffGrowsWithJitterAndCap()
{
    FetchOptions o;
    o.backoffBaseMs = 200;
    o.backoffCapMs = 5000;
    for (int i = 0; i < 200; ++i) {
        const int first = backoffDelayMs(o, 2, -1);
        QVERIFY2(first >= 100 && first <= 200, qPrintable(QString::number(first)));
        const int second = backoffDelayMs(o, 3, -1);
        QVERIFY(second >= 200 && second <= 400);
        const int fifth = backoffDelayMs(o, 6, -1);
        QVERIFY(fifth >= 1600 && fifth <= 3200);
        const int late = backoffDelayMs(o, 30, -1);
        QVERIFY(late >= 2500 && late <= 5000);
    }
    // Jitter really varies.
    QSet<int> seen;
    for (int i = 0; i < 50; ++i) {
        seen.insert(backoffDelayMs(o, 4, -1));
    }
    QVERIFY(seen.size() > 5);
}

void TestClassify::retryAfterReplacesBackoffButIsCapped()
{
    FetchOptions o;
    o.backoffCapMs = 5000;
    QCOMPARE(backoffDelayMs(o, 2, 1000), 1000);
    QCOMPARE(backoffDelayMs(o, 2, 60000), 5000);
    QCOMPARE(backoffDelayMs(o, 2, 0), 0);
}

QTEST_GUILESS_MAIN(TestClassify)
#include "tst_classify.moc"
