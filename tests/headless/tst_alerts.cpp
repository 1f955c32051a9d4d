// Schedule conditions and alerts end to end (issue #14 item 4): conditions are checked at submit
// (400 naming the condition and the position), each node's state per condition moves ok ->
// pending -> firing -> resolved over rounds (GET /api/v1/schedules/{id}/alerts, alerts.json
// owner-only), and firing/resolved alerts reach a real Alertmanager (Debian
// prometheus-alertmanager, started here on a free loopback port) and a webhook.
#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>

#include "core/watch/alertsink.h"
#include "headless/cli/servecommand.h"
#include "restservice.h"
#include "tests/common/childprocess.h"
#include "tests/common/fakenode.h"
#include "tests/common/manualclock.h"
#include "tests/common/wait.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Test;

namespace {

// A loopback HTTP receiver for webhooks: keeps each POST's body, answers 200.
class WebhookReceiver final : public QObject
{
public:
    WebhookReceiver()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
    }
    QString url() const { return u"http://127.0.0.1:%1/hook/s3cret"_s.arg(m_server.serverPort()); }
    QList<QJsonArray> bodies;
    QList<QByteArray> paths;

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0) {
                return;
            }
            qsizetype length = 0;
            for (const QByteArray &line : buffer.left(end).split('\n')) {
                if (line.toLower().startsWith("content-length:")) {
                    length = line.mid(15).trimmed().toLongLong();
                }
            }
            if (buffer.size() < end + 4 + length) {
                return;
            }
            paths.append(buffer.left(buffer.indexOf("\r\n")).split(' ').value(1));
            bodies.append(QJsonDocument::fromJson(buffer.mid(end + 4, length)).array());
            buffer.remove(0, end + 4 + length);
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        }
    }
    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0)) {
        return 0;
    }
    return probe.serverPort();
}

// A real Alertmanager on 127.0.0.1, no clustering, state in a temporary directory.
class Alertmanager
{
public:
    static QString binary()
    {
        QString path = QStandardPaths::findExecutable(u"prometheus-alertmanager"_s);
        if (path.isEmpty()) {
            path = QStandardPaths::findExecutable(u"alertmanager"_s);
        }
        return path;
    }
    bool start()
    {
        m_port = freePort();
        QFile config(m_dir.filePath(u"alertmanager.yml"_s));
        if (m_port == 0 || !config.open(QIODevice::WriteOnly)) {
            return false;
        }
        config.write("route:\n  receiver: none\nreceivers:\n  - name: none\n");
        config.close();
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.setStandardOutputFile(QProcess::nullDevice());
        killWithParent(m_process);
        m_process.start(binary(), {u"--config.file="_s + config.fileName(),
                                   u"--storage.path="_s + m_dir.filePath(u"data"_s),
                                   u"--web.listen-address=127.0.0.1:%1"_s.arg(m_port),
                                   u"--cluster.listen-address="_s, u"--log.level=warn"_s});
        if (!m_process.waitForStarted(5000)) {
            return false;
        }
        HttpClient client(url());
        return waitUntil([&] { return client.get(u"/-/ready"_s).status == 200; }, 20000);
    }
    ~Alertmanager()
    {
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(2000);
        }
    }
    QString url() const { return u"http://127.0.0.1:%1"_s.arg(m_port); }
    // Active alerts of `schedule` (Alertmanager's GET /api/v2/alerts leaves resolved ones out).
    QJsonArray alerts(const QString &schedule) const
    {
        HttpClient client(url());
        const QJsonArray all =
            QJsonDocument::fromJson(client.get(u"/api/v2/alerts"_s).body).array();
        QJsonArray mine;
        for (const QJsonValue &a : all) {
            if (a[u"labels"_s][u"schedule"_s].toString() == schedule) {
                mine.append(a);
            }
        }
        return mine;
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

QStringList nodesOf(const QJsonArray &alerts, const QString &state = {})
{
    QStringList nodes;
    for (const QJsonValue &a : alerts) {
        const QString node = a[u"node"_s].isString() ? a[u"node"_s].toString()
                                                     : a[u"labels"_s][u"node"_s].toString();
        if (state.isEmpty() || a[u"state"_s].toString() == state) {
            nodes.append(node);
        }
    }
    nodes.sort();
    return nodes;
}

} // namespace

