// "Remember token" with no desktop keyring (no D-Bus session bus, as on CI and on a server):
// the token is not remembered, the window says so and unchecks the box, and no clear-text copy
// reaches the settings file, including one that an older version had left there.
#include <QtTest>

#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QStatusBar>

#include "gui/mainwindow.h"
#include "gui/tokenstore.h"
#include "tests/common/stackfixture.h"
#include "tests/gui/tokenfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Gui;
using Artemis::Test::TokenFixture;

namespace {
const QString Token = u"tok-7f3a-no-keyring"_s;
const QString OldToken = u"old-clear-text-4d1c"_s;
const QString NoKeyring = u"Token not remembered: no desktop keyring ("_s;
} // namespace

class TestTokenNoKeyring : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void rememberIsRefused();
    void oldClearTextTokenIsDeleted();
    void rememberedServerWithoutKeyringSaysSo();
    void storeSaysUnavailable();

private:
    std::unique_ptr<TokenFixture> m_fixture;
};

void TestTokenNoKeyring::init()
{
    m_fixture = std::make_unique<TokenFixture>();
    QVERIFY2_OK(m_fixture->open());
}

void TestTokenNoKeyring::cleanup()
{
    m_fixture->close();
    m_fixture.reset();
}

void TestTokenNoKeyring::rememberIsRefused()
{
    MainWindow *window = m_fixture->start();
    QSignalSpy answered(window, &MainWindow::tokenKeyringAnswered);
    window->setServer(TokenFixture::closedPortUrl());
    window->tokenEdit()->setText(Token);
    window->rememberTokenBox()->setChecked(true);
    QVERIFY(answered.isEmpty()); // local mode: nothing to remember yet
    window->layout()->activate();
    const int windowWidth = window->width();
    const int serverWidth = window->serverEdit()->width();
    QVERIFY(serverWidth > 150);
    window->setMode(MainWindow::Mode::Remote);

    QVERIFY(answered.wait(20000));
    QCOMPARE(answered.first().first().toBool(), false);
    QVERIFY(!window->rememberTokenBox()->isChecked());
    QVERIFY(window->tokenNoteLabel()->isVisible());
    QVERIFY2(window->tokenNoteLabel()->text().startsWith(NoKeyring),
             qPrintable(window->tokenNoteLabel()->text()));
    // The message has a line of its own: it neither squeezes the server field nor widens the
    // window (the trial saw the field at 100 px, and a window wider than the screen).
    QCoreApplication::processEvents();
    window->layout()->activate();
    QCOMPARE(window->width(), windowWidth);
    QVERIFY2(window->serverEdit()->width() >= serverWidth,
             qPrintable(u"%1 < %2"_s.arg(window->serverEdit()->width()).arg(serverWidth)));
    QVERIFY(window->tokenNoteLabel()->width() <= window->width());
    QVERIFY(window->tokenNoteLabel()->y() > window->serverEdit()->y());
    QVERIFY2(window->statusBar()->currentMessage().startsWith(NoKeyring),
             qPrintable(window->statusBar()->currentMessage()));
    QCOMPARE(window->tokenEdit()->text(), Token); // still usable in this session

    m_fixture->stop();
    const QByteArray file = m_fixture->settingsFileText();
    QVERIFY2(file.contains("rememberToken=false"), file.constData());
    QVERIFY2(!file.contains(Token.toUtf8()), file.constData());

    // The next start does not try the keyring at all.
    window = m_fixture->start();
    QSignalSpy again(window, &MainWindow::tokenKeyringAnswered);
    QVERIFY(!window->rememberTokenBox()->isChecked());
    QVERIFY(window->tokenEdit()->text().isEmpty());
    QCoreApplication::processEvents();
    QVERIFY(again.isEmpty());
}

void TestTokenNoKeyring::oldClearTextTokenIsDeleted()
{
    const QString url = TokenFixture::closedPortUrl();
    m_fixture->writeSettings({{u"mode"_s, u"remote"_s},
                              {u"remote/url"_s, url},
                              {u"remote/rememberToken"_s, true},
                              {u"remote/token"_s, OldToken}});
    QVERIFY(m_fixture->settingsFileText().contains(OldToken.toUtf8()));

    MainWindow *window = m_fixture->start();
    QSignalSpy answered(window, &MainWindow::tokenKeyringAnswered);
    // Gone from the file at once, before the keyring has answered.
    QVERIFY2(!m_fixture->settingsFileText().contains(OldToken.toUtf8()),
             m_fixture->settingsFileText().constData());
    QCOMPARE(window->tokenEdit()->text(), OldToken); // this session still connects with it

    QVERIFY(answered.wait(20000));
    QCOMPARE(answered.first().first().toBool(), false);
    QVERIFY(!window->rememberTokenBox()->isChecked());
    const QString note = window->tokenNoteLabel()->text();
    QVERIFY2(note.startsWith(NoKeyring), qPrintable(note));
    QVERIFY2(note.endsWith(u"its clear-text copy was deleted from the settings file"_s),
             qPrintable(note));
    QCOMPARE(answered.count(), 1); // the connect did not try a second write

    m_fixture->stop();
    const QByteArray file = m_fixture->settingsFileText();
    QVERIFY2(!file.contains(OldToken.toUtf8()), file.constData());
    QVERIFY2(!file.contains("remote/token") && !file.contains("\ntoken="), file.constData());
}

void TestTokenNoKeyring::rememberedServerWithoutKeyringSaysSo()
{
    const QString url = TokenFixture::closedPortUrl();
    m_fixture->writeSettings(
        {{u"mode"_s, u"remote"_s}, {u"remote/url"_s, url}, {u"remote/rememberToken"_s, true}});
    MainWindow *window = m_fixture->start();
    QSignalSpy answered(window, &MainWindow::tokenKeyringAnswered);
    QSignalSpy checked(window, &MainWindow::connectionChecked);
    QVERIFY(answered.wait(20000));
    QCOMPARE(answered.first().first().toBool(), false);
    QVERIFY(!window->rememberTokenBox()->isChecked());
    QVERIFY2(window->tokenNoteLabel()->text().startsWith(
                 u"Remembered token not read: no desktop keyring ("_s),
             qPrintable(window->tokenNoteLabel()->text()));
    // It connects all the same (without a token), once the keyring has answered.
    QCOMPARE(window->mode(), MainWindow::Mode::Remote);
    QVERIFY(checked.count() == 1 || checked.wait(10000));
}

void TestTokenNoKeyring::storeSaysUnavailable()
{
    const Result<QString> read = TokenFixture::readBack(u"Artemis"_s, u"http://127.0.0.1:1"_s);
    QVERIFY(!read);
    QCOMPARE(read.error().code, ErrorCode::Unavailable);
    QVERIFY(!read.error().message.isEmpty());
}

int main(int argc, char *argv[])
{
    // No secret service, whatever the machine running the test has: a session bus address that
    // leads nowhere (QtDBus and GDBus/libsecret both take it, and neither autolaunches a bus),
    // and no desktop that would pick KWallet.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/artemis-tst-tokennokeyring/bus");
    for (const char *name : {"XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "KDE_FULL_SESSION",
                             "KDE_SESSION_VERSION", "GNOME_DESKTOP_SESSION_ID", "DISPLAY"}) {
        qunsetenv(name);
    }
    QApplication app(argc, argv);
    qRegisterMetaType<Artemis::HuntInfo>();
    qRegisterMetaType<Artemis::HuntProgress>();
    TestTokenNoKeyring test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_tokennokeyring.moc"
