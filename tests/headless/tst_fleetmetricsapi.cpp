// GET /api/v1/hunts/{id}/metrics and /api/v1/schedules/{id}/metrics end to end: the in-process
// REST service with a token hunts loopback fake nodes with extracts; the endpoints answer the
// Prometheus text (401 without the token, 404 unknown, 409 while a hunt runs, 400 for bad
// extracts); then a real Prometheus (Debian `prometheus`, 2.42) scrapes both endpoints with a
// credentials_file and the values read back through its query API equal what the nodes said.
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <memory>

#include "core/service/fleetmetrics.h"
#include "tests/common/fakenode.h"
#include "tests/headless/restservice.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Test;

namespace {

constexpr int Nodes = 6; // node 0 answers 500; the others JSON
const QByteArray Token = "fleet-metrics-token-0123456789";

qint64 memUsed(int i)
{
    return 1000000007LL * (i + 1);
}

} // namespace

class TestFleetMetricsApi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void huntMetrics();
    void scheduleMetrics();
    void errors();
    void prometheusScrapes();
    void cleanupTestCase();

private:
    QString submitHunt(const QJsonObject &body);

    std::unique_ptr<RestService> m_service;
    std::unique_ptr<HttpClient> m_client;
    std::vector<std::unique_ptr<FakeNode>> m_nodes;
    QJsonArray m_nodeNames;
    QString m_hunt;
    QString m_schedule;
};

void TestFleetMetricsApi::initTestCase()
{
    ServiceOptions options;
    options.token = Token;
    m_service = std::make_unique<RestService>(options);
    m_client = std::make_unique<HttpClient>(m_service->base(), Token);
    for (int i = 0; i < Nodes; ++i) {
        auto node = std::make_unique<FakeNode>();
        QVERIFY(node->start());
        if (i == 0) {
            node->setBehaviour(FakeNode::Behaviour::Status);
            node->setStatus(500, "{\"error\":\"down\"}");
        } else {
            node->setJsonBody(
                QJsonDocument(QJsonObject{
                                  {u"mem"_s, QJsonObject{{u"used"_s, double(memUsed(i))}}},
                                  {u"version"_s, u"1.%1.0"_s.arg(i % 2)},
                                  {u"load"_s, i == 3 ? QJsonValue(u"n/a"_s) : QJsonValue(0.5 * i)},
                              })
                    .toJson(QJsonDocument::Compact));
        }
        m_nodeNames.append(node->node());
        m_nodes.push_back(std::move(node));
    }
}

QString TestFleetMetricsApi::submitHunt(const QJsonObject &body)
{
    const HttpReply reply = m_client->postJson(u"/api/v1/hunts"_s, body);
    if (reply.status != 202 && reply.status != 201) {
        qWarning() << reply.status << reply.body;
        return {};
    }
    return reply.json().value(reply.status == 201 ? u"schedule"_s : u"hunt"_s).toString();
}

void TestFleetMetricsApi::huntMetrics()
{
    m_hunt = submitHunt(QJsonObject{
        {u"nodes"_s, m_nodeNames},
        {u"url"_s, u"metric"_s},
        {u"options"_s, QJsonObject{{u"attempts"_s, 1}}},
        {u"extract"_s, QJsonObject{{u"mem_used_bytes"_s, u"mem.used"_s},
                                   {u"load"_s, u"load"_s},
                                   {u"version_info"_s, u"version"_s}}},
    });
    QVERIFY(!m_hunt.isEmpty());
    const QJsonObject finished = m_client->waitFinished(m_hunt);
    QCOMPARE(finished.value(u"state"_s).toString(), u"done"_s);
    // The manifest keeps the extracts.
    QCOMPARE(finished.value(u"extract"_s).toObject().value(u"mem_used_bytes"_s).toString(),
             u"mem.used"_s);

    const HttpReply reply = m_client->get(u"/api/v1/hunts/%1/metrics"_s.arg(m_hunt));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.headers.value("content-type"), QByteArray(PrometheusTextContentType));
    const QByteArray &text = reply.body;
    for (int i = 0; i < Nodes; ++i) {
        const QByteArray node = "{node=\"" + m_nodeNames[i].toString().toUtf8() + '"';
        QVERIFY2(text.contains(
                     QByteArray("artemis_node_up" + node + "} " + (i == 0 ? "0" : "1") + '\n')),
                 text.constData());
        QVERIFY(text.contains(QByteArray("artemis_node_fetch_duration_seconds" + node + "} ")));
        QCOMPARE(text.contains(QByteArray("mem_used_bytes" + node + "} "
                                          + QByteArray::number(memUsed(i)) + '\n')),
                 i != 0);
        QCOMPARE(text.contains(QByteArray("version_info" + node + ",value=\"1."
                                          + QByteArray::number(i % 2) + ".0\"} 1\n")),
                 i != 0);
    }
    QVERIFY(text.contains(QByteArray("load_info{node=\"" + m_nodeNames[3].toString().toUtf8()
                                     + "\",value=\"n/a\"} 1\n")));
    QVERIFY(
        text.contains(QByteArray("load{node=\"" + m_nodeNames[2].toString().toUtf8() + "\"} 1\n")));
    QCOMPARE(text.count("# TYPE "), 6); // up, duration, load, load_info, mem, version_info
}

