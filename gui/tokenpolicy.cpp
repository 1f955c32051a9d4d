#include "gui/tokenpolicy.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>

#include "gui/tokenstore.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {
// Why a token did not get into the keyring, in the words the window shows.
QString notRemembered(const Error &error)
{
    if (error.code == ErrorCode::Forbidden) {
        return u"Token not remembered: the desktop keyring refused it (%1)"_s.arg(error.message);
    }
    return u"Token not remembered: no desktop keyring (%1)"_s.arg(error.message);
}
} // namespace

TokenPolicy::TokenPolicy(TokenStore *tokens, QLineEdit *token, QCheckBox *remember, QLabel *note,
                         QObject *parent)
    : QObject(parent), m_tokens(tokens), m_token(token), m_remember(remember), m_note(note)
{
}

void TokenPolicy::remember(const QString &server)
{
    const QString token = m_token->text().trimmed();
    const QString key = TokenStore::keyFor(server);
    if (server.isEmpty() || token.isEmpty() || (key == m_storedKey && token == m_storedToken)) {
        return;
    }
    // Marked stored before the keyring answers, so that a reconnect meanwhile does not queue a
    // second write of the same token; a refusal clears it again.
    m_storedKey = key;
    m_storedToken = token;
    m_tokens->write(server, token, this, [this, key](Result<bool> written) {
        if (written) {
            note({});
            Q_EMIT status(u"Token of %1 remembered in the desktop keyring"_s.arg(key), 6000);
            Q_EMIT answered(true);
            return;
        }
        m_storedKey.clear();
        m_storedToken.clear();
        uncheckRemember();
        note(notRemembered(written.error()));
        Q_EMIT answered(false);
    });
}

void TokenPolicy::forget(const QString &server)
{
    m_storedKey.clear();
    m_storedToken.clear();
    if (server.isEmpty()) {
        note({});
        return;
    }
    const QString key = TokenStore::keyFor(server);
    m_tokens->remove(server, this, [this, key](Result<bool> removed) {
        if (removed) {
            note({});
            Q_EMIT status(u"Token of %1 removed from the desktop keyring"_s.arg(key), 6000);
        } else {
            note(u"Token not removed from the desktop keyring: %1"_s.arg(removed.error().message));
        }
        Q_EMIT answered(bool(removed));
    });
}

void TokenPolicy::migrateClearText(QSettings &settings, const QString &server)
{
    // Versions before the keyring kept a remembered token in the settings file in clear text.
    // That copy goes now, whatever the keyring says.
    const QString token = settings.value(u"remote/token"_s).toString().trimmed();
    settings.remove(u"remote/token"_s);
    settings.sync();
    if (token.isEmpty() || server.isEmpty() || !m_remember->isChecked()) {
        Q_EMIT status(u"Deleted a clear-text token from the settings file"_s, 6000);
        return;
    }
    m_token->setText(token);
    const QString key = TokenStore::keyFor(server);
    m_storedKey = key;
    m_storedToken = token;
    m_tokens->write(server, token, this, [this, key](Result<bool> written) {
        if (written) {
            Q_EMIT status(
                u"Moved the token of %1 from the settings file into the desktop keyring"_s.arg(key),
                6000);
            Q_EMIT answered(true);
            return;
        }
        m_storedKey.clear();
        m_storedToken.clear();
        uncheckRemember();
        note(notRemembered(written.error())
             + u"; its clear-text copy was deleted from the settings file"_s);
        Q_EMIT answered(false);
    });
}

void TokenPolicy::readRemembered(const QString &server, std::function<QString()> currentServer,
                                 std::function<void()> done)
{
    const QString key = TokenStore::keyFor(server);
    m_tokens->read(server, this,
                   [this, server, key, currentServer = std::move(currentServer),
                    done = std::move(done)](Result<QString> token) {
                       if (token) {
                           // The user may have typed another server or token meanwhile: theirs
                           // wins.
                           if (m_token->text().isEmpty() && currentServer() == server) {
                               m_token->setText(*token);
                               m_storedKey = key;
                               m_storedToken = *token;
                           }
                       } else {
                           uncheckRemember();
                           if (token.error().code == ErrorCode::NotFound) {
                               note(
                                   u"No remembered token for %1 in the desktop keyring"_s.arg(key));
                           } else if (token.error().code == ErrorCode::Forbidden) {
                               note(u"Remembered token not read: the desktop keyring refused "
                                    "(%1)"_s.arg(token.error().message));
                           } else {
                               note(u"Remembered token not read: no desktop keyring (%1)"_s.arg(
                                   token.error().message));
                           }
                       }
                       done();
                       Q_EMIT answered(bool(token));
                   });
}

void TokenPolicy::note(const QString &text)
{
    m_note->setText(text);
    m_note->setToolTip(text);
    m_note->setVisible(!text.isEmpty());
    if (!text.isEmpty()) {
        Q_EMIT status(text, 15000);
    }
}

void TokenPolicy::uncheckRemember()
{
    const QSignalBlocker block(m_remember);
    m_remember->setChecked(false);
}

} // namespace Artemis::Gui
