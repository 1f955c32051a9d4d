#pragma once

#include <functional>

#include <QObject>
#include <QString>

#include "core/base/result.h"

namespace Artemis::Gui {

// Keeps the API token of each remote server in the desktop keyring (the Secret Service of
// GNOME Keyring / KeePassXC, or KWallet) through QtKeychain, never in a file: no clear-text
// fallback is ever used. One entry per server, keyed by its URL, under `service`.
//
// Every call is asynchronous (a QKeychain job; the keyring may prompt the user to unlock it) and
// answers on the GUI thread through `callback`, dropped when `context` is destroyed meanwhile.
// Failures are Errors: NotFound (no entry for that server), Forbidden (the keyring refused
// access: locked, user said no) and Unavailable (no keyring at all: no D-Bus session bus, no
// Secret Service or KWallet running), each with QtKeychain's own words in `message`.
//
// Lives on the GUI thread. Its jobs own themselves: each deletes itself when it finishes, also
// after the store or the context is gone.
class TokenStore final : public QObject
{
    Q_OBJECT
public:
    template <typename T> using Callback = std::function<void(Result<T>)>;

    explicit TokenStore(QString service, QObject *parent = nullptr);

    QString service() const { return m_service; }

    // The entry name of a server: its URL without a trailing slash.
    static QString keyFor(const QString &serverUrl);

    void read(const QString &serverUrl, QObject *context, Callback<QString> callback);
    void write(const QString &serverUrl, const QString &token, QObject *context,
               Callback<bool> callback);
    // Deleting an entry that is not there succeeds.
    void remove(const QString &serverUrl, QObject *context, Callback<bool> callback);

private:
    QString m_service;
};

} // namespace Artemis::Gui
