// Fetcher's dialing: where each hop of an attempt connects (names resolved per hop, every
// address checked against the target policy, the next address on a refused connection) and
// which redirects it follows. The rest of the fetcher is in core/fetch/fetcher.cpp.
#include <QNetworkReply>

#include "core/base/logging.h"
#include "core/fetch/fetcherjob.h"

using namespace Qt::StringLiterals;

namespace Artemis {

// Every hop of every attempt resolves the name again and connects to an address it checked:
// QNAM, given the name, would resolve it once more itself, and the two lookups only agreed
// through QHostInfo's 60 s cache (a retry after a Retry-After of 70 s, or an answer that changes
// between lookups, reached an address nobody checked).
void Fetcher::connectHop(const std::shared_ptr<Job> &job, const QUrl &url,
                         const QString &redirectTarget)
{
    const QString host = url.host();
    if (const std::optional<QHostAddress> literal = TargetPolicy::literalAddress(host)) {
        // Checked with the host (checkPolicy, or followRedirect for a hop).
        job->byName = false;
        job->addresses = {*literal};
        job->addressIndex = 0;
        sendRequest(job, url);
        return;
    }
    const std::shared_ptr<Hunt> hunt = m_hunts.value(job->key);
    Q_ASSERT(hunt);
    const quint64 lookup = ++m_lookups;
    job->lookup = lookup;
    job->lookupHost = host;
    job->lookupTimer = std::make_unique<QTimer>();
    job->lookupTimer->setSingleShot(true);
    job->lookupTimer->setTimerType(Qt::PreciseTimer); // never early (onLookupTimeout)
    connect(job->lookupTimer.get(), &QTimer::timeout, this,
            [this, job, lookup] { onLookupTimeout(job, lookup); });
    job->lookupTimer->start(
        int(std::max<qint64>(1, hunt->options.timeoutMs - job->started.elapsed())));
    hunt->dialer.resolve(host, this,
                         [this, job, lookup, url, redirectTarget](
                             const QList<QHostAddress> &addresses, const QString &error) {
                             onResolved(job, lookup, url, redirectTarget, addresses, error);
                         });
}

void Fetcher::onResolved(const std::shared_ptr<Job> &job, quint64 lookup, const QUrl &url,
                         const QString &redirectTarget, const QList<QHostAddress> &addresses,
                         const QString &error)
{
    const std::shared_ptr<Hunt> hunt = m_hunts.value(job->key);
    if (job->lookup != lookup || job->done || !hunt) {
        return; // timed out, cancelled or ended meanwhile
    }
    job->lookup = 0;
    job->lookupTimer.reset();
    const QString host = url.host();
    // The slot is held during the lookup; this runs from the event loop, so it may go back now.
    auto end = [this, job](OutcomeKind kind, const QString &reason, int attempts) {
        complete(job, Outcome::unanswered(job->target.node, job->targetUrl.toString(), kind, reason,
                                          attempts));
        releaseSlot(job);
    };
    if (addresses.isEmpty()) {
        // Final, like QNAM's HostNotFoundError (classifyAttempt): a name that does not resolve
        // rarely starts to within a retry's backoff. The lookup was part of this attempt.
        const QString reason = u"host not found: %1"_s.arg(host)
                               + (error.isEmpty() ? QString() : u" (%1)"_s.arg(error));
        end(OutcomeKind::Dns,
            redirectTarget.isEmpty() ? reason : u"redirect to %1: %2"_s.arg(redirectTarget, reason),
            job->attempt);
        return;
    }
    Result<QList<QHostAddress>> checked = hunt->dialer.checkAddresses(host, addresses);
    if (!checked) {
        // A first hop refused here never reached a node: this attempt was not made.
        if (redirectTarget.isEmpty()) {
            end(OutcomeKind::Denied, checked.error().message, job->attempt - 1);
        } else {
            end(OutcomeKind::Denied,
                u"redirect to %1 denied: %2"_s.arg(redirectTarget, checked.error().message),
                job->attempt);
        }
        return;
    }
    job->byName = true;
    job->addresses = std::move(checked).value();
    job->addressIndex = 0;
    qCDebug(lcFetch).noquote() << u"%1, attempt %2: %3 resolved to %4; connecting to %5"_s.arg(
        job->target.node, QString::number(job->attempt), host,
        OutboundDialer::addressList(job->addresses), job->addresses.first().toString());
    sendRequest(job, url);
}

void Fetcher::onLookupTimeout(const std::shared_ptr<Job> &job, quint64 lookup)
{
    const std::shared_ptr<Hunt> hunt = m_hunts.value(job->key);
    if (job->lookup != lookup || job->done || !hunt) {
        return;
    }
    if (const qint64 left = hunt->options.timeoutMs - job->started.elapsed(); left > 0) {
        job->lookupTimer->start(int(left)); // fired early: a timeout is never declared before
        return;
    }
    job->lookup = 0; // its answer, if it ever comes, is dropped
    job->lookupTimer.reset();
    Outcome outcome;
    outcome.node = job->target.node;
    outcome.url = job->targetUrl.toString();
    outcome.attempts = job->attempt;
    outcome.latencyMs = job->started.elapsed();
    outcome.fetchedAt = QDateTime::currentDateTimeUtc();
    outcome.outcome = OutcomeKind::Timeout;
    outcome.error =
        u"no complete answer within %1 ms (looking up %2)"_s.arg(hunt->options.timeoutMs)
            .arg(job->lookupHost);
    finishJob(job, std::move(outcome), true, -1); // transient, as any timeout
    releaseSlot(job);
}

// A name's next checked address, when the current one refused the connection or was unreachable
// (nothing was sent): what QNAM does with the addresses of a name it resolves itself.
bool Fetcher::tryNextAddress(const std::shared_ptr<Job> &job, QNetworkReply *reply)
{
    const std::shared_ptr<Hunt> hunt = m_hunts.value(job->key);
    using E = QNetworkReply::NetworkError;
    if (!hunt || hunt->cancelled || job->cancelled || job->timedOut || job->tooLarge
        || job->addressIndex + 1 >= job->addresses.size()
        || reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 0
        || (reply->error() != E::ConnectionRefusedError && reply->error() != E::UnknownNetworkError)
        || job->started.elapsed() >= hunt->options.timeoutMs) {
        return false;
    }
    ++job->addressIndex;
    qCDebug(lcFetch).noquote() << u"%1, attempt %2: %3 (%4); trying %5"_s.arg(
        job->target.node, QString::number(job->attempt), reply->errorString(),
        job->addresses.at(job->addressIndex - 1).toString(),
        job->addresses.at(job->addressIndex).toString());
    sendRequest(job, job->url);
    return true;
}

// Redirects are followed by hand (the manager's policy is Manual): QNAM 6.4's
// UserVerifiedRedirectPolicy ends a reply with "HTTP 100" and no error after a few hops, and
// its automatic policies cannot check a hop against the target policy or the hunt's
// credentials. Returns true when the job goes on (a new request, or a lookup first).
bool Fetcher::followRedirect(const std::shared_ptr<Job> &job, QNetworkReply *reply)
{
    const std::shared_ptr<Hunt> hunt = m_hunts.value(job->key);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    static const QList<int> RedirectStatuses = {301, 302, 303, 307, 308};
    const QByteArray location = reply->rawHeader("Location");
    if (!hunt || !hunt->options.followRedirects || hunt->cancelled || job->cancelled
        || job->timedOut || job->tooLarge || !RedirectStatuses.contains(status)
        || location.isEmpty()) {
        return false;
    }
    const QUrl from = job->url;
    const QUrl to = from.resolved(QUrl::fromEncoded(location));
    const QString target = to.toString(QUrl::RemoveUserInfo);
    auto refuse = [job](OutcomeKind kind, const QString &reason) {
        job->refusedKind = kind;
        job->refusedReason = reason;
        return false;
    };
    if (job->redirects >= FetchOptions::MaxRedirects) {
        return refuse(
            OutcomeKind::Error,
            u"more than %1 redirects (last to %2)"_s.arg(FetchOptions::MaxRedirects).arg(target));
    }
    if (!to.isValid() || (to.scheme() != u"http"_s && to.scheme() != u"https"_s)) {
        return refuse(OutcomeKind::Error,
                      u"redirect to %1 refused: not an http or https URL"_s.arg(target));
    }
    if (from.scheme() == u"https"_s && to.scheme() == u"http"_s) {
        return refuse(OutcomeKind::Error, u"redirect from https to %1 refused"_s.arg(target));
    }
    const int defaultPort = from.scheme() == u"https"_s ? 443 : 80;
    const bool sameOrigin = from.scheme() == to.scheme() && from.host() == to.host()
                            && from.port(defaultPort) == to.port(defaultPort);
    if (!sameOrigin && hunt->options.hasCredentials()) {
        return refuse(OutcomeKind::Error,
                      u"redirect to %1 refused: another origin, and the hunt sends headers or "
                      "credentials"_s.arg(target));
    }
    const QString host = to.host();
    if (const std::optional<QString> reason = hunt->dialer.checkHost(host)) {
        return refuse(OutcomeKind::Denied, u"redirect to %1 denied: %2"_s.arg(target, *reason));
    }
    ++job->redirects;
    connectHop(job, to, target); // resolved, checked and pinned as the first hop
    return true;
}

bool Fetcher::checkPolicy(const std::shared_ptr<Job> &job)
{
    if (job->policyChecked) {
        return true;
    }
    const std::shared_ptr<Hunt> hunt = m_hunts.value(job->key);
    if (!hunt) {
        return true;
    }
    job->policyChecked = true;
    // The name (or literal) once; a name's addresses are checked at every hop (onResolved).
    if (const std::optional<QString> reason = hunt->dialer.checkHost(job->target.host)) {
        complete(job, Outcome::unanswered(job->target.node, job->targetUrl.toString(),
                                          OutcomeKind::Denied, *reason));
        // Called from inside pump()'s loop: give the per-host slot back from the event loop.
        QTimer::singleShot(0, this, [this, job] { releaseSlot(job); });
        return false;
    }
    return true;
}

} // namespace Artemis
