// `artemis-headless serve`: argument rules, and the real binary as a child process (start
// line, port in use, SIGTERM storing running hunts as interrupted).
#include <QtTest>

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>

#include "core/resultstore.h"
#include "headless/servecommand.h"
#include "tests/common/fakenode.h"
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
};

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

QTEST_GUILESS_MAIN(TestServeCommand)
#include "tst_servecommand.moc"
