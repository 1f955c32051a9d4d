#include <QtTest>

#include "core/base/logging.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

class TestLogging : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void categories_data();
    void categories();
    void messagePattern();
    void redaction_data();
    void redaction();
};

void TestLogging::categories_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("fetch") << QByteArray(lcFetch().categoryName()) << "artemis.fetch"_ba;
    QTest::newRow("store") << QByteArray(lcStore().categoryName()) << "artemis.store"_ba;
    QTest::newRow("rest") << QByteArray(lcRest().categoryName()) << "artemis.rest"_ba;
    QTest::newRow("sched") << QByteArray(lcSched().categoryName()) << "artemis.sched"_ba;
    QTest::newRow("redis") << QByteArray(lcRedis().categoryName()) << "artemis.redis"_ba;
    QTest::newRow("gui") << QByteArray(lcGui().categoryName()) << "artemis.gui"_ba;
}

// The names are what users write in QT_LOGGING_RULES (docs/operations.md, "Logs").
void TestLogging::categories()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, expected);
    QCOMPARE(name, expected);
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES")) {
        // Debug is off unless a rule turns it on; info and warnings are shown.
        QVERIFY(!lcFetch().isDebugEnabled());
        QVERIFY(lcFetch().isInfoEnabled());
        QVERIFY(lcStore().isWarningEnabled());
    }
}

void TestLogging::messagePattern()
{
    if (qEnvironmentVariableIsSet("QT_MESSAGE_PATTERN")) {
        QSKIP("QT_MESSAGE_PATTERN is set: installMessagePattern() leaves it alone");
    }
    installMessagePattern();
    const QMessageLogContext context("file.cpp", 1, "function", "artemis.store");
    const QString line = qFormatLogMessage(QtWarningMsg, context, u"hunt X: skipping"_s);
    static const QRegularExpression expected(
        uR"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} W artemis\.store: hunt X: skipping$)"_s);
    QVERIFY2(expected.match(line).hasMatch(), qPrintable(line));

    const QMessageLogContext uncategorised("file.cpp", 1, "function", "default");
    const QString plain = qFormatLogMessage(QtInfoMsg, uncategorised, u"hello"_s);
    QVERIFY2(plain.endsWith(u" I hello"_s), qPrintable(plain));
    qSetMessagePattern(QString()); // back to Qt's default for the test log
}

void TestLogging::redaction_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    // What qt.httpserver prints at debug level (QtHttpServer 6.4, measured).
    QTest::newRow("QDebug of a request")
        << uR"(Request: QHttpServerRequest((Headers: ("Host": "h"), ("Authorization": "Bearer x-1"), ("Cookie": "s=2"))))"_s
        << uR"(Request: QHttpServerRequest((Headers: ("Host": "h"), ("Authorization": "<redacted>"), ("Cookie": "<redacted>"))))"_s;
    QTest::newRow("header line") << u"Proxy-Authorization: Basic abc=="_s
                                 << u"Proxy-Authorization: <redacted>"_s;
    QTest::newRow("lower case, equals")
        << u"authorization=Bearer t"_s << u"authorization=<redacted>"_s;
    QTest::newRow("configured header")
        << u"(\"X-Api-Key\", \"k-123\")"_s << u"(\"X-Api-Key\", \"<redacted>\")"_s;
    QTest::newRow("configured value") << u"hello s3cret-value-9 bye"_s << u"hello <redacted> bye"_s;
    QTest::newRow("words left alone")
        << u"Authorization header missing"_s << u"Authorization header missing"_s;
    QTest::newRow("not a suffix") << u"X-Authorization-Hint: keep"_s
                                  << u"X-Authorization-Hint: keep"_s;
}

void TestLogging::redaction()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    addRedactedHeaderNames({u"X-Api-Key"_s});
    addRedactedValue(u"s3cret-value-9"_s);
    QCOMPARE(redactSecrets(text), expected);
}

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
