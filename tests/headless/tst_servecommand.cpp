// `artemis-headless serve`: argument rules, and the real binary as a child process (start
// line, port in use, SIGTERM storing running hunts as interrupted).
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <QtTest>

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>

#include "core/store/resultstore.h"
#include "headless/cli/servecommand.h"
#include "tests/common/childprocess.h"
#include "tests/common/fakenode.h"
#include "tests/common/httpclient.h"
#include "tests/common/loopback.h"
#include "tests/common/serveprocess.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;

class TestServeCommand : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void settings_data();
    void settings();
    void sigtermMarksRunningHuntsInterrupted();
    void portInUseExits2();
    void configFile_data();
    void configFile();
    void configPrecedenceLive();
    void notifiesReadyAndStopping();
};

namespace {

// A config file in `dir` holding `text`; its path.
QString writeConfig(const QTemporaryDir &dir, const QByteArray &text)
{
    const QString path = dir.filePath(u"artemis.conf"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size()) {
        return {};
    }
    return path;
}

} // namespace

void TestServeCommand::settings_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("token");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("listen");
    QTest::newRow("defaults") << QStringList{} << QString() << true << u"127.0.0.1:5000"_s;
    QTest::newRow("port 0") << QStringList{u"--listen"_s, u"127.0.0.1:0"_s} << QString() << true
                            << u"127.0.0.1:0"_s;
    QTest::newRow("ipv6 loopback")
        << QStringList{u"--listen"_s, u"[::1]:8080"_s} << QString() << true << u"::1:8080"_s;
    QTest::newRow("public without token refused")
        << QStringList{u"--listen"_s, u"0.0.0.0:5000"_s} << QString() << false << QString();
    QTest::newRow("public with env token")
        << QStringList{u"--listen"_s, u"0.0.0.0:5000"_s} << u"t0k"_s << true << u"0.0.0.0:5000"_s;
    QTest::newRow("public insecure opt-out")
        << QStringList{u"--listen"_s, u"0.0.0.0:5000"_s, u"--insecure-no-auth"_s} << QString()
        << true << u"0.0.0.0:5000"_s;
    QTest::newRow("bad listen") << QStringList{u"--listen"_s, u"nowhere"_s} << QString() << false
                                << QString();
    QTest::newRow("bad port") << QStringList{u"--listen"_s, u"127.0.0.1:99999"_s} << QString()
                              << false << QString();
    QTest::newRow("bad allow rule")
        << QStringList{u"--allow"_s, u"10.0.0.0/99"_s} << QString() << false << QString();
    QTest::newRow("bad max-nodes")
        << QStringList{u"--max-nodes"_s, u"0"_s} << QString() << false << QString();
    QTest::newRow("missing token file") << QStringList{u"--token-file"_s, u"/nonexistent/token"_s}
                                        << QString() << false << QString();
    QTest::newRow("allow-files, repeatable")
        << QStringList{u"--allow-files"_s, u"/tmp"_s, u"--allow-files"_s, u"/etc"_s} << QString()
        << true << u"127.0.0.1:5000"_s;
    QTest::newRow("allow-files not a dir") << QStringList{u"--allow-files"_s, u"/nonexistent/dir"_s}
                                           << QString() << false << QString();
    QTest::newRow("allow-files relative")
        << QStringList{u"--allow-files"_s, u"tmp"_s} << QString() << false << QString();
}

void TestServeCommand::settings()
{
    QFETCH(QStringList, args);
    QFETCH(QString, token);
    QFETCH(bool, ok);
    QFETCH(QString, listen);
    QHash<QString, QString> env;
    if (!token.isEmpty()) {
        env.insert(u"ARTEMIS_TOKEN"_s, token);
    }
    const Result<ServeSettings> s =
        ServeSettings::parse(QStringList{u"artemis-headless serve"_s} + args, env);
    QCOMPARE(s.hasValue(), ok);
    if (ok) {
        QCOMPARE(u"%1:%2"_s.arg(s->address.toString()).arg(s->port), listen);
        QCOMPARE(s->token, token.toUtf8());
        QCOMPARE(s->dataDir, u"./data"_s);
        QCOMPARE(s->maxNodes, 100000);
        QCOMPARE(s->maxBodyBytes, 10 * 1024 * 1024);
        // No file named in a request is read unless --allow-files says where.
        QCOMPARE(s->files.dirs(), args.contains(u"--allow-files"_s)
                                      ? QStringList({u"/tmp"_s, u"/etc"_s})
                                      : QStringList());
        QVERIFY(!s->files.isUnrestricted());
    } else {
        QVERIFY(!s.error().message.isEmpty());
    }
}

