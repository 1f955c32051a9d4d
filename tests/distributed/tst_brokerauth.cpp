// Redis AUTH and SELECT (issue 15): real redis-servers with `requirepass` and with an ACL user;
// RedisConnection's handshake in-process, then the real `artemis-headless serve --broker` and
// `worker` processes: a hunt through a password-protected Redis, a wrong or missing password
// and a bad database refused at start with a clear message, and the password nowhere to be
// seen (stderr, the API's broker field, /metrics).
#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include "core/broker/redisconnection.h"
#include "headless/cli/filelimit.h"
#include "redisserver.h"
#include "tests/chaos/chaoschecks.h"
#include "tests/common/childprocess.h"
#include "tests/common/serveprocess.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::HttpClient;

namespace {
constexpr char Password[] = "pä ss@w:rd/1"; // needs percent-encoding in a URL
constexpr char AclUser[] = "artemis";
constexpr char AclPassword[] = "acl-s3cret";
constexpr int Databases = 4;
constexpr int NodeCount = 50;
constexpr int WaitMs = 20000;

QString encoded(const char *text)
{
    return QString::fromUtf8(QUrl::toPercentEncoding(QString::fromUtf8(text)));
}
} // namespace

class TestBrokerAuth : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void handshake_data();
    void handshake();
    void reconnectAuthenticatesAgain();
    void huntThroughProtectedRedis();
    void refusedAtStart_data();
    void refusedAtStart();

private:
    QString urlFor(bool acl, const QString &userInfo, int db = 0) const;
    std::unique_ptr<QProcess> startWorker(const QStringList &args);

    std::unique_ptr<Test::RedisServer> m_pass; // requirepass, 4 databases
    std::unique_ptr<Test::RedisServer> m_acl;  // ACL user, default user off
    Test::NodePool m_nodes;
};

void TestBrokerAuth::initTestCase()
{
    const QString missing = Test::RedisServer::missingReason();
    if (!missing.isEmpty()) {
        QFAIL(qPrintable(missing));
    }
    QVERIFY(raiseOpenFileLimit() > NodeCount + 200);
    QVERIFY(m_nodes.start(NodeCount));
    Test::RedisServer::Options pass;
    pass.requirePass = QString::fromUtf8(Password);
    pass.databases = Databases;
    m_pass = std::make_unique<Test::RedisServer>(pass);
    Test::RedisServer::Options acl;
    acl.aclUser = QString::fromUtf8(AclUser);
    acl.aclPassword = QString::fromUtf8(AclPassword);
    m_acl = std::make_unique<Test::RedisServer>(acl);
    QVERIFY(m_pass->start());
    QVERIFY(m_acl->start());
    QTRY_VERIFY_WITH_TIMEOUT(m_pass->ready() && m_acl->ready(), 10000);
}

void TestBrokerAuth::cleanupTestCase()
{
    m_pass.reset();
    m_acl.reset();
    m_nodes.reset();
}

QString TestBrokerAuth::urlFor(bool acl, const QString &userInfo, int db) const
{
    const quint16 port = acl ? m_acl->port() : m_pass->port();
    // Concatenated: a percent-encoded password must not meet QString::arg().
    return u"redis://"_s + (userInfo.isEmpty() ? QString() : userInfo + u"@"_s) + u"127.0.0.1:"_s
           + QString::number(port) + u"/"_s + QString::number(db);
}

void TestBrokerAuth::handshake_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("connects");
    QTest::addColumn<QString>("why"); // part of the failure message
    QTest::addColumn<QString>("whoami");
    QTest::addColumn<int>("db");
    const QString pass = u":"_s + encoded(Password);
    const QString acl = u"%1:%2"_s.arg(QString::fromUtf8(AclUser), encoded(AclPassword));
    QTest::newRow("requirepass") << urlFor(false, pass) << true << QString() << u"default"_s << 0;
    QTest::newRow("requirepass, db 3")
        << urlFor(false, pass, 3) << true << QString() << u"default"_s << 3;
    QTest::newRow("requirepass, wrong password")
        << urlFor(false, u":wrong"_s) << false << u"authentication failed"_s << QString() << 0;
    QTest::newRow("requirepass, no password")
        << urlFor(false, QString()) << false << u"requires a password"_s << QString() << 0;
    QTest::newRow("requirepass, database out of range")
        << urlFor(false, pass, 9) << false << u"cannot select database 9"_s << QString() << 0;
    QTest::newRow("ACL user") << urlFor(true, acl) << true << QString()
                              << QString::fromUtf8(AclUser) << 0;
    QTest::newRow("ACL user, wrong password")
        << urlFor(true, QString::fromUtf8(AclUser) + u":wrong"_s) << false
        << u"authentication as user 'artemis' failed"_s << QString() << 0;
    QTest::newRow("ACL, unknown user")
        << urlFor(true, u"nobody:"_s + encoded(AclPassword)) << false
        << u"authentication as user 'nobody' failed"_s << QString() << 0;
    QTest::newRow("ACL, no password")
        << urlFor(true, QString()) << false << u"requires a password"_s << QString() << 0;
}