class TestAlerts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void badConditions_data();
    void badConditions();
    void serveFlag();
    void stateMachineAndDelivery();
    void fleetShapeMeansWhatItSays();

private:
    // What serve --alertmanager builds (LocalStack's sink), here with the test's Alertmanager.
    static std::unique_ptr<AlertSink> sinkTo(const Alertmanager &am, RestService &service)
    {
        auto sink = std::make_unique<AlertSink>(
            AlertSinkConfig{QUrl(am.url()),
                            service.base() + u"/api/v1/schedules/{schedule}/alerts"_s, 5000},
            std::make_shared<const TargetPolicy>());
        QObject::connect(service.scheduler(), &Scheduler::alertsEvaluated, sink.get(),
                         &AlertSink::deliver);
        return sink;
    }
    ServiceOptions fast()
    {
        m_clock = std::make_shared<ManualClock>();
        ServiceOptions options;
        options.minEveryMs = 100;
        options.clock = m_clock;
        return options;
    }
    std::shared_ptr<ManualClock> m_clock;
};

void TestAlerts::badConditions_data()
{
    QTest::addColumn<QJsonValue>("conditions");
    QTest::addColumn<QString>("webhook");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("position"); // 0: none in details

    auto one = [](const QString &name, const QString &expr, QJsonValue forRounds = {}) {
        QJsonObject c{{u"name"_s, name}, {u"expr"_s, expr}};
        if (!forRounds.isUndefined()) {
            c.insert(u"for"_s, forRounds);
        }
        return QJsonValue(QJsonArray{c});
    };
    QTest::newRow("parse error") << one(u"MemHigh"_s, u"mem.used <"_s) << QString()
                                 << u"condition 'MemHigh': position 11: expected a path"_s << 11;
    QTest::newRow("unknown outcome") << one(u"Up"_s, u"outcome == \"oops\""_s) << QString()
                                     << u"condition 'Up': position 12: unknown outcome"_s << 12;
    QTest::newRow("bad name") << one(u"9lives"_s, u"a < 1"_s) << QString()
                              << u"condition '9lives': 'name' must match"_s << 0;
    QTest::newRow("dash in name") << one(u"mem-high"_s, u"a < 1"_s) << QString()
                                  << u"condition 'mem-high': 'name' must match"_s << 0;
    QTest::newRow("for zero") << one(u"A"_s, u"a < 1"_s, 0) << QString()
                              << u"condition 'A': 'for' must be a whole number"_s << 0;
    QTest::newRow("for fraction") << one(u"A"_s, u"a < 1"_s, 1.5) << QString()
                                  << u"condition 'A': 'for' must be a whole number"_s << 0;
    QTest::newRow("not an array") << QJsonValue(u"a < 1"_s) << QString()
                                  << u"'conditions' must be an array"_s << 0;
    QTest::newRow("unknown field")
        << QJsonValue(QJsonArray{QJsonObject{{u"name"_s, u"A"_s}, {u"exp"_s, u"a"_s}}}) << QString()
        << u"condition 'A': unknown field 'exp'"_s << 0;
    QTest::newRow("twice") << QJsonValue(
        QJsonArray{QJsonObject{{u"name"_s, u"A"_s}, {u"expr"_s, u"a"_s}},
                   QJsonObject{{u"name"_s, u"A"_s}, {u"expr"_s, u"b"_s}}})
                           << QString() << u"condition 'A': the name is given twice"_s << 0;
    QTest::newRow("bad webhook") << QJsonValue() << u"ftp://x/"_s
                                 << u"'webhook' must be an http:// or https:// URL"_s << 0;
    QTest::newRow("relative webhook")
        << QJsonValue() << u"/hook"_s << u"'webhook' must be an http:// or https:// URL"_s << 0;
    // The service must not POST where it may not GET (cloud metadata is denied by default).
    QTest::newRow("denied webhook")
        << QJsonValue() << u"http://169.254.169.254/latest"_s
        << u"webhook host '169.254.169.254' refused by the target policy"_s << 0;
}

