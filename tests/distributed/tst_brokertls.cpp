// TLS between Artemis and Redis through stunnel (issue 15 item 7). Debian 12's hiredis 0.14 has
// no TLS, so docs/distributed.md puts stunnel4 in between: a server side on the Redis host (TLS
// in, plain to Redis on loopback) and a client side on every coordinator and worker host (plain
// in on loopback, TLS out, the server's certificate checked against the operator's CA and its
// address). This test builds that on loopback with the docs' configuration: redis-server with a
// password, an stunnel server in front of it, one stunnel client per Artemis process, the real
// `serve --broker` and two workers each pointed at its own client, and the basic hunt.
// Redis sees every connection coming from the stunnel server (which connects from 127.0.0.5,
// its `local` option), so a process that bypassed the tunnel would show; and a client that does
// not trust the server's certificate gets nothing through.
#include <QDir>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

#include "brokertest.h"
#include "core/broker/redisconnection.h"
#include "headless/cli/filelimit.h"
#include "redisserver.h"
#include "stunnel.h"
#include "tests/chaos/chaoschecks.h"
#include "tests/common/serveprocess.h"
#include "tests/common/stackfixture.h"
#include "tests/common/testca.h"
#include "tests/common/wait.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::HttpClient;

namespace {
constexpr int NodeCount = 100;
constexpr int WaitMs = 20000;
constexpr char Password[] = "tls-s3cret";
constexpr char StunnelSource[] = "127.0.0.5"; // where the stunnel server connects to Redis from
const QStringList Clients = {u"coordinator"_s, u"w1"_s, u"w2"_s}; // one stunnel client each
} // namespace

class TestBrokerTls : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void huntThroughTunnel();
    void untrustedServerRefused();

private:
    // The client side, as on a worker host: plain on 127.0.0.1:port, TLS to the server side.
    QByteArray clientService(quint16 port, const QString &caFile) const;
    QString brokerAt(quint16 port) const; // redis://:PASSWORD@127.0.0.1:port

    Test::NodePool m_nodes;
    QTemporaryDir m_dir;
    std::optional<Test::TestCa> m_ca;
    std::unique_ptr<Test::RedisServer> m_redis;
    std::unique_ptr<RedisConnection> m_probe; // straight to Redis, not through the tunnel
    Test::Stunnel m_server;                   // on "the Redis host"
    quint16 m_tlsPort = 0;
};

void TestBrokerTls::initTestCase()
{
    for (const QString &missing :
         {Test::RedisServer::missingReason(), Test::Stunnel::missingReason()}) {
        if (!missing.isEmpty()) {
            QFAIL(qPrintable(missing));
        }
    }
    QVERIFY(raiseOpenFileLimit() > NodeCount + 200);
    QVERIFY(m_nodes.start(NodeCount));
    QVERIFY(m_dir.isValid());
    Result<Test::TestCa> ca = Test::TestCa::create(m_dir.path());
    QVERIFY2_OK(ca);
    m_ca = std::move(ca).value();

    Test::RedisServer::Options options;
    options.requirePass = QString::fromUtf8(Password);
    m_redis = std::make_unique<Test::RedisServer>(options);
    QVERIFY(m_redis->start());
    QTRY_VERIFY_WITH_TIMEOUT(m_redis->ready(), 10000);
    m_probe =
        std::make_unique<RedisConnection>(*RedisUrl::parse(brokerAt(m_redis->port())), u"probe"_s);
    m_probe->open();

    // The server side, as in docs/distributed.md, plus `local` so that Redis can tell its
    // connections from anybody else's.
    m_tlsPort = Test::freeLoopbackPort();
    QVERIFY(m_tlsPort != 0);
    const QByteArray server = "[redis-tls]\naccept = 127.0.0.1:" + QByteArray::number(m_tlsPort)
                              + "\nconnect = 127.0.0.1:" + QByteArray::number(m_redis->port())
                              + "\ncert = " + m_ca->serverCertFile().toUtf8()
                              + "\nkey = " + m_ca->serverKeyFile().toUtf8()
                              + "\nsslVersionMin = TLSv1.2\nlocal = " + StunnelSource + "\n";
    QVERIFY(m_server.start(m_dir.filePath(u"redis-server.conf"_s), server));
    QTRY_VERIFY2_WITH_TIMEOUT(m_server.ready(), m_server.output().constData(), 10000);
}

void TestBrokerTls::cleanupTestCase()
{
    m_server.stop();
    m_probe.reset();
    m_redis.reset();
    m_nodes.reset();
}

QByteArray TestBrokerTls::clientService(quint16 port, const QString &caFile) const
{
    return "[redis]\nclient = yes\naccept = 127.0.0.1:" + QByteArray::number(port)
           + "\nconnect = 127.0.0.1:" + QByteArray::number(m_tlsPort)
           + "\nCAfile = " + caFile.toUtf8()
           + "\nverifyChain = yes\ncheckIP = 127.0.0.1\nsslVersionMin = TLSv1.2\n";
}

QString TestBrokerTls::brokerAt(quint16 port) const
{
    return u"redis://:%1@127.0.0.1:%2"_s.arg(QString::fromUtf8(Password)).arg(port);
}