void TestBrokerAuth::handshake()
{
    QFETCH(QString, url);
    QFETCH(bool, connects);
    const Result<RedisUrl> parsed = RedisUrl::parse(url);
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message));
    RedisConnection connection(*parsed, u"test"_s);
    QSignalSpy connected(&connection, &RedisConnection::connected);
    QSignalSpy failed(&connection, &RedisConnection::failed);
    connection.open();
    QTRY_VERIFY_WITH_TIMEOUT(connected.size() + failed.size() > 0, 10000);
    if (!connects) {
        QCOMPARE(connected.size(), 0);
        QVERIFY(connection.hasFailed());
        const QString message = failed.first().first().toString();
        QFETCH(QString, why);
        QVERIFY2(message.contains(why), qPrintable(message));
        for (const char *secret : {Password, AclPassword}) {
            QVERIFY2(!message.contains(QString::fromUtf8(secret)), qPrintable(message));
        }
        // It gave up: no more attempts, and commands fail at once with a callback.
        bool called = false;
        connection.command({"PING"}, [&](const RedisReply &reply) {
            called = true;
            QCOMPARE(reply.type, RedisReply::Type::Failed);
        });
        QTRY_VERIFY_WITH_TIMEOUT(called, 2000);
        QCOMPARE(connected.size(), 0);
        return;
    }
    QFETCH(QString, whoami);
    QFETCH(int, db);
    RedisReply who;
    RedisReply info;
    connection.command({"ACL", "WHOAMI"}, [&](const RedisReply &reply) { who = reply; });
    connection.command({"CLIENT", "INFO"}, [&](const RedisReply &reply) { info = reply; });
    QTRY_VERIFY_WITH_TIMEOUT(info.type != RedisReply::Type::Failed, 5000);
    QCOMPARE(QString::fromUtf8(who.str), whoami);
    QVERIFY2(info.str.contains(QByteArray(" db=" + QByteArray::number(db) + ' ')),
             info.str.constData());
}

void TestBrokerAuth::reconnectAuthenticatesAgain()
{
    const Result<RedisUrl> url = RedisUrl::parse(urlFor(false, u":"_s + encoded(Password), 2));
    QVERIFY(url);
    RedisConnection connection(*url, u"test"_s);
    RedisConnection killer(*url, u"killer"_s);
    QSignalSpy connected(&connection, &RedisConnection::connected);
    connection.open();
    killer.open();
    QTRY_VERIFY_WITH_TIMEOUT(connection.isConnected() && killer.isConnected(), 10000);
    qint64 id = -1;
    connection.command({"CLIENT", "ID"}, [&](const RedisReply &reply) { id = reply.integer; });
    QTRY_VERIFY_WITH_TIMEOUT(id > 0, 5000);
    // The server drops us; a command on the wire then gets its callback (Failed), never none.
    bool killed = false;
    killer.command({"CLIENT", "KILL", "ID", QByteArray::number(id)},
                   [&](const RedisReply &reply) { killed = reply.integer == 1; });
    QTRY_VERIFY_WITH_TIMEOUT(killed, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 2, 10000);
    // Authenticated and in database 2 again: the handshake ran on the new connection.
    RedisReply info;
    connection.command({"CLIENT", "INFO"}, [&](const RedisReply &reply) { info = reply; });
    QTRY_VERIFY_WITH_TIMEOUT(info.type != RedisReply::Type::Failed, 5000);
    QVERIFY2(info.str.contains(" db=2 "), info.str.constData());
    QVERIFY(info.str.contains(" user=default "));
}

std::unique_ptr<QProcess> TestBrokerAuth::startWorker(const QStringList &args)
{
    auto worker = std::make_unique<QProcess>();
    Test::killWithParent(*worker);
    worker->start(QStringLiteral(ARTEMIS_HEADLESS_BIN),
                  QStringList{u"worker"_s, u"--heartbeat-ms"_s, u"300"_s} + args);
    if (!worker->waitForStarted(10000)) {
        return nullptr;
    }
    return worker;
}

