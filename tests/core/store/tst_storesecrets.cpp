// Schedules keep header values and passwords: their files are the owner's only, and a data dir
// found wider (an older version, a restored backup) is corrected when the store opens.
#include <QtTest>

#include <sys/stat.h>

#include "core/base/huntid.h"
#include "core/rules/schedule.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

class TestStoreSecrets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scheduleFilesAreOwnerOnly();
    void widerModesAreCorrectedAtOpen();
};

namespace {

int modeOf(const QString &path)
{
    struct stat st
    {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
}

Schedule secretSchedule()
{
    Schedule s;
    s.id = newHuntId();
    s.spec.nodes = {u"127.0.0.1:9100"_s};
    s.spec.url = u"metric"_s;
    s.spec.everyMs = 60000;
    s.spec.options.headers.append({QByteArray("X-Api-Key"), QByteArray("s3cret")});
    s.createdAt = QDateTime::currentDateTimeUtc();
    return s;
}

} // namespace

void TestStoreSecrets::scheduleFilesAreOwnerOnly()
{
    QTemporaryDir dir;
    ResultStore store(dir.path());
    QVERIFY(store.open());
    const Schedule s = secretSchedule();
    QVERIFY(store.createSchedule(s));
    QCOMPARE(modeOf(dir.filePath(u"schedules"_s)), 0700);
    QCOMPARE(modeOf(dir.filePath(u"schedules/%1/schedule.json"_s.arg(s.id))), 0600);
    QVERIFY(store.saveSchedule(s)); // a rewrite keeps the mode
    QCOMPARE(modeOf(dir.filePath(u"schedules/%1/schedule.json"_s.arg(s.id))), 0600);
}

void TestStoreSecrets::widerModesAreCorrectedAtOpen()
{
    QTemporaryDir dir;
    const Schedule s = secretSchedule();
    {
        ResultStore store(dir.path());
        QVERIFY(store.open());
        QVERIFY(store.createSchedule(s));
    }
    const QString schedules = dir.filePath(u"schedules"_s);
    const QString file = dir.filePath(u"schedules/%1/schedule.json"_s.arg(s.id));
    QCOMPARE(::chmod(QFile::encodeName(schedules).constData(), 0755), 0);
    QCOMPARE(::chmod(QFile::encodeName(file).constData(), 0644), 0);
    ResultStore store(dir.path());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"schedules was readable by others"_s));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"schedule.json was readable by others"_s));
    QVERIFY(store.open());
    QCOMPARE(modeOf(schedules), 0700);
    QCOMPARE(modeOf(file), 0600);
    const Result<QList<Schedule>> loaded = store.loadSchedules(); // still readable by us
    QVERIFY(loaded && loaded->size() == 1);
}

QTEST_GUILESS_MAIN(TestStoreSecrets)
#include "tst_storesecrets.moc"
