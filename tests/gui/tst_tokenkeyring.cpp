// "Remember token" with a real desktop keyring: GNOME Keyring's Secret Service on a private D-Bus
// session bus that this test starts (its own dbus-daemon, keyring files in a temporary HOME), so
// it never touches the keyring of whoever runs it. The token survives a restart through the
// keyring only (never the settings file), unchecking deletes it, and a clear-text token left by
// an older version moves into the keyring.
#include <cstdio>

#include <QtTest>

#include <QApplication>
#include <QCheckBox>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "gui/mainwindow.h"
#include "gui/tokenstore.h"
#include "tests/common/childprocess.h"
#include "tests/common/stackfixture.h"
#include "tests/gui/tokenfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Gui;
using Artemis::Test::TokenFixture;

namespace {
const QString Service = u"Artemis"_s; // the window's own keyring service
const QString Token = u"tok-91be-in-the-keyring"_s;
const QString OldToken = u"old-clear-text-a6e0"_s;
const QString SecretsName = u"org.freedesktop.secrets"_s;

// A session bus with no service activation: only the keyring daemon started below can own
// org.freedesktop.secrets, so a slow start cannot make the bus launch another one.
QByteArray busConfig(const QString &socket)
{
    return u"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
           u"\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
           u"<busconfig><type>session</type><listen>unix:path=%1</listen>"
           u"<auth>EXTERNAL</auth><policy context=\"default\"><allow send_destination=\"*\" "
           u"eavesdrop=\"true\"/><allow eavesdrop=\"true\"/><allow own=\"*\"/></policy>"
           u"</busconfig>\n"_s.arg(socket)
               .toUtf8();
}
} // namespace

class TestTokenKeyring : public QObject
{
    Q_OBJECT
public:
    explicit TestTokenKeyring(QString home) : m_home(std::move(home)) {}

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void rememberedTokenComesBackFromTheKeyring();
    void oldClearTextTokenMovesIntoTheKeyring();
    void oneEntryPerServer();

private:
    QString m_home; // HOME, XDG dirs and the bus socket (set before the application started)
    QProcess m_bus;
    QProcess m_keyring;
    std::unique_ptr<TokenFixture> m_fixture;
};

void TestTokenKeyring::initTestCase()
{
    qRegisterMetaType<Artemis::HuntInfo>();
    qRegisterMetaType<Artemis::HuntProgress>();
    const QString dbusDaemon = QStandardPaths::findExecutable(u"dbus-daemon"_s);
    const QString keyringDaemon = QStandardPaths::findExecutable(u"gnome-keyring-daemon"_s);
    if (dbusDaemon.isEmpty() || keyringDaemon.isEmpty()) {
        QSKIP("needs dbus-daemon and gnome-keyring-daemon (scripts/deps.sh test installs them)");
    }
    const QString socket = m_home + u"/run/bus"_s;
    QFile config(m_home + u"/bus.conf"_s);
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(busConfig(socket));
    config.close();

    Artemis::Test::killWithParent(m_bus);
    m_bus.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_bus.start(dbusDaemon,
                {u"--nofork"_s, u"--nopidfile"_s, u"--config-file"_s, config.fileName()});
    QVERIFY2(m_bus.waitForStarted(10000), qPrintable(m_bus.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socket), 10000);

    // --unlock reads the password of the "login" keyring from stdin and creates it (in
    // $XDG_DATA_HOME/keyrings) unlocked, so no prompt is ever needed.
    Artemis::Test::killWithParent(m_keyring);
    m_keyring.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_keyring.start(keyringDaemon, {u"--foreground"_s, u"--unlock"_s, u"--components=secrets"_s,
                                    u"--control-directory=%1/run/keyring"_s.arg(m_home)});
    QVERIFY2(m_keyring.waitForStarted(10000), qPrintable(m_keyring.errorString()));
    m_keyring.write("artemis-test-password");
    m_keyring.closeWriteChannel();
    QDBusConnection bus = QDBusConnection::sessionBus();
    QVERIFY2(bus.isConnected(), qPrintable(bus.lastError().message()));
    QTRY_VERIFY_WITH_TIMEOUT(bus.interface()->isServiceRegistered(SecretsName).value(), 15000);
}