void TestFleetMetricsApi::scheduleMetrics()
{
    const HttpReply created = m_client->postJson(
        u"/api/v1/schedules"_s,
        QJsonObject{{u"nodes"_s, m_nodeNames},
                    {u"url"_s, u"metric"_s},
                    {u"every"_s, u"1h"_s},
                    {u"options"_s, QJsonObject{{u"attempts"_s, 1}}},
                    {u"extract"_s, QJsonObject{{u"mem_used_bytes"_s, u"mem.used"_s}}}});
    QCOMPARE(created.status, 201);
    m_schedule = created.json().value(u"schedule"_s).toString();
    QCOMPARE(created.json().value(u"extract"_s).toObject().value(u"mem_used_bytes"_s).toString(),
             u"mem.used"_s);
    const QString round = created.json().value(u"hunt"_s).toString();
    QCOMPARE(m_client->waitFinished(round).value(u"state"_s).toString(), u"done"_s);
    const HttpReply reply = m_client->get(u"/api/v1/schedules/%1/metrics"_s.arg(m_schedule));
    QCOMPARE(reply.status, 200);
    QVERIFY2(reply.body.contains(QByteArray(
                 "mem_used_bytes{node=\"" + m_nodeNames[1].toString().toUtf8() + "\",schedule=\""
                 + m_schedule.toUtf8() + "\"} " + QByteArray::number(memUsed(1)) + '\n')),
             reply.body.constData());
    // The round's manifest got the schedule's extracts.
    QCOMPARE(m_client->get(u"/api/v1/hunts/"_s + round)
                 .json()
                 .value(u"extract"_s)
                 .toObject()
                 .value(u"mem_used_bytes"_s)
                 .toString(),
             u"mem.used"_s);
}

void TestFleetMetricsApi::errors()
{
    HttpClient anonymous(m_service->base());
    QCOMPARE(anonymous.get(u"/api/v1/hunts/%1/metrics"_s.arg(m_hunt)).status, 401);
    QCOMPARE(anonymous.get(u"/api/v1/schedules/%1/metrics"_s.arg(m_schedule)).status, 401);
    QCOMPARE(m_client->get(u"/api/v1/hunts/01JDZZZZZZZZZZZZZZZZZZZZZZ/metrics"_s).status, 404);
    QCOMPARE(m_client->get(u"/api/v1/schedules/01JDZZZZZZZZZZZZZZZZZZZZZZ/metrics"_s).status, 404);
    QCOMPARE(m_client->send("POST", u"/api/v1/hunts/%1/metrics"_s.arg(m_hunt)).status, 405);

    // Bad extracts are refused at submit, naming the problem.
    const QJsonObject badName{{u"nodes"_s, m_nodeNames},
                              {u"url"_s, u"metric"_s},
                              {u"extract"_s, QJsonObject{{u"mem-used"_s, u"mem.used"_s}}}};
    HttpReply bad = m_client->postJson(u"/api/v1/hunts"_s, badName);
    QCOMPARE(bad.status, 400);
    QVERIFY2(bad.body.contains("not a Prometheus metric name"), bad.body.constData());
    QJsonObject badPath = badName;
    badPath[u"extract"_s] = QJsonObject{{u"mem"_s, u"mem[x"_s}};
    bad = m_client->postJson(u"/api/v1/hunts"_s, badPath);
    QCOMPARE(bad.status, 400);
    QVERIFY2(bad.body.contains("bad path"), bad.body.constData());
    QJsonObject badSchedule = badName;
    badSchedule[u"every"_s] = u"1h"_s;
    QCOMPARE(m_client->postJson(u"/api/v1/schedules"_s, badSchedule).status, 400);

    // A hunt still running: 409 until it has finished.
    FakeNode hang;
    QVERIFY(hang.start());
    hang.setBehaviour(FakeNode::Behaviour::Hang);
    const QString running = submitHunt(
        QJsonObject{{u"nodes"_s, QJsonArray{hang.node()}},
                    {u"url"_s, u"metric"_s},
                    {u"options"_s, QJsonObject{{u"attempts"_s, 1}, {u"timeoutMs"_s, 30000}}}});
    QVERIFY(!running.isEmpty());
    const HttpReply conflict = m_client->get(u"/api/v1/hunts/%1/metrics"_s.arg(running));
    QCOMPARE(conflict.status, 409);
    QVERIFY2(conflict.body.contains("once it has finished"), conflict.body.constData());
    QCOMPARE(m_client->send("POST", u"/api/v1/hunts/%1/cancel"_s.arg(running)).status, 202);
    QCOMPARE(m_client->waitFinished(running).value(u"state"_s).toString(), u"cancelled"_s);
    QCOMPARE(m_client->get(u"/api/v1/hunts/%1/metrics"_s.arg(running)).status, 200);
}