void TestServeCommand::sigtermMarksRunningHuntsInterrupted()
{
    QTemporaryDir dir;
    FakeNode hang;
    QVERIFY(hang.start());
    hang.setBehaviour(FakeNode::Behaviour::Hang);

    Test::ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    const quint16 port = serve.start({u"--data-dir"_s, dir.path()});
    QVERIFY2(port != 0, serve.stderrText().constData());

    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy::NoProxy);
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/fetch"_s.arg(port)));
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArray("application/x-www-form-urlencoded"));
    QNetworkReply *reply = nam.post(request, "node=" + hang.node().toUtf8() + "&url=metric");
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(5000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 202);
    const QString id =
        QJsonDocument::fromJson(reply->readAll()).object().value(u"hunt"_s).toString();
    reply->deleteLater();
    QTRY_COMPARE_WITH_TIMEOUT(hang.requestCount(), 1, 10000); // the hunt is fetching

    QCOMPARE(serve.terminate(), 0); // SIGTERM

    ResultStore store(dir.path());
    const Result<HuntInfo> info = store.loadManifest(id);
    QVERIFY(info);
    QCOMPARE(info->state, HuntState::Interrupted);
    // No torn files: every stored line parses.
    const Result<int> skipped = store.forEachResult(id, [](const Outcome &) { return true; });
    QVERIFY(skipped);
    QCOMPARE(*skipped, 0);
}

void TestServeCommand::portInUseExits2()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    QTemporaryDir dir;
    QProcess serve;
    serve.start(QStringLiteral(ARTEMIS_HEADLESS_BIN),
                {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(taken.serverPort()),
                 u"--data-dir"_s, dir.path()});
    QVERIFY(serve.waitForFinished(10000));
    QCOMPARE(serve.exitCode(), 2);
    QVERIFY(serve.readAllStandardError().contains("cannot listen"));

    QProcess open;
    open.start(QStringLiteral(ARTEMIS_HEADLESS_BIN),
               {u"serve"_s, u"--listen"_s, u"0.0.0.0:0"_s, u"--data-dir"_s, dir.path()});
    QVERIFY(open.waitForFinished(10000));
    QCOMPARE(open.exitCode(), 2);
    QVERIFY(open.readAllStandardError().contains("without an API token"));
}

