// The dialog the GUI shows when its local data dir is held by another process: it names the
// holder and offers its service (remote mode) or another directory.
#include <QtTest>

#include <QPushButton>

#include "core/base/datadirlock.h"
#include "gui/datadirlockeddialog.h"

using namespace Qt::StringLiterals;
using Artemis::ErrorCode;
using Artemis::Gui::DataDirLockedDialog;

class TestDataDirLockedDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesTheHolderAndOffersItsService();
    void withoutAServiceOffersAnotherDirectory();
    void aRealLockGivesTheSameDialog();
};

namespace {

Artemis::Error lockedBy(qint64 pid, const QString &command, const QString &url)
{
    const Artemis::DataDirHolder holder{pid, u"host1"_s, command, url};
    return Artemis::makeError(ErrorCode::Locked,
                              u"data dir '/d' is %1"_s.arg(Artemis::describeHolder(holder)),
                              QJsonObject{{u"pid"_s, pid},
                                          {u"host"_s, u"host1"_s},
                                          {u"command"_s, command},
                                          {u"serviceUrl"_s, url}});
}

} // namespace

void TestDataDirLockedDialog::namesTheHolderAndOffersItsService()
{
    DataDirLockedDialog dialog(u"/d"_s, lockedBy(4242, u"artemis-headless serve --data-dir /d"_s,
                                                 u"http://127.0.0.1:5000"_s));
    const QString text = dialog.text() + dialog.informativeText();
    QVERIFY2(text.contains(u"4242"_s), qPrintable(text));
    QVERIFY2(text.contains(u"artemis-headless serve --data-dir /d"_s), qPrintable(text));
    QVERIFY2(text.contains(u"http://127.0.0.1:5000"_s), qPrintable(text));
    QVERIFY(dialog.connectButton());
    QVERIFY(dialog.otherDirectoryButton());
    QVERIFY(dialog.quitButton());
    QCOMPARE(dialog.serviceUrl(), u"http://127.0.0.1:5000"_s);

    dialog.open();
    dialog.connectButton()->click();
    QCOMPARE(dialog.choice(), DataDirLockedDialog::Choice::ConnectToService);
}

void TestDataDirLockedDialog::withoutAServiceOffersAnotherDirectory()
{
    DataDirLockedDialog dialog(u"/d"_s, lockedBy(77, u"artemis-headless hunt"_s, {}));
    QVERIFY(!dialog.connectButton()); // nothing to connect to
    QVERIFY(QString(dialog.text() + dialog.informativeText()).contains(u"77"_s));
    dialog.open();
    dialog.otherDirectoryButton()->click();
    QCOMPARE(dialog.choice(), DataDirLockedDialog::Choice::OtherDirectory);

    DataDirLockedDialog quit(u"/d"_s, lockedBy(77, u"artemis-headless hunt"_s, {}));
    quit.open();
    quit.quitButton()->click();
    QCOMPARE(quit.choice(), DataDirLockedDialog::Choice::Quit);
}

void TestDataDirLockedDialog::aRealLockGivesTheSameDialog()
{
    // The error LocalStack::open gives when this very process already holds the directory.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto held = Artemis::DataDirLock::acquire(dir.path(), u"artemis-headless serve"_s);
    QVERIFY(held);
    (*held)->setServiceUrl(u"http://127.0.0.1:5999"_s);
    const auto second = Artemis::DataDirLock::acquire(dir.path(), u"artemis"_s);
    QVERIFY(!second);
    QCOMPARE(second.error().code, ErrorCode::Locked);
    DataDirLockedDialog dialog(dir.path(), second.error());
    QVERIFY(dialog.connectButton());
    QCOMPARE(dialog.serviceUrl(), u"http://127.0.0.1:5999"_s);
    QVERIFY(dialog.informativeText().contains(QString::number(QCoreApplication::applicationPid())));
}

QTEST_MAIN(TestDataDirLockedDialog)
#include "tst_datadirlockeddialog.moc"