void TestFleetMetricsApi::prometheusScrapes()
{
    const QString prometheus = QStandardPaths::findExecutable(u"prometheus"_s);
    if (prometheus.isEmpty()) {
        QSKIP("prometheus not installed (Debian package prometheus; scripts/deps.sh test)");
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile tokenFile(dir.filePath(u"token"_s));
    QVERIFY(tokenFile.open(QIODevice::WriteOnly));
    tokenFile.write(Token + '\n'); // Prometheus trims the file's trailing newline
    tokenFile.close();
    quint16 port = 0;
    {
        QTcpServer probe; // a free loopback port for Prometheus' own listener
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const QString target = u"127.0.0.1:%1"_s.arg(m_service->port());
    const QString config = uR"(global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: hunt
    metrics_path: /api/v1/hunts/%1/metrics
    authorization:
      credentials_file: %3
    static_configs:
      - targets: ['%4']
  - job_name: schedule
    metrics_path: /api/v1/schedules/%2/metrics
    authorization:
      credentials_file: %3
    static_configs:
      - targets: ['%4']
)"_s.arg(m_hunt, m_schedule, tokenFile.fileName(), target);
    QFile configFile(dir.filePath(u"prometheus.yml"_s));
    QVERIFY(configFile.open(QIODevice::WriteOnly));
    configFile.write(config.toUtf8());
    configFile.close();

    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(prometheus, {u"--config.file="_s + configFile.fileName(),
                               u"--storage.tsdb.path="_s + dir.filePath(u"data"_s),
                               u"--web.listen-address=127.0.0.1:%1"_s.arg(port)});
    QVERIFY(process.waitForStarted());
    auto stop = qScopeGuard([&] {
        process.terminate();
        if (!process.waitForFinished(10000)) {
            process.kill();
            process.waitForFinished();
        }
    });
    HttpClient prom(u"http://127.0.0.1:%1"_s.arg(port));
    // Up: both targets scraped with health "up" (the service answers on this thread meanwhile).
    QJsonArray targets;
    const auto bothUp = [&] {
        targets = prom.get(u"/api/v1/targets"_s)
                      .json()
                      .value(u"data"_s)
                      .toObject()
                      .value(u"activeTargets"_s)
                      .toArray();
        int up = 0;
        for (const QJsonValue &t : std::as_const(targets)) {
            up += t.toObject().value(u"health"_s).toString() == u"up"_s ? 1 : 0;
        }
        return up == 2;
    };
    QVERIFY2(waitUntil(bothUp, 30000),
             QByteArray(QJsonDocument(targets).toJson() + process.readAll()).constData());

    const auto query = [&](const QString &promql) {
        QUrlQuery q;
        q.addQueryItem(u"query"_s, promql);
        return prom.get(u"/api/v1/query?"_s + q.toString(QUrl::FullyEncoded))
            .json()
            .value(u"data"_s)
            .toObject()
            .value(u"result"_s)
            .toArray();
    };
    // Every ok node's value per job, as the fake nodes answered it.
    for (const QString &job : {u"hunt"_s, u"schedule"_s}) {
        QJsonArray result;
        QVERIFY(waitUntil([&] {
            result = query(u"mem_used_bytes{job=\"%1\"}"_s.arg(job));
            return result.size() == Nodes - 1;
        }));
        QHash<QString, double> byNode;
        for (const QJsonValue &r : std::as_const(result)) {
            const QJsonObject metric = r.toObject().value(u"metric"_s).toObject();
            QCOMPARE(metric.value(u"schedule"_s).toString(),
                     job == u"schedule"_s ? m_schedule : QString());
            byNode.insert(metric.value(u"node"_s).toString(),
                          r.toObject().value(u"value"_s).toArray().at(1).toString().toDouble());
        }
        for (int i = 1; i < Nodes; ++i) {
            QCOMPARE(byNode.value(m_nodeNames[i].toString(), -1), double(memUsed(i)));
        }
    }
    // The unfiltered query of the brief: both jobs' series.
    QCOMPARE(query(u"mem_used_bytes"_s).size(), 2 * (Nodes - 1));
    const QJsonArray down = query(u"artemis_node_up{job=\"hunt\"} == 0"_s);
    QCOMPARE(down.size(), 1);
    QCOMPARE(down.at(0).toObject().value(u"metric"_s).toObject().value(u"node"_s).toString(),
             m_nodeNames[0].toString());
    QCOMPARE(query(u"version_info{job=\"hunt\",value=\"1.1.0\"}"_s).size(), 3); // nodes 1, 3, 5
}

void TestFleetMetricsApi::cleanupTestCase()
{
    m_client.reset();
    m_service.reset();
    m_nodes.clear();
}

QTEST_GUILESS_MAIN(TestFleetMetricsApi)
#include "tst_fleetmetricsapi.moc"