void TestTokenKeyring::cleanupTestCase()
{
    for (QProcess *process : {&m_keyring, &m_bus}) {
        if (process->state() != QProcess::NotRunning) {
            process->terminate();
            if (!process->waitForFinished(5000)) {
                process->kill();
                process->waitForFinished(5000);
            }
        }
    }
}

void TestTokenKeyring::init()
{
    m_fixture = std::make_unique<TokenFixture>();
    QVERIFY2_OK(m_fixture->open());
}

void TestTokenKeyring::cleanup()
{
    m_fixture->close();
    m_fixture.reset();
}

void TestTokenKeyring::rememberedTokenComesBackFromTheKeyring()
{
    const QString url = TokenFixture::closedPortUrl();
    MainWindow *window = m_fixture->start();
    QSignalSpy answered(window, &MainWindow::tokenKeyringAnswered);
    window->setServer(url);
    window->tokenEdit()->setText(Token);
    window->rememberTokenBox()->setChecked(true);
    window->setMode(MainWindow::Mode::Remote);
    QVERIFY(answered.wait(20000));
    QCOMPARE(answered.first().first().toBool(), true);
    QVERIFY(window->rememberTokenBox()->isChecked());
    QVERIFY2(window->tokenNoteLabel()->isHidden(), qPrintable(window->tokenNoteLabel()->text()));

    // Reconnecting with the same token does not write it again.
    window->setMode(MainWindow::Mode::Remote);
    QCoreApplication::processEvents();
    QCOMPARE(answered.count(), 1);

    m_fixture->stop();
    QByteArray file = m_fixture->settingsFileText();
    QVERIFY2(file.contains("rememberToken=true"), file.constData());
    QVERIFY2(!file.contains(Token.toUtf8()), file.constData());
    const Result<QString> stored = TokenFixture::readBack(Service, url);
    QVERIFY2_OK(stored);
    QCOMPARE(*stored, Token);

    // Restart: the token is filled in from the keyring, then the window connects with it.
    window = m_fixture->start();
    QSignalSpy restored(window, &MainWindow::tokenKeyringAnswered);
    QVERIFY(window->tokenEdit()->text().isEmpty()); // not from the file
    QVERIFY(restored.wait(20000));
    QCOMPARE(restored.first().first().toBool(), true);
    QCOMPARE(window->tokenEdit()->text(), Token);
    QVERIFY(window->rememberTokenBox()->isChecked());
    QCOMPARE(window->mode(), MainWindow::Mode::Remote);

    // Unchecking deletes it from the keyring.
    restored.clear();
    window->rememberTokenBox()->setChecked(false);
    QVERIFY(restored.wait(20000));
    QCOMPARE(restored.first().first().toBool(), true);
    const Result<QString> gone = TokenFixture::readBack(Service, url);
    QVERIFY(!gone);
    QCOMPARE(gone.error().code, ErrorCode::NotFound);
    m_fixture->stop();
    file = m_fixture->settingsFileText();
    QVERIFY2(file.contains("rememberToken=false"), file.constData());
    QVERIFY2(!file.contains(Token.toUtf8()), file.constData());

    // …and the next start has nothing to fill in.
    window = m_fixture->start();
    QVERIFY(!window->rememberTokenBox()->isChecked());
    QVERIFY(window->tokenEdit()->text().isEmpty());
}