void TestBrokerTls::huntThroughTunnel()
{
    std::map<QString, std::unique_ptr<Test::Stunnel>> clients;
    std::map<QString, quint16> ports;
    for (const QString &name : Clients) {
        ports[name] = Test::freeLoopbackPort();
        clients[name] = std::make_unique<Test::Stunnel>();
        QVERIFY(clients[name]->start(m_dir.filePath(u"redis-client-%1.conf"_s.arg(name)),
                                     clientService(ports[name], m_ca->caFile())));
    }
    for (const QString &name : Clients) {
        QTRY_VERIFY2_WITH_TIMEOUT(clients[name]->ready(), clients[name]->output().constData(),
                                  10000);
    }

    QTemporaryDir data;
    Test::ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY2(serve.start(
                 {u"--data-dir"_s, data.path(), u"--broker"_s, brokerAt(ports[u"coordinator"_s])})
                 != 0,
             serve.stderrText().constData());
    std::vector<std::unique_ptr<QProcess>> workers;
    for (const QString &name : {u"w1"_s, u"w2"_s}) {
        workers.push_back(
            Test::startWorker(QStringLiteral(ARTEMIS_HEADLESS_BIN), brokerAt(ports[name]), name));
        QVERIFY(workers.back());
    }
    HttpClient client(serve.base());
    QTRY_COMPARE_WITH_TIMEOUT(Test::listedWorkerCount(client), 2, WaitMs);

    const QString id = Test::submitHunt(client, m_nodes.names(), {{u"attempts"_s, 1}});
    QVERIFY(!id.isEmpty());
    const QJsonObject hunt = Test::pollHunt(client, id, &Test::isFinishedState, WaitMs);
    QCOMPARE(hunt.value(u"state"_s).toString(), u"done"_s);
    QCOMPARE(Test::doneOf(hunt), NodeCount);
    const Test::ResultsFile file = Test::readResultsFile(data.path(), id);
    QCOMPARE(file.lines, NodeCount);
    QCOMPARE(file.nodes.size(), NodeCount);
    QCOMPARE(file.ok, NodeCount);
    Test::verifyApiMatchesFile(client, data.path(), id);
    for (int i = 0; i < NodeCount; ++i) {
        QCOMPARE(m_nodes.at(i).requestCount(), 1);
    }

    // Every connection Redis has, but ours, comes from the stunnel server: two per process.
    const RedisReply list = Test::redisCommand(*m_probe, {"CLIENT", "LIST"});
    QVERIFY2(list.ok(), list.str.constData());
    const QByteArray fromStunnel = QByteArray(" addr=") + StunnelSource + ':';
    int tunnelled = 0;
    for (const QByteArray &line : list.str.split('\n')) {
        if (line.trimmed().isEmpty() || line.contains(" cmd=client|list ")) {
            continue; // the probe, asking
        }
        QVERIFY2(line.contains(fromStunnel), line.constData());
        ++tunnelled;
    }
    QVERIFY2(tunnelled >= 2 * int(Clients.size()), list.str.constData());
    // Each side did TLS ("new session negotiated" or "previous session reused": a client
    // resumes its session on its second connection) and each client checked the server's
    // certificate, as they log it.
    QTRY_VERIFY2_WITH_TIMEOUT(m_server.output().count("TLS accepted: ") >= tunnelled,
                              m_server.output().constData(), WaitMs);
    for (const QString &name : Clients) {
        QTRY_VERIFY2_WITH_TIMEOUT(
            clients[name]->output().contains("CERT: IP address \"127.0.0.1\" matched")
                && clients[name]->output().contains("Certificate accepted at depth=0"),
            clients[name]->output().constData(), WaitMs);
    }
    for (const auto &worker : workers) {
        worker->terminate();
        QVERIFY(worker->waitForFinished(10000));
    }
    QCOMPARE(serve.terminate(), 0);
}

// A client side that checks the server's certificate against another CA gets no connection
// through: verifyChain is what makes the tunnel more than encryption.
void TestBrokerTls::untrustedServerRefused()
{
    QTemporaryDir otherDir;
    const Result<Test::TestCa> other = Test::TestCa::create(otherDir.path());
    QVERIFY2_OK(other);
    Test::Stunnel client;
    const quint16 port = Test::freeLoopbackPort();
    QVERIFY(client.start(otherDir.filePath(u"redis-client.conf"_s),
                         clientService(port, other->caFile())));
    QTRY_VERIFY2_WITH_TIMEOUT(client.ready(), client.output().constData(), 10000);
    RedisConnection connection(*RedisUrl::parse(brokerAt(port)), u"untrusting"_s);
    connection.open();
    QTRY_VERIFY2_WITH_TIMEOUT(client.output().contains("Rejected by CERT at depth="),
                              client.output().constData(), WaitMs);
    QVERIFY(!connection.isConnected());
    // Nothing reached Redis: the probe is its only client (the previous test's connections are
    // closed by the tunnel once their processes have gone).
    QTRY_COMPARE_WITH_TIMEOUT(
        Test::redisCommand(*m_probe, {"CLIENT", "LIST"}).str.trimmed().count('\n'), 0, WaitMs);
    QVERIFY(!connection.isConnected());
}

QTEST_GUILESS_MAIN(TestBrokerTls)
#include "tst_brokertls.moc"