void TestServeCommand::configFile_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("env"); // NAME=VALUE
    QTest::addColumn<QString>("dataDir"); // when it parses
    QTest::addColumn<QString>("error");   // else the message; FILE stands for the file's path

    QTest::newRow("file over default") << QByteArray("data-dir = /from/file\n") << QStringList{}
                                       << QStringList{} << u"/from/file"_s << QString();
    QTest::newRow("environment over file")
        << QByteArray("data-dir = /from/file\n") << QStringList{}
        << QStringList{u"ARTEMIS_DATA_DIR=/from/env"_s} << u"/from/env"_s << QString();
    QTest::newRow("flag over environment and file")
        << QByteArray("data-dir = /from/file\n") << QStringList{u"--data-dir"_s, u"/from/flag"_s}
        << QStringList{u"ARTEMIS_DATA_DIR=/from/env"_s} << u"/from/flag"_s << QString();
    QTest::newRow("no data-dir anywhere") << QByteArray("max-nodes = 5\n") << QStringList{}
                                          << QStringList{} << u"./data"_s << QString();
    QTest::newRow("bad value names file, line and key, then the flag's message")
        << QByteArray("# limits\nmax-nodes = 0\n") << QStringList{} << QStringList{} << QString()
        << u"FILE:2: key 'max-nodes': --max-nodes must be a whole number from 1 to 10000000, not "
           "'0'"_s;
    QTest::newRow("a flag replaces the file's bad value")
        << QByteArray("max-nodes = 0\n") << QStringList{u"--max-nodes"_s, u"7"_s} << QStringList{}
        << u"./data"_s << QString();
    QTest::newRow("bad listen")
        << QByteArray("listen = nowhere\n") << QStringList{} << QStringList{} << QString()
        << u"FILE:1: key 'listen': --listen 'nowhere': no port (expected ADDR:PORT, e.g. "
           "127.0.0.1:5000 or [::1]:5000)"_s;
    QTest::newRow("second allow rule bad")
        << QByteArray("allow = 10.0.0.0/8\n\nallow = 10.0.0.0/99\n") << QStringList{}
        << QStringList{} << QString() << u"FILE:3: key 'allow': "_s;
    QTest::newRow("public listen from the file needs a token")
        << QByteArray("listen = 0.0.0.0:5000\n") << QStringList{} << QStringList{} << QString()
        << u"FILE:1: key 'listen': refusing to listen on 0.0.0.0 without an API token"_s;
    QTest::newRow("switch from the file")
        << QByteArray("listen = 0.0.0.0:5000\ninsecure-no-auth = true\n") << QStringList{}
        << QStringList{} << u"./data"_s << QString();
    QTest::newRow("environment token over the file's token-file")
        << QByteArray("listen = 0.0.0.0:5000\ntoken-file = /nonexistent/token\n") << QStringList{}
        << QStringList{u"ARTEMIS_TOKEN=t0k"_s} << u"./data"_s << QString();
    QTest::newRow("an empty environment token does not hide the file's token-file")
        << QByteArray("token-file = /nonexistent/token\n") << QStringList{}
        << QStringList{u"ARTEMIS_TOKEN="_s} << QString()
        << u"FILE:1: key 'token-file': cannot read --token-file '/nonexistent/token'"_s;
    QTest::newRow("an empty ARTEMIS_DATA_DIR does not hide the file's data-dir")
        << QByteArray("data-dir = /from/file\n") << QStringList{}
        << QStringList{u"ARTEMIS_DATA_DIR="_s} << u"/from/file"_s << QString();
    QTest::newRow("the file's token-file read without the environment")
        << QByteArray("token-file = /nonexistent/token\n") << QStringList{} << QStringList{}
        << QString()
        << u"FILE:1: key 'token-file': cannot read --token-file '/nonexistent/token'"_s;
    QTest::newRow("unknown key") << QByteArray("max-node = 3\n") << QStringList{} << QStringList{}
                                 << QString() << u"FILE:1: unknown key 'max-node'"_s;
    QTest::newRow("worker section not read by serve")
        << QByteArray("[worker]\nconcurrency = 3\n") << QStringList{} << QStringList{}
        << u"./data"_s << QString();
}

void TestServeCommand::configFile()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, args);
    QFETCH(QStringList, env);
    QFETCH(QString, dataDir);
    QFETCH(QString, error);
    QTemporaryDir dir;
    const QString path = writeConfig(dir, text);
    QVERIFY(!path.isEmpty());
    QHash<QString, QString> environment;
    for (const QString &pair : env) {
        environment.insert(pair.section(u'=', 0, 0), pair.section(u'=', 1));
    }
    const Result<ServeSettings> s = ServeSettings::parse(
        QStringList{u"artemis-headless serve"_s, u"--config"_s, path} + args, environment);
    if (!error.isEmpty()) {
        QVERIFY(!s);
        error.replace(u"FILE"_s, path);
        QVERIFY2(s.error().message.startsWith(error), qPrintable(s.error().message));
        return;
    }
    QVERIFY2(s, s ? "" : qPrintable(s.error().message));
    QCOMPARE(s->dataDir, dataDir);
}

