#pragma once

#include <functional>

#include <QObject>
#include <QString>

class QCheckBox;
class QLabel;
class QLineEdit;
class QSettings;

namespace Artemis::Gui {

class TokenStore;

// The main window's "Remember token" policy: the token of a server is kept in the desktop
// keyring (TokenStore), never in the settings file; without a keyring it is not remembered and
// the note label says why. Remembers what the keyring holds as far as this window knows, so
// that reconnecting does not rewrite an unchanged token. Works on the connection bar's token
// field, "Remember token" box and note label; reports through status() and answered().
// Lives on the GUI thread; the store and the widgets are not owned and must outlive it.
class TokenPolicy final : public QObject
{
    Q_OBJECT
public:
    TokenPolicy(TokenStore *tokens, QLineEdit *token, QCheckBox *remember, QLabel *note,
                QObject *parent = nullptr);

    // Writes the field's token for `server` unless it is what the keyring already holds.
    void remember(const QString &server);
    void forget(const QString &server);
    // Deletes the clear-text "remote/token" an older version left in `settings`, and moves it
    // into the keyring when "Remember token" is on.
    void migrateClearText(QSettings &settings, const QString &server);
    // Reads the token of `server` into the field (unless the user typed one, or another server
    // meanwhile: `currentServer` tells which); `done` runs before answered() is emitted.
    void readRemembered(const QString &server, std::function<QString()> currentServer,
                        std::function<void()> done);
    void note(const QString &text); // empty: hides the note

Q_SIGNALS:
    void status(const QString &text, int timeoutMs);
    // A keyring job has answered (read at start, remember, forget).
    void answered(bool ok);

private:
    void uncheckRemember();

    TokenStore *m_tokens;  // not owned
    QLineEdit *m_token;    // not owned
    QCheckBox *m_remember; // not owned
    QLabel *m_note;        // not owned
    QString m_storedKey;
    QString m_storedToken;
};

} // namespace Artemis::Gui
