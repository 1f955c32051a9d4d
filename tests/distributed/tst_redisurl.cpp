#include <QTemporaryDir>
#include <QTest>

#include "core/broker/redisurl.h"

using namespace Qt::StringLiterals;
using Artemis::RedisUrl;

class TestRedisUrl : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void passwordFile_data();
    void passwordFile();
    void canonical();
    void redacted_data();
    void redacted();
};

namespace {
void good(const char *name, const QString &text, const QString &host, int port, int db,
          const QString &user = {}, const QString &password = {})
{
    QTest::newRow(name) << text << true << host << port << db << user << password;
}

// `secret`: text that must not appear in the error message (a password).
void bad(const char *name, const QString &text, const QString &secret = {})
{
    QTest::newRow(name) << text << false << QString() << 0 << 0 << QString() << secret;
}
} // namespace

void TestRedisUrl::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<int>("db");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    good("host:port", u"redis://127.0.0.1:6380"_s, u"127.0.0.1"_s, 6380, 0);
    good("host only: default port", u"redis://broker"_s, u"broker"_s, 6379, 0);
    good("db", u"redis://h:7000/3"_s, u"h"_s, 7000, 3);
    good("trailing slash", u"redis://h:7000/"_s, u"h"_s, 7000, 0);
    good("scheme case", u"REDIS://h"_s, u"h"_s, 6379, 0);
    good("ipv6", u"redis://[::1]:6390/1"_s, u"::1"_s, 6390, 1);
    good("ipv6 no port", u"redis://[::1]"_s, u"::1"_s, 6379, 0);
    good("user and password", u"redis://bob:s3cret@h:7000/2"_s, u"h"_s, 7000, 2, u"bob"_s,
         u"s3cret"_s);
    good("password only (requirepass)", u"redis://:s3cret@h"_s, u"h"_s, 6379, 0, QString(),
         u"s3cret"_s);
    good("percent-encoded password", u"redis://bob:p%40ss%3Aw%2Frd%20x@h"_s, u"h"_s, 6379, 0,
         u"bob"_s, u"p@ss:w/rd x"_s);
    good("percent-encoded user", u"redis://b%40b%3A1:x@h"_s, u"h"_s, 6379, 0, u"b@b:1"_s, u"x"_s);
    good("colon inside the password", u"redis://bob:a:b@h"_s, u"h"_s, 6379, 0, u"bob"_s, u"a:b"_s);
    good("password with ipv6", u"redis://:pw@[::1]:7/1"_s, u"::1"_s, 7, 1, QString(), u"pw"_s);
    good("user without password (file gives it)", u"redis://bob@h"_s, u"h"_s, 6379, 0, u"bob"_s);
    bad("other scheme", u"http://h:6379"_s);
    bad("no scheme", u"h:6379"_s);
    bad("no host", u"redis://:6379"_s);
    bad("empty port", u"redis://h:"_s);
    bad("port 0", u"redis://h:0"_s);
    bad("port too big", u"redis://h:70000"_s);
    bad("port not a number", u"redis://h:abc"_s);
    bad("db not a number", u"redis://h:1/x"_s);
    bad("db too big", u"redis://h:1/16"_s);
    bad("db path too deep", u"redis://h:1/1/2"_s);
    bad("query", u"redis://h:1?x=1"_s);
    bad("bare ipv6", u"redis://::1:6379"_s);
    bad("unterminated ipv6", u"redis://[::1:6379"_s);
    bad("bad db with a password", u"redis://:s3cret@h/99"_s, u"s3cret"_s);
    bad("bad port with a password", u"redis://bob:s3cret@h:99999"_s, u"s3cret"_s);
    bad("unencoded @ in the password", u"redis://bob:p@ss@h"_s, u"p@ss"_s);
    bad("no host after the password", u"redis://bob:s3cret@"_s, u"s3cret"_s);
    bad("query with a password", u"redis://:s3cret@h?x=1"_s, u"s3cret"_s);
    bad("bad character in the password", u"redis://:s3c ret@h"_s, u"s3c ret"_s);
}

void TestRedisUrl::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, password);
    const Artemis::Result<RedisUrl> url = RedisUrl::parse(text);
    QCOMPARE(bool(url), valid);
    if (!valid) {
        // The error names the URL, minus any user information.
        QVERIFY2(url.error().message.contains(RedisUrl::redacted(text)),
                 qPrintable(url.error().message));
        if (!password.isEmpty()) {
            QVERIFY2(!url.error().message.contains(password), qPrintable(url.error().message));
        }
        return;
    }
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(int, db);
    QFETCH(QString, user);
    QCOMPARE(url->host, host);
    QCOMPARE(int(url->port), port);
    QCOMPARE(url->db, db);
    QCOMPARE(url->user, user);
    QCOMPARE(url->password, password);
    QCOMPARE(url->needsAuth(), !password.isEmpty());
    // What logs and the API show never carries the user information.
    QVERIFY(!url->toString().contains(u'@'));
    QVERIFY(!url->hostPort().contains(u'@'));
}