// The real binary: the listen flag over the file's, ARTEMIS_DATA_DIR over the file's data-dir,
// and the file's max-nodes over the default, as the API answers; then flags over all of it.
void TestServeCommand::configPrecedenceLive()
{
    QTemporaryDir dir;
    const QString fileDir = dir.filePath(u"from-file"_s);
    const QString envDir = dir.filePath(u"from-env"_s);
    const QString flagDir = dir.filePath(u"from-flag"_s);
    QTcpServer taken; // the file's port: serve must not try it
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    const QString config = writeConfig(
        dir, "# test\n[serve]\nlisten = 127.0.0.1:" + QByteArray::number(taken.serverPort())
                 + "\ndata-dir = " + fileDir.toUtf8() + "\nmax-nodes = 2\n");
    QVERIFY(!config.isEmpty());
    const QByteArray threeNodes = R"({"nodes": ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"],
                                      "url": "metric"})";

    Test::ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"ARTEMIS_DATA_DIR"_s, envDir);
    serve.setEnvironment(environment);
    quint16 port = serve.start({u"--config"_s, config}); // with --listen 127.0.0.1:0
    QVERIFY2(port != 0, serve.stderrText().constData());
    QVERIFY(port != taken.serverPort());
    QVERIFY2(serve.stderrText().contains(QByteArray("data dir " + envDir.toUtf8())),
             serve.stderrText().constData());
    QVERIFY(QDir(envDir).exists());
    QVERIFY(!QDir(fileDir).exists());
    Test::HttpReply reply =
        Test::HttpClient(serve.base()).send("POST", u"/api/v1/hunts"_s, threeNodes);
    QCOMPARE(reply.status, 413);
    QVERIFY2(reply.body.contains("at most 2 per hunt"), reply.body.constData());
    QCOMPARE(serve.terminate(), 0);

    port = serve.start({u"--config"_s, config, u"--data-dir"_s, flagDir, u"--max-nodes"_s, u"3"_s});
    QVERIFY2(port != 0, serve.stderrText().constData());
    QVERIFY2(serve.stderrText().contains(QByteArray("data dir " + flagDir.toUtf8())),
             serve.stderrText().constData());
    reply = Test::HttpClient(serve.base()).send("POST", u"/api/v1/hunts"_s, threeNodes);
    QCOMPARE(reply.status, 202);
    QCOMPARE(serve.terminate(), 0);
}

// Type=notify: with NOTIFY_SOCKET set, serve sends READY=1 once its port answers and STOPPING=1
// when SIGTERM starts the shutdown, as datagrams to that socket (what systemd listens on).
void TestServeCommand::notifiesReadyAndStopping()
{
    QTemporaryDir dir;
    const QByteArray socketPath = dir.filePath(u"notify"_s).toUtf8();
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    QVERIFY(fd >= 0);
    const auto closeSocket = qScopeGuard([fd] { ::close(fd); });
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    QVERIFY(size_t(socketPath.size()) < sizeof(address.sun_path));
    std::memcpy(address.sun_path, socketPath.constData(), size_t(socketPath.size()));
    QCOMPARE(::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)), 0);
    QByteArray received; // every datagram so far, each followed by '\n'
    auto waitFor = [&](const QByteArray &line) {
        QDeadlineTimer deadline(20000);
        while (!received.split('\n').contains(line) && !deadline.hasExpired()) {
            pollfd readable{fd, POLLIN, 0};
            if (::poll(&readable, 1, 50) == 1) {
                char buffer[4096];
                const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
                if (n > 0) {
                    received.append(buffer, n).append('\n');
                }
            }
        }
        return received.split('\n').contains(line);
    };

    // A port free a moment ago, given to serve so that it is known before READY.
    const quint16 port = Test::closedLoopbackPort();
    QProcess serve;
    Test::killWithParent(serve);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"NOTIFY_SOCKET"_s, QString::fromUtf8(socketPath));
    serve.setProcessEnvironment(environment);
    serve.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    serve.start(QStringLiteral(ARTEMIS_HEADLESS_BIN),
                {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--data-dir"_s,
                 dir.filePath(u"data"_s)});
    QVERIFY(serve.waitForStarted(10000));
    QVERIFY2(waitFor("READY=1"), received.constData());
    // Not a moment too early: the port answers (no refusal) as soon as READY has arrived.
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY2(client.waitForConnected(5000), qPrintable(client.errorString()));
    QVERIFY(received.contains(
        QByteArray("STATUS=listening on http://127.0.0.1:" + QByteArray::number(port))));
    QVERIFY(!received.contains("STOPPING=1"));

    ::kill(pid_t(serve.processId()), SIGTERM);
    QVERIFY2(waitFor("STOPPING=1"), received.constData());
    QVERIFY(serve.waitForFinished(10000));
    QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
    QCOMPARE(serve.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestServeCommand)
#include "tst_servecommand.moc"