void TestAlerts::badConditions()
{
    QFETCH(QJsonValue, conditions);
    QFETCH(QString, webhook);
    QFETCH(QString, message);
    QFETCH(int, position);
    RestService service(fast());
    HttpClient client(service.base());
    FakeNode node;
    QVERIFY(node.start());
    QJsonObject body{
        {u"nodes"_s, QJsonArray{node.node()}}, {u"url"_s, u"metric"_s}, {u"every"_s, u"1s"_s}};
    if (!conditions.isUndefined()) {
        body.insert(u"conditions"_s, conditions);
    }
    if (!webhook.isEmpty()) {
        body.insert(u"webhook"_s, webhook);
    }
    const HttpReply reply = client.postJson(u"/api/v1/schedules"_s, body);
    QCOMPARE(reply.status, 400);
    const QJsonObject json = reply.json();
    // The error helper puts the message in details (details.message beside the structured
    // fields).
    const QJsonValue details = json.value(u"details"_s);
    const QString text = details.isObject() ? details[u"message"_s].toString() : details.toString();
    QVERIFY2(text.startsWith(message), reply.body.constData());
    if (position > 0) {
        QCOMPARE(json[u"details"_s][u"position"_s].toInt(), position);
        QCOMPARE(json[u"details"_s][u"index"_s].toInt(), 0);
    }
    QCOMPARE(client.get(u"/api/v1/schedules"_s).json().value(u"count"_s).toInt(), 0);
    QCOMPARE(node.requestCount(), 0); // refused before round 1
}

void TestAlerts::serveFlag()
{
    const Result<ServeSettings> s =
        ServeSettings::parse({u"serve"_s, u"--alertmanager"_s, u"http://127.0.0.1:9093"_s}, {});
    QVERIFY(s);
    QCOMPARE(s->alertmanager, QUrl(u"http://127.0.0.1:9093"_s));
    const Result<ServeSettings> bad =
        ServeSettings::parse({u"serve"_s, u"--alertmanager"_s, u"localhost:9093"_s}, {});
    QVERIFY(!bad);
    QVERIFY2(bad.error().message.contains(u"--alertmanager"_s), qPrintable(bad.error().message));
    QVERIFY(ServeSettings::helpText().contains(u"--alertmanager"_s));
}

