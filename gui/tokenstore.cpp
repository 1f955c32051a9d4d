#include "gui/tokenstore.h"

#include <utility>

#include <QPointer>
#include <QUrl>

#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {

Error toError(const QKeychain::Job &job)
{
    switch (job.error()) {
    case QKeychain::EntryNotFound:
        return {ErrorCode::NotFound, job.errorString()};
    case QKeychain::AccessDenied:
        return {ErrorCode::Forbidden, job.errorString()};
    default:
        // NoBackendAvailable (no KWallet, no libsecret), and OtherError, which is what the
        // Secret Service path reports when the D-Bus session bus or the keyring daemon is
        // missing ("Could not connect: …", "The name org.freedesktop.secrets was not provided").
        return {ErrorCode::Unavailable, job.errorString()};
    }
}

// Connects the job's end to `done` on the GUI thread, unless `context` went away meanwhile, and
// starts it. A job has no parent and deletes itself after `finished` (autoDelete): libsecret's
// callbacks hold a raw pointer to it, so a job deleted in flight (its parent closing) would be
// called back after it is freed.
template <typename Done> void run(QKeychain::Job *job, QObject *context, Done done)
{
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a clear-text copy in QSettings
    QObject::connect(job, &QKeychain::Job::finished, context,
                     [done = std::move(done)](QKeychain::Job *finished) { done(*finished); });
    job->start();
}

} // namespace

TokenStore::TokenStore(QString service, QObject *parent)
    : QObject(parent), m_service(std::move(service))
{
}

QString TokenStore::keyFor(const QString &serverUrl)
{
    QUrl url = QUrl(serverUrl.trimmed()).adjusted(QUrl::StripTrailingSlash);
    if (url.path() == u"/"_s) { // StripTrailingSlash keeps a lone "/"
        url.setPath(QString());
    }
    return url.toString();
}

void TokenStore::read(const QString &serverUrl, QObject *context, Callback<QString> callback)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(keyFor(serverUrl));
    run(job, context, [job, callback = std::move(callback)](const QKeychain::Job &finished) {
        if (finished.error() != QKeychain::NoError) {
            callback(toError(finished));
            return;
        }
        callback(job->textData());
    });
}

void TokenStore::write(const QString &serverUrl, const QString &token, QObject *context,
                       Callback<bool> callback)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(keyFor(serverUrl));
    job->setTextData(token);
    run(job, context, [callback = std::move(callback)](const QKeychain::Job &finished) {
        if (finished.error() != QKeychain::NoError) {
            callback(toError(finished));
            return;
        }
        callback(true);
    });
}

void TokenStore::remove(const QString &serverUrl, QObject *context, Callback<bool> callback)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(keyFor(serverUrl));
    run(job, context, [callback = std::move(callback)](const QKeychain::Job &finished) {
        if (finished.error() != QKeychain::NoError
            && finished.error() != QKeychain::EntryNotFound) {
            callback(toError(finished));
            return;
        }
        callback(true);
    });
}

} // namespace Artemis::Gui
