#include <QTest>

#include "core/redis/redisurl.h"

using namespace Qt::StringLiterals;
using Artemis::RedisUrl;

class TestRedisUrl : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void canonical();
};

void TestRedisUrl::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<int>("db");
    QTest::newRow("host:port") << u"redis://127.0.0.1:6380"_s << true << u"127.0.0.1"_s << 6380
                               << 0;
    QTest::newRow("host only: default port")
        << u"redis://broker"_s << true << u"broker"_s << 6379 << 0;
    QTest::newRow("db") << u"redis://h:7000/3"_s << true << u"h"_s << 7000 << 3;
    QTest::newRow("trailing slash") << u"redis://h:7000/"_s << true << u"h"_s << 7000 << 0;
    QTest::newRow("scheme case") << u"REDIS://h"_s << true << u"h"_s << 6379 << 0;
    QTest::newRow("ipv6") << u"redis://[::1]:6390/1"_s << true << u"::1"_s << 6390 << 1;
    QTest::newRow("ipv6 no port") << u"redis://[::1]"_s << true << u"::1"_s << 6379 << 0;
    QTest::newRow("other scheme") << u"http://h:6379"_s << false << QString() << 0 << 0;
    QTest::newRow("no scheme") << u"h:6379"_s << false << QString() << 0 << 0;
    QTest::newRow("no host") << u"redis://:6379"_s << false << QString() << 0 << 0;
    QTest::newRow("empty port") << u"redis://h:"_s << false << QString() << 0 << 0;
    QTest::newRow("port 0") << u"redis://h:0"_s << false << QString() << 0 << 0;
    QTest::newRow("port too big") << u"redis://h:70000"_s << false << QString() << 0 << 0;
    QTest::newRow("port not a number") << u"redis://h:abc"_s << false << QString() << 0 << 0;
    QTest::newRow("db not a number") << u"redis://h:1/x"_s << false << QString() << 0 << 0;
    QTest::newRow("db too big") << u"redis://h:1/16"_s << false << QString() << 0 << 0;
    QTest::newRow("password") << u"redis://:pw@h:1"_s << false << QString() << 0 << 0;
    QTest::newRow("query") << u"redis://h:1?x=1"_s << false << QString() << 0 << 0;
    QTest::newRow("bare ipv6") << u"redis://::1:6379"_s << false << QString() << 0 << 0;
    QTest::newRow("unterminated ipv6") << u"redis://[::1:6379"_s << false << QString() << 0 << 0;
}

void TestRedisUrl::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    const Artemis::Result<RedisUrl> url = RedisUrl::parse(text);
    QCOMPARE(bool(url), valid);
    if (!valid) {
        QVERIFY(url.error().message.contains(text));
        return;
    }
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(int, db);
    QCOMPARE(url->host, host);
    QCOMPARE(int(url->port), port);
    QCOMPARE(url->db, db);
}

void TestRedisUrl::canonical()
{
    QCOMPARE(RedisUrl::parse(u"redis://h"_s)->toString(), u"redis://h:6379/0"_s);
    QCOMPARE(RedisUrl::parse(u"redis://[::1]:7/2"_s)->toString(), u"redis://[::1]:7/2"_s);
    QCOMPARE(RedisUrl::parse(u"redis://[::1]:7/2"_s)->hostPort(), u"[::1]:7"_s);
}

QTEST_GUILESS_MAIN(TestRedisUrl)
#include "tst_redisurl.moc"