void TestAlerts::stateMachineAndDelivery()
{
    if (Alertmanager::binary().isEmpty()) {
        QSKIP("prometheus-alertmanager not found: install it (scripts/deps.sh test)");
    }
    Alertmanager am;
    QVERIFY2(am.start(), "Alertmanager did not become ready");
    RestService service(fast());
    const std::unique_ptr<AlertSink> sinkOwner = sinkTo(am, service);
    AlertSink &sink = *sinkOwner;
    QList<QString> postErrors;
    QObject::connect(&sink, &AlertSink::posted, &sink,
                     [&](const QUrl &, int, const QString &error) { postErrors.append(error); });
    WebhookReceiver hook;
    HttpClient client(service.base());

    // Two nodes over the limit, two under (one as a number-like string), one answering 500.
    FakeNode hot1, hot2, cool1, cool2, down;
    for (FakeNode *n : {&hot1, &hot2, &cool1, &cool2, &down}) {
        QVERIFY(n->start());
    }
    const QByteArray hot = R"({"mem": {"usedPercent": 95.5}, "version": "1.2"})";
    const QByteArray cool = R"({"mem": {"usedPercent": 40}, "version": "1.2"})";
    hot1.setJsonBody(hot);
    hot2.setJsonBody(hot);
    cool1.setJsonBody(cool);
    cool2.setJsonBody(R"({"mem": {"usedPercent": "41%"}, "version": "1.2"})");
    down.setStatus(500, R"({"error": "down"})");
    down.setBehaviour(FakeNode::Behaviour::Status);

    const QJsonObject body{
        {u"nodes"_s, QJsonArray{hot1.node(), hot2.node(), cool1.node(), cool2.node(), down.node()}},
        {u"url"_s, u"metric"_s},
        {u"every"_s, u"200ms"_s},
        {u"options"_s, QJsonObject{{u"attempts"_s, 1}}},
        {u"webhook"_s, hook.url()},
        {u"conditions"_s,
         QJsonArray{QJsonObject{{u"name"_s, u"MemHigh"_s},
                                {u"expr"_s, u"mem.usedPercent < 90"_s},
                                {u"for"_s, 2}},
                    // Reads only the outcome: the down node fails it, as written.
                    QJsonObject{{u"name"_s, u"Down"_s}, {u"expr"_s, u"outcome == \"ok\""_s}}}},
    };
    const HttpReply created = client.postJson(u"/api/v1/schedules"_s, body);
    QCOMPARE(created.status, 201);
    const QString id = created.json().value(u"schedule"_s).toString();
    QCOMPARE(created.json().value(u"conditions"_s).toArray().size(), 2);
    // The webhook's path may be its secret: the API shows its origin only.
    QVERIFY(!created.json().value(u"webhook"_s).toString().contains(u"s3cret"_s));
    QCOMPARE(created.json()[u"links"_s][u"alerts"_s].toString(),
             QString(u"/api/v1/schedules/"_s + id + u"/alerts"_s));

    auto alertsAfter = [&](int round) {
        QJsonObject listing;
        const bool reached = waitUntil([&] {
            listing = client.get(u"/api/v1/schedules/"_s + id + u"/alerts"_s).json();
            return listing.value(u"round"_s).toInt() >= round;
        });
        if (!reached) {
            qWarning() << "round" << round << "not evaluated:" << listing;
        }
        return listing;
    };
    const QString hot1Node = hot1.node(), hot2Node = hot2.node(), downNode = down.node();
    auto sorted = [](QStringList list) {
        list.sort();
        return list;
    };
    const QStringList everyFailing = sorted({downNode, downNode, hot1Node, hot2Node});

    // Round 1: the hot nodes pending (for 2); MemHigh reads the body, so it is unknown for the
    // down node (not pending), which fires Down and the built-in NodeDown instead.
    QJsonObject listing = alertsAfter(1);
    QCOMPARE(listing.value(u"round"_s).toInt(), 1);
    QJsonArray alerts = listing.value(u"alerts"_s).toArray();
    QStringList memPending;
    for (const QJsonValue &a : alerts) {
        if (a[u"condition"_s].toString() == u"MemHigh"_s) {
            QCOMPARE(a[u"state"_s].toString(), u"pending"_s);
            memPending.append(a[u"node"_s].toString());
        }
    }
    memPending.sort();
    QStringList expectedMem{hot1Node, hot2Node};
    expectedMem.sort();
    QCOMPARE(memPending, expectedMem);
    for (const QJsonValue &a : alerts) {
        if (a[u"node"_s].toString() == hot1Node) {
            QCOMPARE(a[u"value"_s].toString(), u"mem.usedPercent=95.5"_s);
            QCOMPARE(a[u"sinceRound"_s].toInt(), 1);
            QCOMPARE(a[u"failingRounds"_s].toInt(), 1);
        }
        if (a[u"node"_s].toString() == downNode && a[u"condition"_s].toString() == u"NodeDown"_s) {
            QCOMPARE(a[u"outcome"_s].toString(), u"http_error"_s);
            QVERIFY(!a[u"error"_s].toString().isEmpty());
        }
    }
    // Down has for = 1: firing at once, and already in Alertmanager.
    const QJsonObject counts1 = listing.value(u"counts"_s).toObject();
    QCOMPARE(counts1.value(u"pending"_s).toInt(), 2);
    QCOMPARE(counts1.value(u"firing"_s).toInt(), 2);
    const QJsonObject memVerdicts = listing[u"verdicts"_s][u"MemHigh"_s].toObject();
    QCOMPARE(memVerdicts.value(u"failed"_s).toInt(), 2);
    QCOMPARE(memVerdicts.value(u"passed"_s).toInt(), 2);
    QCOMPARE(memVerdicts.value(u"unknown"_s).toInt(), 1);
    QVERIFY(waitUntil([&] { return am.alerts(id).size() == 2; }));

    // Round 2: MemHigh fires for the hot nodes and the down node, not for the cool ones.
    m_clock->advance(200);
    listing = alertsAfter(2);
    QCOMPARE(nodesOf(listing.value(u"alerts"_s).toArray(), u"firing"_s), everyFailing);
    QVERIFY(waitUntil([&] { return am.alerts(id).size() == 4; }));
    const QJsonArray fired = am.alerts(id);
    QStringList memFired;
    for (const QJsonValue &a : fired) {
        const QJsonObject labels = a[u"labels"_s].toObject();
        QCOMPARE(labels.value(u"schedule"_s).toString(), id);
        QVERIFY(labels.value(u"alertname"_s) == u"MemHigh"_s
                || labels.value(u"alertname"_s) == u"Down"_s
                || labels.value(u"alertname"_s) == u"NodeDown"_s);
        if (labels.value(u"alertname"_s) == u"NodeDown"_s) {
            QCOMPARE(labels.value(u"node"_s).toString(), downNode);
            QCOMPARE(a[u"annotations"_s][u"outcome"_s].toString(), u"http_error"_s);
            QVERIFY(!a[u"annotations"_s][u"error"_s].toString().isEmpty());
        }
        if (labels.value(u"alertname"_s) == u"MemHigh"_s) {
            memFired.append(labels.value(u"node"_s).toString());
            if (labels.value(u"node"_s) == hot1Node) {
                QCOMPARE(a[u"annotations"_s][u"value"_s].toString(), u"mem.usedPercent=95.5"_s);
            }
        }
        QCOMPARE(a[u"status"_s][u"state"_s].toString(), u"active"_s);
        QCOMPARE(a[u"generatorURL"_s].toString(),
                 QString(service.base() + u"/api/v1/schedules/"_s + id + u"/alerts"_s));
    }
    memFired.sort();
    QCOMPARE(memFired, expectedMem);
    // The webhook got the same alerts, at its own path.
    QVERIFY(waitUntil([&] { return hook.bodies.size() >= 2; }));
    QCOMPARE(hook.paths.first(), QByteArray("/hook/s3cret"));
    QCOMPARE(hook.bodies.last().size(), 4);

    // The states survive a restart: alerts.json, owner-only.
    const QString file = service.dataDir() + u"/schedules/"_s + id + u"/alerts.json"_s;
    QVERIFY(waitUntil([&] {
        const Result<QJsonObject> stored = service.store()->loadScheduleAlerts(id);
        return stored && stored->value(u"round"_s).toInt() == 2;
    }));
    QCOMPARE(QFile(file).permissions() & (QFile::ReadGroup | QFile::ReadOther),
             QFile::Permissions());
    const AlertBook reread = AlertBook::fromJson(*service.store()->loadScheduleAlerts(id));
    QCOMPARE(reread.size(), 4); // MemHigh x2, Down, NodeDown
    QCOMPARE(reread.toJson(), service.scheduler()->alerts(id)->toJson());

    // Healthy again: resolved in round 3 (sent once with endsAt), gone from Alertmanager.
    hot1.setJsonBody(cool);
    hot2.setJsonBody(cool);
    down.setBehaviour(FakeNode::Behaviour::Json);
    down.setJsonBody(cool);
    m_clock->advance(200);
    listing = alertsAfter(3);
    QCOMPARE(nodesOf(listing.value(u"alerts"_s).toArray(), u"resolved"_s), everyFailing);
    QCOMPARE(listing.value(u"counts"_s)[u"firing"_s].toInt(), 0);
    QVERIFY(waitUntil([&] { return am.alerts(id).isEmpty(); }, 15000));
    QVERIFY(waitUntil([&] { return hook.bodies.size() >= 3; }));
    for (const QJsonValue &a : hook.bodies.last()) {
        QVERIFY(!a[u"endsAt"_s].toString().isEmpty());
        const QString summary = a[u"annotations"_s][u"summary"_s].toString();
        QVERIFY(summary.contains(u"true again"_s) || summary.contains(u"answers again"_s));
    }
    // Round 4: resolved becomes ok and is no longer listed (only states not ok are kept).
    m_clock->advance(200);
    listing = alertsAfter(4);
    QCOMPARE(listing.value(u"count"_s).toInt(), 0);
    QVERIFY2(std::all_of(postErrors.cbegin(), postErrors.cend(),
                         [](const QString &e) { return e.isEmpty(); }),
             qPrintable(postErrors.join(u"; "_s)));
    QCOMPARE(sink.failed(), quint64(0));

    // The listing's filters.
    QCOMPARE(client.get(u"/api/v1/schedules/"_s + id + u"/alerts?state=bogus"_s).status, 400);
    QCOMPARE(client.get(u"/api/v1/schedules/"_s + id + u"/alerts?limit=0"_s).status, 400);
    QCOMPARE(client.get(u"/api/v1/schedules/NOPE/alerts"_s).status, 404);
}

