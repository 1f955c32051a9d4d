#include <QtTest>

#include "core/logging.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

class TestLogging : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void categories_data();
    void categories();
    void messagePattern();
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

// The names are what users write in QT_LOGGING_RULES (README, docs/operations.md).
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

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
