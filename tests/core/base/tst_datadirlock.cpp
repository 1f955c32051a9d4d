// DataDirLock: one process per data dir. In-process second acquires, the holder record, and a
// real `artemis-headless serve` that holds the lock and is then SIGKILLed (its stale lock is
// taken over).
#include <QtTest>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "core/base/datadirlock.h"
#include "tests/common/serveprocess.h"
#include "tests/common/wait.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

class TestDataDirLock : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void secondAcquireFailsNamingThisProcess();
    void holderReadsPidCommandAndServiceUrl();
    void releasedOnDestruction();
    void staleLockOfKilledProcessIsTakenOver();
};

void TestDataDirLock::secondAcquireFailsNamingThisProcess()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(u"data"_s); // created by acquire()
    Result<std::unique_ptr<DataDirLock>> first = DataDirLock::acquire(data, u"artemis-test"_s);
    QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
    QVERIFY(QFileInfo(data).isDir());

    const Result<std::unique_ptr<DataDirLock>> second =
        DataDirLock::acquire(data, u"artemis-test second"_s);
    QVERIFY(!second);
    QCOMPARE(second.error().code, ErrorCode::Locked);
    const QString pid = QString::number(QCoreApplication::applicationPid());
    QVERIFY2(second.error().message.contains(u"in use by pid "_s + pid),
             qPrintable(second.error().message));
    QVERIFY2(second.error().message.contains(data), qPrintable(second.error().message));
    const QJsonObject details = second.error().details.toObject();
    QCOMPARE(details.value(u"pid"_s).toInteger(), QCoreApplication::applicationPid());
    QVERIFY(details.value(u"command"_s).toString().contains(u"tst_datadirlock"_s));
    // What the CLI faces print: the holder, and what to do instead (in the face's words).
    const DataDirAdvice cli{u"Give another --data-dir"_s, u"POST %1/api/v1/hunts"_s};
    const QString problem = dataDirProblem(data, second.error(), cli);
    QVERIFY2(problem.contains(u"--data-dir"_s) && problem.contains(u"stop that process"_s),
             qPrintable(problem));
}

void TestDataDirLock::holderReadsPidCommandAndServiceUrl()
{
    QTemporaryDir dir;
    QVERIFY(!DataDirLock::holder(dir.path())); // nobody
    Result<std::unique_ptr<DataDirLock>> lock =
        DataDirLock::acquire(dir.path(), u"artemis-test holder"_s);
    QVERIFY(lock);
    (*lock)->setServiceUrl(u"http://127.0.0.1:4242"_s);

    const std::optional<DataDirHolder> h = DataDirLock::holder(dir.path());
    QVERIFY(h);
    QCOMPARE(h->pid, QCoreApplication::applicationPid());
    // The command line from /proc wins over the recorded name: it tells serve from hunt.
    QVERIFY2(h->command.contains(u"tst_datadirlock"_s), qPrintable(h->command));
    QCOMPARE(h->serviceUrl, u"http://127.0.0.1:4242"_s);
    QVERIFY(!h->hostName.isEmpty());
    QFile owner(dir.filePath(u".artemis.owner"_s));
    QVERIFY(owner.open(QIODevice::ReadOnly));
    const QJsonObject record = QJsonDocument::fromJson(owner.readAll()).object();
    QCOMPARE(record.value(u"command"_s).toString(), u"artemis-test holder"_s);
    QCOMPARE(record.value(u"serviceUrl"_s).toString(), u"http://127.0.0.1:4242"_s);

    // A Locked error carries the URL, and the advice points at the service.
    const auto refused = DataDirLock::acquire(dir.path(), u"other"_s);
    QCOMPARE(refused.error().details.toObject().value(u"serviceUrl"_s).toString(),
             u"http://127.0.0.1:4242"_s);
    QVERIFY(dataDirProblem(dir.path(), refused.error()).contains(u"http://127.0.0.1:4242"_s));
    // Core's own words name no flag, route or face; the face's advice carries those.
    const QString neutral = dataDirProblem(dir.path(), refused.error());
    QVERIFY2(!neutral.contains(u"--data-dir"_s) && !neutral.contains(u"/api/"_s)
                 && !neutral.contains(u"GUI"_s),
             qPrintable(neutral));
    QVERIFY2(dataDirProblem(dir.path(), refused.error(), {{}, u"POST %1/api/v1/hunts"_s})
                 .contains(u"POST http://127.0.0.1:4242/api/v1/hunts"_s),
             qPrintable(neutral));
}

void TestDataDirLock::releasedOnDestruction()
{
    QTemporaryDir dir;
    {
        const auto lock = DataDirLock::acquire(dir.path(), u"artemis-test"_s);
        QVERIFY(lock);
    }
    QVERIFY(!DataDirLock::holder(dir.path()));
    QVERIFY(!QFile::exists(dir.filePath(u".artemis.owner"_s)));
    const auto again = DataDirLock::acquire(dir.path(), u"artemis-test"_s);
    QVERIFY(again);
}

void TestDataDirLock::staleLockOfKilledProcessIsTakenOver()
{
#ifndef ARTEMIS_HEADLESS_BIN
    QSKIP("artemis-headless is not built");
#else
    QTemporaryDir dir;
    Test::ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY2(serve.start({u"--data-dir"_s, dir.path()}) != 0, serve.stderrText().constData());
    const qint64 pid = serve.pid();

    // serve holds it: named by pid and command line, with its URL.
    const std::optional<DataDirHolder> h = DataDirLock::holder(dir.path());
    QVERIFY(h);
    QCOMPARE(h->pid, pid);
    QVERIFY2(h->command.contains(u"serve"_s), qPrintable(h->command));
    QVERIFY(Test::waitUntil([&] {
        return DataDirLock::holder(dir.path()).value_or(DataDirHolder{}).serviceUrl == serve.base();
    }));
    const auto refused = DataDirLock::acquire(dir.path(), u"artemis-test"_s);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Locked);
    QVERIFY2(refused.error().message.contains(u"pid %1"_s.arg(pid)),
             qPrintable(refused.error().message));

    serve.kill(); // SIGKILL: the lock file stays behind
    QVERIFY(QFile::exists(dir.filePath(u".artemis.lock"_s)));
    const Result<std::unique_ptr<DataDirLock>> taken =
        DataDirLock::acquire(dir.path(), u"artemis-test"_s);
    QVERIFY2(taken, qPrintable(taken ? QString() : taken.error().message));
    QCOMPARE(DataDirLock::holder(dir.path())->pid, QCoreApplication::applicationPid());
    QVERIFY(DataDirLock::holder(dir.path())->serviceUrl.isEmpty()); // the dead one's is not kept
#endif
}

QTEST_GUILESS_MAIN(TestDataDirLock)
#include "tst_datadirlock.moc"