// Issue #22 item 2, the trial's shape: 6 disk outliers, 15 nodes without the value, 46 failing
// nodes (refused, 500, bad JSON, timeout) among healthy ones. A real Alertmanager must hold
// exactly the 6 for the disk rule and exactly the 46 for NodeDown; with nodeDown off, only the 6.
void TestAlerts::fleetShapeMeansWhatItSays()
{
    if (Alertmanager::binary().isEmpty()) {
        QSKIP("prometheus-alertmanager not found: install it (scripts/deps.sh test)");
    }
    Alertmanager am;
    QVERIFY2(am.start(), "Alertmanager did not become ready");
    RestService service(fast());
    const std::unique_ptr<AlertSink> sink = sinkTo(am, service);
    HttpClient client(service.base());

    std::vector<std::unique_ptr<FakeNode>> fakes;
    QJsonArray nodes;
    QStringList outliers, down;
    auto add = [&](const std::function<void(FakeNode &)> &setUp) {
        fakes.push_back(std::make_unique<FakeNode>());
        FakeNode &n = *fakes.back();
        if (!n.start()) {
            return QString();
        }
        setUp(n);
        nodes.append(n.node());
        return n.node();
    };
    for (int i = 0; i < 30; ++i) {
        add([](FakeNode &n) { n.setJsonBody(R"({"disk": {"root": {"used_pct": 40}}})"); });
    }
    for (int i = 0; i < 6; ++i) {
        outliers.append(
            add([](FakeNode &n) { n.setJsonBody(R"({"disk": {"root": {"used_pct": 97}}})"); }));
    }
    for (int i = 0; i < 15; ++i) {
        add([](FakeNode &n) { n.setJsonBody(R"({"mem": {"used_pct": 10}})"); });
    }
    for (int i = 0; i < 12; ++i) {
        down.append(add([](FakeNode &n) {
            n.setStatus(500, R"({"error": "down"})");
            n.setBehaviour(FakeNode::Behaviour::Status);
        }));
        down.append(add([](FakeNode &n) { n.setBehaviour(FakeNode::Behaviour::Garbage); }));
        if (i < 11) {
            down.append(add([](FakeNode &n) { n.setBehaviour(FakeNode::Behaviour::Hang); }));
        }
    }
    for (int i = 0; i < 11; ++i) { // refused: a port nobody listens on
        const QString node = u"127.0.0.1:%1"_s.arg(freePort());
        nodes.append(node);
        down.append(node);
    }
    QVERIFY(!outliers.contains(QString()) && !down.contains(QString()));
    QCOMPARE(down.size(), 46);
    outliers.sort();
    down.sort();

    auto schedule = [&](const QJsonValue &nodeDown) {
        QJsonObject body{
            {u"nodes"_s, nodes},
            {u"url"_s, u"metric"_s},
            {u"every"_s, u"10s"_s},
            {u"options"_s, QJsonObject{{u"attempts"_s, 1}, {u"timeoutMs"_s, 400}}},
            {u"conditions"_s, QJsonArray{QJsonObject{{u"name"_s, u"DiskFull"_s},
                                                     {u"expr"_s, u"disk.root.used_pct < 90"_s}}}},
        };
        if (!nodeDown.isUndefined()) {
            body.insert(u"nodeDown"_s, nodeDown);
        }
        const HttpReply created = client.postJson(u"/api/v1/schedules"_s, body);
        return created.status == 201 ? created.json().value(u"schedule"_s).toString() : QString();
    };
    auto byName = [](const QJsonArray &alerts, const QString &name) {
        QStringList found;
        for (const QJsonValue &a : alerts) {
            if (a[u"labels"_s][u"alertname"_s].toString() == name) {
                found.append(a[u"labels"_s][u"node"_s].toString());
            }
        }
        found.sort();
        return found;
    };

    const QString on = schedule(QJsonValue::Undefined);
    QVERIFY(!on.isEmpty());
    QCOMPARE(client.get(u"/api/v1/schedules/"_s + on).json()[u"nodeDown"_s][u"enabled"_s].toBool(),
             true);
    QVERIFY(waitUntil([&] { return am.alerts(on).size() >= 52; }, 15000));
    const QJsonArray fired = am.alerts(on);
    QCOMPARE(fired.size(), 52);
    QCOMPARE(byName(fired, u"DiskFull"_s), outliers);
    QCOMPARE(byName(fired, u"NodeDown"_s), down);
    for (const QJsonValue &a : fired) {
        if (a[u"labels"_s][u"alertname"_s] == u"NodeDown"_s) {
            QVERIFY(!a[u"annotations"_s][u"outcome"_s].toString().isEmpty());
            QVERIFY(a[u"annotations"_s][u"outcome"_s].toString() != u"ok"_s);
            QVERIFY(!a[u"annotations"_s][u"error"_s].toString().isEmpty());
        }
    }
    const QJsonObject verdicts = client.get(u"/api/v1/schedules/"_s + on + u"/alerts"_s)
                                     .json()[u"verdicts"_s][u"DiskFull"_s]
                                     .toObject();
    QCOMPARE(verdicts.value(u"failed"_s).toInt(), 6);
    QCOMPARE(verdicts.value(u"unknown"_s).toInt(), 15 + 46);
    QCOMPARE(verdicts.value(u"passed"_s).toInt(), 30);

    // NodeDown off: the same fleet sends the 6 and nothing else.
    const QString off = schedule(QJsonObject{{u"enabled"_s, false}});
    QVERIFY(!off.isEmpty());
    QVERIFY(waitUntil([&] { return am.alerts(off).size() >= 6; }, 15000));
    const QJsonArray offFired = am.alerts(off);
    QCOMPARE(byName(offFired, u"DiskFull"_s), outliers);
    QCOMPARE(offFired.size(), 6);
}

QTEST_GUILESS_MAIN(TestAlerts)
#include "tst_alerts.moc"