void TestRedisUrl::passwordFile_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("content"); // null: no such file
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::newRow("password from file")
        << u"redis://h"_s << QByteArray("s3cret\n") << true << QString() << u"s3cret"_s;
    QTest::newRow("CRLF stripped")
        << u"redis://h"_s << QByteArray("s3cret\r\n") << true << QString() << u"s3cret"_s;
    QTest::newRow("no newline") << u"redis://h"_s << QByteArray("s3cret") << true << QString()
                                << u"s3cret"_s;
    QTest::newRow("inner and leading blanks kept")
        << u"redis://h"_s << QByteArray(" a b\n") << true << QString() << u" a b"_s;
    QTest::newRow("url-like characters verbatim")
        << u"redis://h"_s << QByteArray("p@ss%40:/\n") << true << QString() << u"p@ss%40:/"_s;
    QTest::newRow("user in URL, password in file")
        << u"redis://bob@h"_s << QByteArray("pw\n") << true << u"bob"_s << u"pw"_s;
    QTest::newRow("password both ways")
        << u"redis://:s3cret@h"_s << QByteArray("other\n") << false << QString() << u"s3cret"_s;
    QTest::newRow("user and password both ways")
        << u"redis://bob:s3cret@h"_s << QByteArray("other\n") << false << QString() << u"s3cret"_s;
    QTest::newRow("empty file") << u"redis://h"_s << QByteArray("") << false << QString()
                                << QString();
    QTest::newRow("only a newline")
        << u"redis://h"_s << QByteArray("\n") << false << QString() << QString();
    QTest::newRow("missing file") << u"redis://h"_s << QByteArray() << false << QString()
                                  << QString();
    QTest::newRow("user without any password (no file)")
        << u"redis://bob@h"_s << QByteArray("-") << false << QString() << QString();
}

void TestRedisUrl::passwordFile()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, content);
    QFETCH(bool, valid);
    QTemporaryDir dir;
    QString path = dir.filePath(u"password"_s);
    if (content == "-") {
        path.clear(); // no --broker-password-file
    } else if (!content.isNull()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    const Artemis::Result<RedisUrl> url = RedisUrl::parse(text, path);
    QCOMPARE(bool(url), valid);
    QFETCH(QString, password);
    if (!valid) {
        if (!password.isEmpty()) {
            QVERIFY2(!url.error().message.contains(password), qPrintable(url.error().message));
        }
        if (!content.isEmpty() && content != "\n" && content != "-") {
            QVERIFY(!url.error().message.contains(QString::fromUtf8(content.trimmed())));
        }
        return;
    }
    QFETCH(QString, user);
    QCOMPARE(url->user, user);
    QCOMPARE(url->password, password);
}

void TestRedisUrl::canonical()
{
    QCOMPARE(RedisUrl::parse(u"redis://h"_s)->toString(), u"redis://h:6379/0"_s);
    QCOMPARE(RedisUrl::parse(u"redis://[::1]:7/2"_s)->toString(), u"redis://[::1]:7/2"_s);
    QCOMPARE(RedisUrl::parse(u"redis://[::1]:7/2"_s)->hostPort(), u"[::1]:7"_s);
    QCOMPARE(RedisUrl::parse(u"redis://bob:s3cret@h:7/2"_s)->toString(), u"redis://h:7/2"_s);
}

void TestRedisUrl::redacted_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("shown");
    QTest::newRow("no user information") << u"redis://h:1/2"_s << u"redis://h:1/2"_s;
    QTest::newRow("user and password") << u"redis://bob:pw@h:1/2"_s << u"redis://***@h:1/2"_s;
    QTest::newRow("password only") << u"redis://:pw@h"_s << u"redis://***@h"_s;
    QTest::newRow("unencoded @") << u"redis://bob:p@w@h"_s << u"redis://***@h"_s;
    QTest::newRow("@ after the path is not user information")
        << u"redis://h/1@2"_s << u"redis://h/1@2"_s;
    QTest::newRow("other scheme with @")
        << u"rediss://:pw@h"_s << u"(a URL with user information)"_s;
}

void TestRedisUrl::redacted()
{
    QFETCH(QString, text);
    QFETCH(QString, shown);
    QCOMPARE(RedisUrl::redacted(text), shown);
}

QTEST_GUILESS_MAIN(TestRedisUrl)
#include "tst_redisurl.moc"
