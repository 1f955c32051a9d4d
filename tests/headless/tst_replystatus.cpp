// The status of every answer, as the client sees it and as the service's /metrics counts it:
// exports answer the status their error maps to (core/base/errorstatus.h), and answers written
// later on the socket (streams, deferred answers) are counted with the status they sent.
#include <QtTest>

#include "restservice.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Test;

class TestReplyStatus : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void exportErrorsHaveTheirStatus_data();
    void exportErrorsHaveTheirStatus();
    void metricsCountTheStatusSent();
};

namespace {

QString huntId()
{
    return u"01J00000000000000000000001"_s;
}

// A finished hunt of three results, written straight to the store.
void storeHunt(RestService &service)
{
    HuntInfo info;
    info.id = huntId();
    info.state = HuntState::Done;
    info.url = u"/metric"_s;
    info.total = 3;
    info.done = 3;
    info.createdAt = QDateTime::currentDateTimeUtc();
    QStringList nodes;
    QList<Outcome> outcomes;
    for (int i = 0; i < info.total; ++i) {
        Outcome o;
        o.node = u"10.0.0.%1:9100"_s.arg(i + 1);
        o.url = u"http://"_s + o.node + u"/metric"_s;
        o.outcome = OutcomeKind::Ok;
        o.attempts = 1;
        o.fetchedAt = QDateTime::currentDateTimeUtc();
        o.body = QJsonObject{{u"version"_s, u"1.0"_s}};
        nodes.append(o.node);
        outcomes.append(o);
        info.counts.add(o.outcome);
    }
    QVERIFY(service.store()->createHunt(info, nodes));
    QVERIFY(service.store()->appendResults(info.id, outcomes));
}

QByteArray counter(const QString &route, int status)
{
    return "artemis_http_requests_total{method=\"GET\",route=\"" + route.toUtf8() + "\",status=\""
           + QByteArray::number(status) + "\"} ";
}

// The value of a counter line in a Prometheus text body, or -1 when absent.
int counterValue(const QByteArray &metrics, const QByteArray &prefix)
{
    for (const QByteArray &line : metrics.split('\n')) {
        if (line.startsWith(prefix)) {
            return line.mid(prefix.size()).toInt();
        }
    }
    return -1;
}

} // namespace

void TestReplyStatus::exportErrorsHaveTheirStatus_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("status");
    const QString id = huntId();
    QTest::newRow("unknown hunt, ndjson") << u"nosuchhunt/results?format=ndjson"_s << 404;
    QTest::newRow("unknown hunt, csv") << u"nosuchhunt/results?format=csv"_s << 404;
    QTest::newRow("unknown hunt, sorted") << u"nosuchhunt/results?format=ndjson&sort=node"_s << 404;
    QTest::newRow("unknown format") << id + u"/results?format=xml"_s << 400;
    QTest::newRow("bad outcome filter") << id + u"/results?format=ndjson&outcome=bogus"_s << 400;
    QTest::newRow("bad raw") << id + u"/results?format=csv&raw=maybe"_s << 400;
    QTest::newRow("bad sort") << id + u"/results?format=ndjson&sort=a..b"_s << 400;
    QTest::newRow("bad fields") << id + u"/results?format=csv&fields=,"_s << 400;
}

void TestReplyStatus::exportErrorsHaveTheirStatus()
{
    QFETCH(QString, query);
    QFETCH(int, status);
    RestService service;
    storeHunt(service);
    HttpClient client(service.base());
    const HttpReply reply = client.get(u"/api/v1/hunts/"_s + query);
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.headers.value("content-type"), QByteArray("application/json"));
    QVERIFY2(reply.json().contains(u"error"_s), reply.body.constData());
    QVERIFY(!reply.json().value(u"details"_s).toString().isEmpty());
}

void TestReplyStatus::metricsCountTheStatusSent()
{
    RestService service;
    storeHunt(service);
    HttpClient client(service.base());
    const QString id = huntId();
    const QString results = u"/api/v1/hunts/<arg>/results"_s;
    const QString diff = u"/api/v1/hunts/<arg>/diff"_s;

    QCOMPARE(client.get(u"/api/v1/hunts/nosuchhunt/results?format=ndjson"_s).status, 404);
    QCOMPARE(client.get(u"/api/v1/hunts/%1/results?format=xml"_s.arg(id)).status, 400);
    // Streamed: the head is written by the stream, after the handler has returned.
    const HttpReply streamed = client.get(u"/api/v1/hunts/%1/results?format=ndjson"_s.arg(id));
    QCOMPARE(streamed.status, 200);
    QCOMPARE(streamed.body.trimmed().split('\n').size(), 3);
    const HttpReply sorted =
        client.get(u"/api/v1/hunts/%1/results?format=csv&sort=-node&fields=node"_s.arg(id));
    QCOMPARE(sorted.status, 200);
    // Deferred: computed on the pool, answered later; this one fails there.
    const HttpReply unknownNode = client.get(u"/api/v1/hunts/%1/diff?node=10.9.9.9:9100"_s.arg(id));
    QCOMPARE(unknownNode.status, 404);
    QCOMPARE(client.get(u"/api/v1/hunts/%1/diff?node=10.0.0.1:9100"_s.arg(id)).status, 200);

    const HttpReply metrics = client.get(u"/metrics"_s);
    QCOMPARE(metrics.status, 200);
    QCOMPARE(counterValue(metrics.body, counter(results, 404)), 1);
    QCOMPARE(counterValue(metrics.body, counter(results, 400)), 1);
    QCOMPARE(counterValue(metrics.body, counter(results, 200)), 2);
    QCOMPARE(counterValue(metrics.body, counter(diff, 404)), 1);
    QCOMPARE(counterValue(metrics.body, counter(diff, 200)), 1);
}

QTEST_GUILESS_MAIN(TestReplyStatus)
#include "tst_replystatus.moc"
