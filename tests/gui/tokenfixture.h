#pragma once

#include <memory>
#include <optional>

#include <QFile>
#include <QObject>
#include <QSettings>
#include <QTcpServer>

#include "gui/localbackend.h"
#include "gui/mainwindow.h"
#include "gui/remotebackend.h"
#include "gui/tokenstore.h"
#include "tests/common/loopback.h"
#include "tests/common/stackfixture.h"
#include "tests/common/wait.h"

namespace Artemis::Test {

// The window of the "Remember token" tests: a MainWindow on a throwaway data dir and settings
// file, that can be restarted (window and QSettings rebuilt on the same file, as a new process
// would), with the real TokenStore of the window (QtKeychain on whatever keyring the test's own
// D-Bus session bus offers). Lives on the test's thread.
class TokenFixture
{
public:
    Result<void> open()
    {
        StackOptions options;
        options.threads = 1;
        options.subdir = QStringLiteral("data");
        options.scheduler.reset();
        if (Result<void> opened = m_stack.open(options); !opened) {
            return opened;
        }
        m_local = std::make_unique<Gui::LocalBackend>(m_stack.stack());
        m_remote = std::make_unique<Gui::RemoteBackend>();
        return {};
    }

    // A new settings object on the file and a new window that restores from it.
    Gui::MainWindow *start()
    {
        m_settings = std::make_unique<QSettings>(settingsPath(), QSettings::IniFormat);
        m_window =
            std::make_unique<Gui::MainWindow>(m_local.get(), m_remote.get(), m_settings.get());
        m_window->show();
        m_window->restoreSettings();
        return m_window.get();
    }

    // As at exit: the window saves its settings, which reach the file.
    void stop()
    {
        if (m_window) {
            m_window->saveSettings();
            m_window.reset();
        }
        if (m_settings) {
            m_settings->sync();
            m_settings.reset();
        }
        // A keyring job deletes itself later; let it go before the test ends (LSan).
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }

    void close()
    {
        stop();
        m_remote.reset();
        m_local.reset();
        m_stack.close();
    }

    // Writes settings as an earlier run left them (before start()).
    void writeSettings(const QList<std::pair<QString, QVariant>> &values)
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        for (const auto &[key, value] : values) {
            settings.setValue(key, value);
        }
        settings.sync();
    }

    QByteArray settingsFileText() const
    {
        QFile file(settingsPath());
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    QString settingsPath() const { return m_stack.filePath(QStringLiteral("settings.ini")); }
    Gui::MainWindow *window() const { return m_window.get(); }
    QSettings *settings() const { return m_settings.get(); }

    // A loopback URL nobody listens on: connecting fails at once, without a server.
    static QString closedPortUrl() { return Test::closedPortUrl(); }

    // The keyring's answer for `url`, read by a store of its own (another "process").
    static Result<QString> readBack(const QString &service, const QString &url)
    {
        Gui::TokenStore store(service);
        QObject context;
        std::optional<Result<QString>> answer;
        store.read(url, &context, [&answer](Result<QString> token) { answer = std::move(token); });
        if (!waitUntil([&answer] { return answer.has_value(); }, 20000)) {
            return Error{ErrorCode::Unavailable,
                         QStringLiteral("the keyring did not answer in 20 s")};
        }
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        return *answer;
    }

private:
    StackFixture m_stack;
    std::unique_ptr<Gui::LocalBackend> m_local;
    std::unique_ptr<Gui::RemoteBackend> m_remote;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<Gui::MainWindow> m_window;
};

} // namespace Artemis::Test
