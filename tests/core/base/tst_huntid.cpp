#include <QtTest>

#include <QtConcurrent/QtConcurrentRun>

#include "core/base/huntid.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

class TestHuntId : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void idsAreValidUniqueAndSorted();
    void idsFromManyThreadsAreUnique();
    void validation_data();
    void validation();
};

void TestHuntId::idsAreValidUniqueAndSorted()
{
    QStringList ids;
    for (int i = 0; i < 20000; ++i) { // many share a millisecond
        ids.append(newHuntId());
    }
    for (qsizetype i = 0; i < ids.size(); ++i) {
        QVERIFY2(isValidHuntId(ids.at(i)), qPrintable(ids.at(i)));
        if (i > 0) {
            QVERIFY2(ids.at(i - 1) < ids.at(i), qPrintable(ids.at(i - 1) + u" !< "_s + ids.at(i)));
        }
    }
    // The first 10 characters encode the creation time in milliseconds.
    const QString first = ids.first();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 ms = 0;
    const QString alphabet = u"0123456789ABCDEFGHJKMNPQRSTVWXYZ"_s;
    for (int i = 0; i < 10; ++i) {
        ms = ms * 32 + alphabet.indexOf(first.at(i));
    }
    QVERIFY(qAbs(now - ms) < 60000);
}

void TestHuntId::idsFromManyThreadsAreUnique()
{
    QList<QFuture<QStringList>> futures;
    for (int t = 0; t < 4; ++t) {
        futures.append(QtConcurrent::run([] {
            QStringList ids;
            for (int i = 0; i < 5000; ++i) {
                ids.append(newHuntId());
            }
            return ids;
        }));
    }
    QSet<QString> all;
    for (auto &future : futures) {
        for (const QString &id : future.result()) {
            all.insert(id);
        }
    }
    QCOMPARE(all.size(), 20000);
}

void TestHuntId::validation_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");
    QTest::newRow("fresh") << newHuntId() << true;
    QTest::newRow("path traversal") << u"../../../../etc/passwd....."_s << false;
    QTest::newRow("lower case") << newHuntId().toLower() << false;
    QTest::newRow("too short") << newHuntId().left(25) << false;
    QTest::newRow("too long") << newHuntId() + u"0"_s << false;
    QTest::newRow("excluded letter I") << u"01M8FGW9646B7G6R4H1Z0Q9W8I"_s << false;
    QTest::newRow("slash") << u"01M8FGW9646B7G6R4H1Z0Q9W/C"_s << false;
    QTest::newRow("NUL") << u"01M8FGW9646B7G6R4H1Z0Q9W8"_s + QChar(0) << false;
    QTest::newRow("empty") << QString() << false;
}

void TestHuntId::validation()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);
    QCOMPARE(isValidHuntId(id), valid);
}

QTEST_GUILESS_MAIN(TestHuntId)
#include "tst_huntid.moc"
