// The real `artemis-headless serve` and the files an API caller names (issue #21 items 1 and 7):
// none without --allow-files (403 naming the flag), errors that name the line and never quote
// the file, secrets that never reach stderr (Qt's own qt.httpserver debug category included),
// and secret files readable by others warned about, or refused with --strict-permissions.
#include <sys/stat.h>

#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include "tests/common/httpclient.h"
#include "tests/common/serveprocess.h"

using namespace Qt::StringLiterals;
using namespace Artemis::Test;

namespace {

QString writeFile(const QString &path, const QByteArray &text, int mode = 0600)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size()) {
        qFatal("cannot write %s", qPrintable(path));
    }
    file.close();
    ::chmod(QFile::encodeName(path).constData(), mode_t(mode));
    return path;
}

QJsonObject scheduleFrom(const QString &path)
{
    return {{u"nodesFrom"_s, QJsonObject{{u"file"_s, path}}},
            {u"url"_s, u"metric"_s},
            {u"every"_s, u"1h"_s}};
}

} // namespace

class TestServeFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noFileWithoutAllowFiles();
    void allowedDirsOnly();
    void secretsNeverLogged();
    void readableSecretFiles();

private:
    QTemporaryDir m_dir;
};

void TestServeFiles::noFileWithoutAllowFiles()
{
    ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY(serve.start({u"--data-dir"_s, m_dir.filePath(u"data1"_s)}) != 0);
    HttpClient client(serve.base());
    for (const QString &path : {u"/etc/passwd"_s, u"/proc/self/environ"_s}) {
        const HttpReply reply = client.postJson(u"/api/v1/schedules"_s, scheduleFrom(path));
        QCOMPARE(reply.status, 403);
        QVERIFY2(reply.body.contains("--allow-files DIR"), reply.body.constData());
        QVERIFY(!reply.body.contains("root:"));
    }
    const HttpReply ca = client.postJson(
        u"/api/v1/hunts"_s, {{u"nodes"_s, QJsonArray{u"127.0.0.1:1"_s}},
                             {u"url"_s, u"metric"_s},
                             {u"options"_s, QJsonObject{{u"caFile"_s, u"/etc/passwd"_s}}}});
    QCOMPARE(ca.status, 403);
    QVERIFY2(ca.body.contains("--allow-files"), ca.body.constData());
    const HttpReply auth = client.postJson(
        u"/api/v1/hunts"_s,
        {{u"nodes"_s, QJsonArray{u"127.0.0.1:1"_s}},
         {u"url"_s, u"metric"_s},
         {u"options"_s, QJsonObject{{u"auth"_s, QJsonArray{QJsonObject{
                                                    {u"bearerTokenFile"_s, u"/etc/passwd"_s}}}}}}});
    QCOMPARE(auth.status, 403);
    QVERIFY(!auth.body.contains("root:"));
}

void TestServeFiles::allowedDirsOnly()
{
    const QString allowed = m_dir.filePath(u"allowed"_s);
    QVERIFY(QDir().mkpath(allowed));
    // A secret file in the allowed dir is still never quoted: the line and the reason only.
    const QString secret =
        writeFile(allowed + u"/secret.conf"_s, "# credentials\npassword = hunter2-very-secret\n");
    QVERIFY(QFile::link(u"/etc/passwd"_s, allowed + u"/passwd"_s));
    ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY(serve.start({u"--data-dir"_s, m_dir.filePath(u"data2"_s), u"--allow-files"_s, allowed})
            != 0);
    HttpClient client(serve.base());

    const HttpReply bad = client.postJson(u"/api/v1/schedules"_s, scheduleFrom(secret));
    QCOMPARE(bad.status, 400);
    QVERIFY2(bad.body.contains("line 2: not a node (expected host:port)"), bad.body.constData());
    QVERIFY2(!bad.body.contains("hunter2"), bad.body.constData());

    const HttpReply out =
        client.postJson(u"/api/v1/schedules"_s, scheduleFrom(allowed + u"/passwd"_s));
    QCOMPARE(out.status, 403);
    QVERIFY(!out.body.contains("root:"));
    const HttpReply shadow =
        client.postJson(u"/api/v1/schedules"_s, scheduleFrom(u"/etc/shadow"_s));
    QCOMPARE(shadow.status, 403);

    const QString good = writeFile(allowed + u"/nodes.txt"_s, "127.0.0.1:1\n");
    const HttpReply created = client.postJson(u"/api/v1/schedules"_s, scheduleFrom(good));
    QCOMPARE(created.status, 201);
    QVERIFY(!serve.stderrText().contains("hunter2"));
}

void TestServeFiles::secretsNeverLogged()
{
    const QString token = writeFile(m_dir.filePath(u"api.token"_s), "right-token-5f3a\n");
    ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // Qt's own category prints every request's headers at debug level.
    environment.insert(u"QT_LOGGING_RULES"_s, u"qt.httpserver*=true;artemis.*.debug=true"_s);
    serve.setEnvironment(environment);
    QVERIFY(serve.start({u"--data-dir"_s, m_dir.filePath(u"data3"_s), u"--token-file"_s, token})
            != 0);
    HttpClient wrong(serve.base(), "wrong-guess-7c1d");
    const HttpReply refused =
        wrong.get(u"/api/v1/hunts"_s, {{"Cookie", "session=cookie-9e2b"},
                                       {"Proxy-Authorization", "Basic cHJveHk6OWY="}});
    QCOMPARE(refused.status, 401);
    HttpClient right(serve.base(), "right-token-5f3a");
    QCOMPARE(right.get(u"/api/v1/hunts"_s).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(serve.stderrText().contains("<redacted>"), 10000);
    const QByteArray log = serve.stderrText();
    QVERIFY2(log.contains("qt.httpserver"), log.constData()); // the category did log
    for (const QByteArray secret :
         {"wrong-guess-7c1d", "right-token-5f3a", "cookie-9e2b", "cHJveHk6OWY="}) {
        QVERIFY2(!log.contains(secret), secret.constData());
    }
}

void TestServeFiles::readableSecretFiles()
{
    const QString token = writeFile(m_dir.filePath(u"open.token"_s), "open-token-1\n", 0644);
    ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY(serve.start({u"--data-dir"_s, m_dir.filePath(u"data4"_s), u"--token-file"_s, token})
            != 0);
    const QByteArray warning =
        "warning: --token-file: " + token.toUtf8() + " is readable by group and others (mode 0644)";
    QVERIFY2(serve.stderrText().contains(warning), serve.stderrText().constData());
    QCOMPARE(serve.terminate(), 0);

    QProcess strict;
    strict.start(QStringLiteral(ARTEMIS_HEADLESS_BIN),
                 {u"serve"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s,
                  m_dir.filePath(u"data4"_s), u"--token-file"_s, token, u"--strict-permissions"_s});
    QVERIFY(strict.waitForFinished(10000));
    QCOMPARE(strict.exitCode(), 2);
    const QByteArray err = strict.readAllStandardError();
    QVERIFY2(err.contains("(mode 0644)") && err.contains("--strict-permissions"), err.constData());
    QVERIFY(!err.contains("open-token-1"));

    ::chmod(QFile::encodeName(token).constData(), 0600);
    ServeProcess quiet(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY(quiet.start({u"--data-dir"_s, m_dir.filePath(u"data4"_s), u"--token-file"_s, token,
                         u"--strict-permissions"_s})
            != 0);
    QVERIFY(!quiet.stderrText().contains("readable by"));
}

QTEST_GUILESS_MAIN(TestServeFiles)
#include "tst_servefiles.moc"