void TestBrokerAuth::huntThroughProtectedRedis()
{
    // The coordinator gives the requirepass password in the URL, percent-encoded; the worker
    // reads the ACL-style user from the URL and its password from a file (with a newline).
    // Both on the requirepass server's database 1, as default user.
    QTemporaryDir dir;
    const QString passwordFile = dir.filePath(u"redis-password"_s);
    {
        QFile file(passwordFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(Password) + '\n');
    }
    Test::ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY2(serve.start({u"--data-dir"_s, dir.filePath(u"data"_s), u"--broker"_s,
                          urlFor(false, u":"_s + encoded(Password), 1)})
                 != 0,
             serve.stderrText().constData());
    auto worker = startWorker({u"--broker"_s, urlFor(false, u"default"_s, 1),
                               u"--broker-password-file"_s, passwordFile, u"--name"_s, u"w1"_s});
    QVERIFY(worker);
    worker->setReadChannel(QProcess::StandardError);
    HttpClient client(serve.base());
    QJsonObject workers;
    QTRY_VERIFY_WITH_TIMEOUT(
        (workers = client.get(u"/api/v1/workers"_s).json()).value(u"workers"_s).toArray().size()
            == 1,
        WaitMs);
    // The API shows where the broker is, never who we are there.
    QCOMPARE(workers.value(u"broker"_s).toString(),
             u"redis://127.0.0.1:%1/1"_s.arg(m_pass->port()));
    QCOMPARE(workers.value(u"connected"_s).toBool(), true);

    const QString id = Test::submitHunt(client, m_nodes.names());
    QVERIFY(!id.isEmpty());
    const QJsonObject hunt = Test::pollHunt(client, id, &Test::isFinishedState, WaitMs);
    QCOMPARE(hunt.value(u"state"_s).toString(), u"done"_s);
    QCOMPARE(Test::doneOf(hunt), NodeCount);
    Test::verifyApiMatchesFile(client, dir.filePath(u"data"_s), id);

    const QByteArray metrics = client.get(u"/metrics"_s).body;
    const QByteArray healthz = client.get(u"/healthz"_s).body;
    QCOMPARE(worker->state(), QProcess::Running);
    worker->terminate();
    QVERIFY(worker->waitForFinished(10000));
    QCOMPARE(worker->exitCode(), 0);
    const QByteArray workerLog = worker->readAllStandardError();
    QCOMPARE(serve.terminate(), 0);
    const QByteArray password(Password);
    const QByteArray encodedPassword = encoded(Password).toUtf8();
    for (const QByteArray *text : {&metrics, &healthz, &workerLog}) {
        QVERIFY(!text->contains(password));
        QVERIFY(!text->contains(encodedPassword));
    }
    QVERIFY(!serve.stderrText().contains(password));
    QVERIFY(!serve.stderrText().contains(encodedPassword));
    QVERIFY(workerLog.contains("stopped after"));
}

void TestBrokerAuth::refusedAtStart_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("why");
    const QString pass = u":"_s + encoded(Password);
    for (const QString &command : {u"serve"_s, u"worker"_s}) {
        const QByteArray c = command.toUtf8();
        QTest::addRow("%s: wrong password", c.constData())
            << command << urlFor(false, u":wrong-pw"_s) << u"authentication failed"_s;
        QTest::addRow("%s: no password", c.constData())
            << command << urlFor(false, QString()) << u"requires a password"_s;
        QTest::addRow("%s: database out of range", c.constData())
            << command << urlFor(false, pass, 9) << u"cannot select database 9"_s;
        QTest::addRow("%s: ACL user, wrong password", c.constData())
            << command << urlFor(true, QString::fromUtf8(AclUser) + u":wrong-pw"_s)
            << u"authentication as user 'artemis' failed"_s;
    }
}

void TestBrokerAuth::refusedAtStart()
{
    QFETCH(QString, command);
    QFETCH(QString, url);
    QFETCH(QString, why);
    QTemporaryDir dir;
    // serve listens first, then learns from Redis that it cannot work, and exits; the worker
    // exits before taking any job.
    QStringList args{u"--broker"_s, url};
    if (command == u"serve"_s) {
        args << u"--listen"_s << u"127.0.0.1:0"_s << u"--data-dir"_s << dir.path();
    }
    auto process = std::make_unique<QProcess>();
    Test::killWithParent(*process);
    process->start(QStringLiteral(ARTEMIS_HEADLESS_BIN), QStringList{command} + args);
    QVERIFY(process->waitForStarted(10000));
    QVERIFY(process->waitForFinished(WaitMs));
    const int exitCode = process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
    const QByteArray output = process->readAllStandardError();
    QVERIFY2(output.contains(why.toUtf8()), output.constData());
    QVERIFY2(output.contains(QByteArray("artemis-headless " + command.toUtf8()
                                        + ": broker redis://127.0.0.1:")),
             output.constData());
    QCOMPARE(exitCode, 2);
    for (const char *secret : {Password, AclPassword, "wrong-pw"}) {
        QVERIFY2(!output.contains(secret), output.constData());
    }
}

QTEST_GUILESS_MAIN(TestBrokerAuth)
#include "tst_brokerauth.moc"