void TestTokenKeyring::oldClearTextTokenMovesIntoTheKeyring()
{
    const QString url = TokenFixture::closedPortUrl();
    m_fixture->writeSettings({{u"mode"_s, u"remote"_s},
                              {u"remote/url"_s, url},
                              {u"remote/rememberToken"_s, true},
                              {u"remote/token"_s, OldToken}});
    MainWindow *window = m_fixture->start();
    QSignalSpy answered(window, &MainWindow::tokenKeyringAnswered);
    QVERIFY2(!m_fixture->settingsFileText().contains(OldToken.toUtf8()),
             m_fixture->settingsFileText().constData());
    QVERIFY(answered.wait(20000));
    QCOMPARE(answered.first().first().toBool(), true);
    QVERIFY(window->rememberTokenBox()->isChecked());
    QVERIFY(window->tokenNoteLabel()->isHidden());
    const Result<QString> stored = TokenFixture::readBack(Service, url);
    QVERIFY2_OK(stored);
    QCOMPARE(*stored, OldToken);

    m_fixture->stop();
    QVERIFY(!m_fixture->settingsFileText().contains(OldToken.toUtf8()));
    window = m_fixture->start();
    QSignalSpy restored(window, &MainWindow::tokenKeyringAnswered);
    QVERIFY(restored.wait(20000));
    QCOMPARE(window->tokenEdit()->text(), OldToken);
}

void TestTokenKeyring::oneEntryPerServer()
{
    TokenStore store(u"artemis-test-servers"_s);
    QObject context;
    int written = 0;
    QStringList failures;
    const auto count = [&written, &failures](Result<bool> ok) {
        if (!ok) {
            failures.append(ok.error().message);
        }
        ++written;
    };
    store.write(u"http://a.example:8080/"_s, u"token-a"_s, &context, count);
    store.write(u"https://b.example:8443"_s, u"token-b"_s, &context, count);
    QTRY_COMPARE_WITH_TIMEOUT(written, 2, 20000);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u"; "_s)));
    QCOMPARE(TokenStore::keyFor(u"http://a.example:8080/"_s), u"http://a.example:8080"_s);
    const Result<QString> a =
        TokenFixture::readBack(u"artemis-test-servers"_s, u"http://a.example:8080"_s);
    const Result<QString> b =
        TokenFixture::readBack(u"artemis-test-servers"_s, u"https://b.example:8443/"_s);
    QVERIFY(a && b);
    QCOMPARE(*a, u"token-a"_s);
    QCOMPARE(*b, u"token-b"_s);
    QCOMPARE(TokenFixture::readBack(u"artemis-test-servers"_s, u"http://c.example"_s).error().code,
             ErrorCode::NotFound);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

int main(int argc, char *argv[])
{
    // Everything the keyring touches lives in one temporary directory, and the session bus is
    // the test's own: set before anything (Qt, QtDBus, GDBus) reads the environment.
    QTemporaryDir home(QDir::tempPath() + u"/artemis-keyring-XXXXXX"_s);
    if (!home.isValid() || !QDir(home.path()).mkpath(u"run"_s)
        || !QFile::setPermissions(home.path() + u"/run"_s, QFileDevice::ReadOwner
                                                               | QFileDevice::WriteOwner
                                                               | QFileDevice::ExeOwner)) {
        std::fprintf(stderr, "tst_tokenkeyring: no temporary directory\n");
        return 1;
    }
    const QByteArray path = QFile::encodeName(home.path());
    qputenv("HOME", path);
    qputenv("XDG_DATA_HOME", path + "/data");
    qputenv("XDG_CONFIG_HOME", path + "/config");
    qputenv("XDG_CACHE_HOME", path + "/cache");
    qputenv("XDG_RUNTIME_DIR", path + "/run");
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + path + "/run/bus");
    for (const char *name :
         {"XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "KDE_FULL_SESSION", "KDE_SESSION_VERSION",
          "GNOME_DESKTOP_SESSION_ID", "DISPLAY", "GNOME_KEYRING_CONTROL"}) {
        qunsetenv(name);
    }
    QApplication app(argc, argv);
    TestTokenKeyring test(home.path());
    return QTest::qExec(&test, argc, argv);
}

#include "tst_tokenkeyring.moc"
