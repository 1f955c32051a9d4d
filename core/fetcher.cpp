#include "core/fetcher.h"

#include <mutex>

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSet>
#include <QSslCertificate>
#include <QSslConfiguration>

#include "core/logging.h"
#include "core/prometheustext.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {
constexpr int FlushIntervalMs = 10;
constexpr int FlushBatchSize = 512;
constexpr int RequestsPerManager = 1024;
// Qt 6.4 deletes a cached connection (QNetworkAccessCache) 120 s after its last request ended
// (measured: an idle keep-alive socket closes 120 s after its answer). A kept key unused for
// longer is gone from QNAM as well, so it no longer counts against the limit.
constexpr qint64 QtConnectionExpiryMs = 120000;
constexpr qint64 StaleKeptKeyMs = QtConnectionExpiryMs + 5000;
constexpr qint64 KeptEvictionEveryMs = 1000; // a full pool looks for stale keys this often
constexpr int KeptPerManager = 512;          // kept connections per manager (keptNam)

// What QNAM keys a cached connection by (qhttpthreaddelegate.cpp makeCacheKey): scheme, host,
// port and, for TLS, the peer verify name. The host is the pinned address, not the name.
QString connectionKey(const QUrl &wire, const QString &peerVerifyName)
{
    return wire.scheme() + u'/' + wire.host() + u':'
           + QString::number(wire.port(wire.scheme() == u"https"_s ? 443 : 80)) + u'/'
           + peerVerifyName;
}

// Direct connections, through buffered sockets. With the proxy type NoProxy, Qt 6.4's HTTP
// channel opens its QTcpSocket Unbuffered (qhttpnetworkconnectionchannel.cpp), and its reply
// parser then reads the status line and every header one byte per read() system call: ~95 calls
// per node. Given a DefaultProxy instead, the channel opens a buffered socket, which resolves
// DefaultProxy to the application proxy: NoProxy, as Fetcher's constructor sets it.
class DirectProxyFactory final : public QNetworkProxyFactory
{
public:
    QList<QNetworkProxy> queryProxy(const QNetworkProxyQuery &) override
    {
        return {QNetworkProxy(QNetworkProxy::DefaultProxy)};
    }
};

} // namespace

struct Fetcher::Job
{
    quint64 key = 0;
    Target target;
    int attempt = 0;
    bool done = false;
    bool timedOut = false;
    bool tooLarge = false;
    bool cancelled = false;
    bool policyChecked = false; // the host (name or literal) checked against the target policy
    // Set when a redirect was not followed (policy, scheme, origin, hop limit): as what, why.
    std::optional<OutcomeKind> refusedKind;
    QString refusedReason;
    QUrl targetUrl;    // target.url(), built once: the first request's URL and outcome.url
    QUrl url;          // of the current request (differs from targetUrl after a redirect)
    int redirects = 0; // followed in this attempt
    // Where the current hop connects: the checked answers of its lookup, tried in order when a
    // connection is refused (as QNAM tries a name's addresses), or the literal host itself.
    bool byName = false; // the hop's host is a name: the request goes to an address, pinned
    QList<QHostAddress> addresses;
    qsizetype addressIndex = 0;
    quint64 lookup = 0;                  // the lookup this job waits for; 0: none
    QString lookupHost;                  // the name it looks up
    std::unique_ptr<QTimer> lookupTimer; // the attempt's deadline while it waits
    QPointer<QNetworkReply> reply;
    QString keptKey; // the current request's connection key when it goes to the kept manager
    QElapsedTimer started;
    QByteArray body;
    std::unique_ptr<QTimer> retryTimer; // backoff wait; lives on this thread
};

struct Fetcher::Hunt
{
    quint64 key = 0;
    FetchOptions options;
    std::optional<QSslConfiguration> tls; // built once per hunt from caPem/insecureSkipVerify
    QByteArray authorization;             // basic auth header value, computed once
    bool reuse = false;                   // keep connections for the next hunt (see beginHunt)
    bool cancelled = false;
    QHash<QString, std::deque<std::shared_ptr<Job>>> waiting; // by host:port
    QHash<QString, int> inFlightPerHost;
    QSet<std::shared_ptr<Job>> active; // in flight or waiting to retry
    OutboundDialer dialer;             // the fetcher's policy and options.extraPolicy
};

Fetcher::Fetcher(QObject *parent)
    : QObject(parent),
      m_flushTimer(new QTimer(this)),
      m_keptTimer(new QTimer(this)),
      m_resolver(std::make_shared<SystemResolver>())
{
    // Our sockets resolve DefaultProxy through the application proxy (see DirectProxyFactory).
    // Qt's default there is the system configuration (http_proxy, all_proxy, libproxy): make
    // it NoProxy. Artemis never uses a proxy (the GUI's remote client sets NoProxy too).
    static std::once_flag directOnly;
    std::call_once(directOnly, [] { QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy); });
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(FlushIntervalMs);
    connect(m_flushTimer, &QTimer::timeout, this, &Fetcher::flush);
    m_keptTimer->setSingleShot(true);
    connect(m_keptTimer, &QTimer::timeout, this, &Fetcher::dropKeptNamIfIdle);
    m_clock.start();
}

Fetcher::~Fetcher()
{
    // Replies die with their manager; make sure no handler of ours runs during that.
    for (const NamSlot &slot : m_nams) {
        const auto replies = slot.nam->findChildren<QNetworkReply *>();
        for (QNetworkReply *reply : replies) {
            reply->disconnect(this);
        }
    }
    for (const NamSlot &slot : m_kept) {
        const auto replies = slot.nam->findChildren<QNetworkReply *>();
        for (QNetworkReply *reply : replies) {
            reply->disconnect(this);
        }
    }
}

Fetcher::NamSlot &Fetcher::currentNam()
{
    // QNAM keeps a connection object per host:port it has talked to (~1.5 KB each, plus its
    // sockets) until the cache expires. A hunt talks to each node once, so with 10k nodes that
    // cache dominated memory. Each manager therefore serves a bounded number of requests and is
    // deleted once its last reply has finished.
    if (m_nams.empty() || m_nams.back().started >= RequestsPerManager) {
        NamSlot slot;
        slot.nam = std::make_unique<QNetworkAccessManager>();
        slot.nam->setProxyFactory(new DirectProxyFactory); // the manager owns it
        slot.nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        m_nams.push_back(std::move(slot));
        retireIdleNams();
    }
    return m_nams.back();
}

// Scheduled rounds hit the same nodes every interval: a kept-alive connection saves the connect,
// QNAM's per-connection set-up and the server's accept (QT64-NOTES: 9.1k vs 6.0k GETs/s). The
// kept managers are never rotated (rotation would drop their connections), so their memory is
// bounded by the number of keys they may keep instead. Several managers, not one: every idle
// kept socket stays registered with its manager's HTTP thread, whose event loop polls all of
// them on each wake-up; 10,000 in one manager made a round slower than closing (measured,
// bench/reuse-bench.sh), KeptPerManager per manager keeps each poll short.
Fetcher::NamSlot *Fetcher::keptNam(const QString &key)
{
    const qint64 now = m_clock.elapsed();
    auto it = m_keptKeys.find(key);
    if (it == m_keptKeys.end()) {
        if (m_keptKeys.size() >= m_keptLimit
            && (m_keptLastEviction < 0 || now - m_keptLastEviction >= KeptEvictionEveryMs)) {
            m_keptLastEviction = now;
            m_keptKeys.removeIf([this, now](const QHash<QString, KeptKey>::iterator &k) {
                if (now - k->lastUse <= StaleKeptKeyMs) {
                    return false;
                }
                --m_keptPerManager[size_t(k->manager)];
                return true;
            });
        }
        if (m_keptKeys.size() >= m_keptLimit) {
            return nullptr;
        }
        size_t manager = 0;
        while (manager < m_kept.size() && m_keptPerManager[manager] >= KeptPerManager) {
            ++manager;
        }
        if (manager == m_kept.size()) {
            NamSlot slot;
            slot.nam = std::make_unique<QNetworkAccessManager>();
            slot.nam->setProxyFactory(new DirectProxyFactory); // the manager owns it
            slot.nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
            m_kept.push_back(std::move(slot));
            m_keptPerManager.push_back(0);
            if (!m_keptTimer->isActive()) {
                m_keptTimer->start(KeptIdleMs);
            }
        }
        ++m_keptPerManager[manager];
        it = m_keptKeys.insert(key, KeptKey{now, int(manager)});
    } else {
        it->lastUse = now;
    }
    m_keptLastUse = now;
    return &m_kept[size_t(it->manager)];
}

void Fetcher::dropKeptNamIfIdle()
{
    if (m_kept.empty()) {
        return;
    }
    const qint64 idle = m_clock.elapsed() - m_keptLastUse;
    const bool active = std::any_of(m_kept.begin(), m_kept.end(),
                                    [](const NamSlot &slot) { return slot.active > 0; });
    if (active || idle < KeptIdleMs) {
        m_keptTimer->start(int(std::max<qint64>(1000, KeptIdleMs - idle)));
        return;
    }
    // No reply left: deleting the managers closes their idle connections and frees their memory.
    qCDebug(lcFetch).noquote() << u"closing %1 kept connections, unused for %2 ms"_s.arg(
        QString::number(m_keptKeys.size()), QString::number(idle));
    for (NamSlot &slot : m_kept) {
        slot.nam.release()->deleteLater();
    }
    m_kept.clear();
    m_keptPerManager.clear();
    m_keptKeys.clear();
}

void Fetcher::releaseNam(QNetworkReply *reply)
{
    for (NamSlot &slot : m_kept) {
        if (slot.nam.get() == reply->manager()) {
            --slot.active;
            m_keptLastUse = m_clock.elapsed();
            return;
        }
    }
    for (NamSlot &slot : m_nams) {
        if (slot.nam.get() == reply->manager()) {
            --slot.active;
            break;
        }
    }
    retireIdleNams();
}

void Fetcher::retireIdleNams()
{
    for (auto it = m_nams.begin(); it != m_nams.end();) {
        if (std::next(it) != m_nams.end() && it->active == 0) {
            // Possibly called from one of its replies' signals: delete from the event loop.
            it->nam.release()->deleteLater();
            it = m_nams.erase(it);
        } else {
            ++it;
        }
    }
}

void Fetcher::beginHunt(quint64 key, const FetchOptions &options)
{
    auto hunt = std::make_shared<Hunt>();
    hunt->key = key;
    hunt->options = options;
    if (!options.caPem.isEmpty() || options.insecureSkipVerify) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        if (!options.caPem.isEmpty()) {
            // Replaces the system's CAs for this hunt (as curl --cacert does).
            tls.setCaCertificates(QSslCertificate::fromData(options.caPem, QSsl::Pem));
        }
        if (options.insecureSkipVerify) {
            tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        }
        hunt->tls = tls;
    }
    hunt->authorization = options.basicAuthorization();
    // QNAM's connection cache is keyed without the TLS configuration: a connection verified
    // against one hunt's CA (or not verified at all) must not serve a hunt with other settings.
    hunt->reuse = options.reuseConnections && !hunt->tls && m_keptLimit > 0;
    hunt->dialer = OutboundDialer({m_policy, options.extraPolicy}, m_resolver);
    m_hunts.insert(key, hunt);
}

void Fetcher::fetch(quint64 key, const QList<Target> &targets)
{
    const std::shared_ptr<Hunt> hunt = m_hunts.value(key);
    if (!hunt || hunt->cancelled) {
        for (const Target &target : targets) {
            queueOutcome(key, Outcome::unanswered(target.node, target.url().toString(),
                                                  OutcomeKind::Cancelled,
                                                  u"cancelled before the first attempt"_s));
        }
        return;
    }
    QSet<QString> hosts;
    for (const Target &target : targets) {
        auto job = std::make_shared<Job>();
        job->key = key;
        job->target = target;
        job->targetUrl = target.url();
        const QString host = target.hostPort();
        hunt->waiting[host].push_back(job);
        hunt->active.insert(job);
        hosts.insert(host);
    }
    for (const QString &host : hosts) {
        pump(*hunt, host);
    }
}

void Fetcher::pump(Hunt &hunt, const QString &hostKey)
{
    auto it = hunt.waiting.find(hostKey);
    if (hunt.cancelled || it == hunt.waiting.end()) {
        return;
    }
    int &inFlight = hunt.inFlightPerHost[hostKey];
    while (!it->empty() && inFlight < hunt.options.perHostLimit) {
        std::shared_ptr<Job> job = std::move(it->front());
        it->pop_front();
        ++inFlight;
        startAttempt(job);
    }
    if (it->empty()) {
        hunt.waiting.erase(it);
    }
}

void Fetcher::startAttempt(const std::shared_ptr<Job> &job)
{
    if (!checkPolicy(job)) {
        return;
    }
    ++job->attempt;
    job->redirects = 0;
    job->started.start(); // the attempt's deadline covers the lookup too
    connectHop(job, job->targetUrl, QString());
}

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

void Fetcher::sendRequest(const std::shared_ptr<Job> &job, const QUrl &url)
{
    const std::shared_ptr<Hunt> hunt = m_hunts.value(job->key);
    Q_ASSERT(hunt);
    const FetchOptions &options = hunt->options;
    job->url = url; // as the node or the Location said it: redirects resolve against it
    job->timedOut = false;
    job->tooLarge = false;
    job->refusedKind.reset();
    job->refusedReason.clear();
    job->body.clear();
    // The deadline covers the whole attempt, redirects included.
    const int remainingMs = int(std::max<qint64>(1, options.timeoutMs - job->started.elapsed()));

    // A name: connect to the checked address, and say the name everywhere else.
    QNetworkRequest request = OutboundDialer::request(
        url, job->byName ? &job->addresses.at(job->addressIndex) : nullptr, remainingMs);
    // QNAM's own inactivity timer is coarse (it may fire 5 % early): give it slack, so that the
    // precise whole-attempt deadline below is what ends a silent node.
    request.setTransferTimeout(remainingMs + remainingMs / 16 + 50);
    const QUrl wire = request.url();
    request.setRawHeader("Accept", "application/json, */*;q=0.5");
    // A one-off hunt requests each node once: a kept-alive connection would only sit in QNAM's
    // cache, holding a file descriptor and memory per node until it expires (10k nodes: 10k
    // sockets). A scheduled round's connections are kept for the next round (keptNam).
    NamSlot *kept = nullptr;
    job->keptKey.clear();
    if (hunt->reuse) {
        QString key = connectionKey(wire, request.peerVerifyName());
        kept = keptNam(key);
        if (kept) {
            job->keptKey = std::move(key);
        }
    }
    if (!kept) {
        request.setRawHeader("Connection", "close");
    }
    for (const auto &header : options.headers) {
        request.setRawHeader(header.first, header.second);
    }
    // Auth rules give each node its group's credentials (core/authrules.h), else basicAuth.
    const QByteArray authorization = options.auth.isEmpty()
                                         ? hunt->authorization
                                         : authorizationFor(options.auth, job->target.labels);
    if (!authorization.isEmpty()) {
        request.setRawHeader("Authorization", authorization);
    }
    if (hunt->tls) {
        request.setSslConfiguration(*hunt->tls);
    }

    NamSlot &slot = kept ? *kept : currentNam();
    ++slot.started;
    ++slot.active;
    QNetworkReply *reply = slot.nam->get(request);
    job->reply = reply;
    const qint64 cap = options.maxBodyBytes;

    // A whole-attempt deadline: setTransferTimeout only fires after a quiet period, so a node
    // that trickles bytes forever would never time out without this. Precise, and checked
    // when it fires: Qt's default coarse timers fired up to 5 % early (10,000 ms gave up at
    // 9,712 while the error said "within 10000 ms"); a timeout is never declared before its time.
    auto *deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    deadline->setTimerType(Qt::PreciseTimer);
    const qint64 timeoutMs = options.timeoutMs;
    connect(deadline, &QTimer::timeout, reply, [job, reply, deadline, timeoutMs] {
        if (const qint64 left = timeoutMs - job->started.elapsed(); left > 0) {
            deadline->start(int(left));
            return;
        }
        job->timedOut = true;
        reply->abort();
    });
    deadline->start(remainingMs);

    connect(reply, &QNetworkReply::metaDataChanged, this, [job, reply, cap] {
        bool ok = false;
        const qint64 length = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&ok);
        if (ok && length > cap) {
            job->tooLarge = true;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::readyRead, this, [job, reply, cap] {
        if (job->tooLarge || job->timedOut) {
            return;
        }
        if (job->body.size() + reply->bytesAvailable() > cap) {
            job->body.append(reply->read(cap - job->body.size() + 1));
            job->tooLarge = true;
            reply->abort();
            return;
        }
        job->body.append(reply->readAll());
    });
    connect(reply, &QNetworkReply::finished, this, [this, job, reply] { onFinished(job, reply); });
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

void Fetcher::releaseSlot(const std::shared_ptr<Job> &job)
{
    const std::shared_ptr<Hunt> hunt = m_hunts.value(job->key);
    if (!hunt) {
        return;
    }
    const QString host = job->target.hostPort();
    --hunt->inFlightPerHost[host];
    pump(*hunt, host);
}

void Fetcher::onFinished(const std::shared_ptr<Job> &job, QNetworkReply *reply)
{
    reply->disconnect(this);
    reply->deleteLater();
    releaseNam(reply);
    if (!job->keptKey.isEmpty()) {
        // Qt's expiry of this connection counts from now: so does ours (StaleKeptKeyMs).
        if (const auto it = m_keptKeys.find(job->keptKey); it != m_keptKeys.end()) {
            it->lastUse = m_clock.elapsed();
        }
    }
    job->reply = nullptr;
    if (!job->tooLarge && !job->timedOut && !job->cancelled && !job->refusedKind) {
        job->body.append(reply->readAll());
    }

    const std::shared_ptr<Hunt> hunt = m_hunts.value(job->key);
    if (!hunt) {
        return; // hunt ended (engine shutdown): nobody wants this outcome
    }
    if (tryNextAddress(job, reply) || followRedirect(job, reply)) {
        return; // the next request keeps the per-host slot
    }
    const QString host = job->target.hostPort();
    --hunt->inFlightPerHost[host];

    Outcome outcome;
    outcome.node = job->target.node;
    outcome.url = job->targetUrl.toString();
    outcome.attempts = job->attempt;
    outcome.latencyMs = job->started.elapsed();
    outcome.bytes = job->body.size();
    outcome.fetchedAt = QDateTime::currentDateTimeUtc();
    outcome.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();

    AttemptFacts facts;
    facts.error = reply->error();
    facts.errorString = reply->errorString();
    facts.httpStatus = outcome.httpStatus;
    facts.reasonPhrase = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    facts.retryAfter = reply->rawHeader("Retry-After");
    facts.contentType = reply->rawHeader("Content-Type");
    facts.location = reply->rawHeader("Location");
    bool hasLength = false;
    const qint64 length =
        reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&hasLength);
    facts.contentLength = hasLength ? length : -1;
    facts.timedOut = job->timedOut;
    facts.tooLarge = job->tooLarge;
    facts.cancelled = job->cancelled || hunt->cancelled;
    facts.host = job->target.host;
    facts.refusedKind = job->refusedKind;
    facts.refusedReason = job->refusedReason;
    const Classification c =
        classifyAttempt(facts, job->body, hunt->options, QDateTime::currentDateTimeUtc());
    outcome.outcome = c.kind;
    outcome.error = c.error;
    outcome.body = c.body;
    outcome.raw = c.raw;
    const bool transient = c.transient;
    const int retryAfterMs = c.retryAfterMs;
    finishJob(job, std::move(outcome), transient, retryAfterMs);
    pump(*hunt, host);
}

void Fetcher::finishJob(const std::shared_ptr<Job> &job, Outcome outcome, bool transient,
                        int retryAfterMs)
{
    const std::shared_ptr<Hunt> hunt = m_hunts.value(job->key);
    if (!transient || !hunt || hunt->cancelled || job->attempt >= hunt->options.attempts) {
        complete(job, std::move(outcome));
        return;
    }
    const int delay = backoffDelayMs(hunt->options, job->attempt + 1, retryAfterMs);
    // Retries are the rare case: one signal each way, not one per attempt of every node.
    Q_EMIT retryStateChanged(job->key, job->target.node, job->attempt, true);
    job->retryTimer = std::make_unique<QTimer>();
    job->retryTimer->setSingleShot(true);
    connect(job->retryTimer.get(), &QTimer::timeout, this, [this, job] {
        job->retryTimer.reset();
        const std::shared_ptr<Hunt> h = m_hunts.value(job->key);
        if (!h || job->done) {
            return;
        }
        Q_EMIT retryStateChanged(job->key, job->target.node, job->attempt + 1, false);
        const QString host = job->target.hostPort();
        h->waiting[host].push_front(job);
        pump(*h, host);
    });
    job->retryTimer->start(delay);
}

void Fetcher::complete(const std::shared_ptr<Job> &job, Outcome outcome)
{
    if (job->done) {
        return;
    }
    job->done = true;
    if (const std::shared_ptr<Hunt> hunt = m_hunts.value(job->key)) {
        hunt->active.remove(job);
    }
    queueOutcome(job->key, std::move(outcome));
}

void Fetcher::cancel(quint64 key)
{
    const std::shared_ptr<Hunt> hunt = m_hunts.value(key);
    if (!hunt || hunt->cancelled) {
        return;
    }
    hunt->cancelled = true;
    const auto active = hunt->active; // copy: completing jobs edits the set
    for (const std::shared_ptr<Job> &job : active) {
        job->cancelled = true;
        if (job->reply) {
            job->reply->abort(); // finishes synchronously through onFinished
            continue;
        }
        job->retryTimer.reset();
        const bool resolving = job->lookup != 0;
        job->lookup = 0;
        job->lookupTimer.reset();
        complete(job, Outcome::unanswered(
                          job->target.node, job->targetUrl.toString(), OutcomeKind::Cancelled,
                          resolving           ? u"cancelled while looking up the host"_s
                          : job->attempt == 0 ? u"cancelled before the first attempt"_s
                                              : u"cancelled while waiting to retry"_s,
                          job->attempt));
    }
    hunt->waiting.clear();
    flush();
}

void Fetcher::endHunt(quint64 key)
{
    flush();
    const std::shared_ptr<Hunt> hunt = m_hunts.take(key);
    if (!hunt) {
        return;
    }
    for (const std::shared_ptr<Job> &job : std::as_const(hunt->active)) {
        job->done = true;
        job->retryTimer.reset();
        job->lookup = 0;
        job->lookupTimer.reset();
        if (job->reply) {
            QNetworkReply *reply = job->reply;
            reply->disconnect(this);
            reply->abort();
            reply->deleteLater();
            releaseNam(reply);
        }
    }
    m_pending.remove(key);
}

void Fetcher::queueOutcome(quint64 key, Outcome outcome)
{
    QList<Outcome> &pending = m_pending[key];
    pending.append(std::move(outcome));
    if (pending.size() >= FlushBatchSize) {
        flush();
    } else if (!m_flushTimer->isActive()) {
        m_flushTimer->start();
    }
}

void Fetcher::flush()
{
    m_flushTimer->stop();
    auto pending = std::exchange(m_pending, {});
    for (auto it = pending.begin(); it != pending.end(); ++it) {
        if (!it->isEmpty()) {
            Q_EMIT outcomesReady(it.key(), *it);
        }
    }
}

namespace {

// "text/html answer, invalid JSON; at byte 1: illegal value; starts with "<!DOCTYPE html>..."":
// what the node sent (its type, its first bytes) says more than the parser's offset. The part
// before the first "; " is the same for every node that sends the same kind of page
// (failureReason() groups by it).
QString invalidJsonReason(const AttemptFacts &f, const QByteArray &body,
                          const QJsonParseError &parseError)
{
    constexpr qsizetype ShownBytes = 40;
    const QByteArray type = f.contentType.split(';').first().trimmed();
    QString head = QString::fromUtf8(body.left(ShownBytes)).simplified();
    if (body.size() > ShownBytes) {
        head += u"…"_s;
    }
    return u"%1, invalid JSON; at byte %2: %3; starts with \"%4\""_s
        .arg(type.isEmpty() ? u"answer without Content-Type"_s
                            : QString::fromLatin1(type) + u" answer"_s)
        .arg(parseError.offset)
        .arg(parseError.errorString(), head);
}

} // namespace

Classification classifyAttempt(const AttemptFacts &f, const QByteArray &body,
                               const FetchOptions &options, const QDateTime &now)
{
    Classification c;
    auto parsedOrRaw = [&]() -> QJsonValue {
        if (body.isEmpty()) {
            return QJsonValue();
        }
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error == QJsonParseError::NoError) {
            return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
        }
        return QString::fromUtf8(body.left(Outcome::RawBodyLimit));
    };
    using E = QNetworkReply::NetworkError;
    if (f.cancelled) {
        c.kind = OutcomeKind::Cancelled;
        c.error = u"cancelled while fetching"_s;
    } else if (f.refusedKind) {
        c.kind = *f.refusedKind;
        c.error = f.refusedReason;
    } else if (f.tooLarge) {
        c.kind = OutcomeKind::TooLarge;
        c.error = u"body larger than the %1-byte limit"_s.arg(options.maxBodyBytes);
        c.body = QString::fromUtf8(body.left(Outcome::RawBodyLimit));
    } else if (f.timedOut || f.error == E::TimeoutError) {
        c.kind = OutcomeKind::Timeout;
        c.error = u"no complete answer within %1 ms"_s.arg(options.timeoutMs);
        c.transient = true;
    } else if (f.error == E::ConnectionRefusedError) {
        c.kind = OutcomeKind::Refused;
        c.error = u"connection refused"_s;
        c.transient = true;
    } else if (f.error == E::HostNotFoundError) {
        c.kind = OutcomeKind::Dns;
        c.error = u"host not found: %1"_s.arg(f.host);
    } else if (f.error == E::SslHandshakeFailedError) {
        c.kind = OutcomeKind::Tls;
        c.error = u"TLS failed: %1"_s.arg(f.errorString);
    } else if (f.error == E::RemoteHostClosedError || f.error == E::TemporaryNetworkFailureError
               || f.error == E::NetworkSessionFailedError || f.error == E::UnknownNetworkError) {
        c.kind = OutcomeKind::Error;
        c.error = u"connection reset or closed early: %1"_s.arg(f.errorString);
        c.transient = true;
    } else if (f.httpStatus > 0 && f.contentLength >= 0 && body.size() < f.contentLength) {
        // Qt 6.4 may end a reply whose connection broke mid-body with NoError: check the length.
        c.kind = OutcomeKind::Error;
        c.error = u"connection closed early: %1 of %2 body bytes received"_s.arg(body.size())
                      .arg(f.contentLength);
        c.transient = true;
    } else if (f.httpStatus == 0) {
        c.kind = OutcomeKind::Error;
        c.error = f.error == E::NoError ? u"no HTTP answer"_s : f.errorString;
    } else if (f.httpStatus >= 200 && f.httpStatus < 300) {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error == QJsonParseError::NoError) {
            c.kind = OutcomeKind::Ok;
            c.body = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
        } else if (!body.isEmpty() && isPrometheusContentType(f.contentType)) {
            // Only when the node says it is text: any "name 1" line would otherwise pass.
            const Result<QJsonObject> metrics = parsePrometheusText(body);
            if (metrics) {
                c.kind = OutcomeKind::Ok;
                c.body = *metrics;
                c.raw = QString::fromUtf8(body.left(Outcome::RawTextLimit));
            } else {
                c.kind = OutcomeKind::InvalidJson;
                c.error = u"neither JSON nor Prometheus text: %1"_s.arg(metrics.error().message);
                c.body = QString::fromUtf8(body.left(Outcome::RawBodyLimit));
            }
        } else {
            c.kind = OutcomeKind::InvalidJson;
            c.error = body.isEmpty() ? u"empty body"_s : invalidJsonReason(f, body, parseError);
            c.body = QString::fromUtf8(body.left(Outcome::RawBodyLimit));
        }
    } else {
        c.kind = OutcomeKind::HttpError;
        c.error = u"HTTP %1 %2"_s.arg(f.httpStatus).arg(f.reasonPhrase).trimmed();
        if (f.httpStatus >= 300 && f.httpStatus < 400 && !f.location.isEmpty()) {
            // Only reached when redirects are off (a refused hop has its own reason).
            c.error += u"; to %1, not followed (followRedirects is off: --follow-redirects)"_s.arg(
                QString::fromUtf8(f.location.left(200)));
        }
        c.body = parsedOrRaw();
        if (f.httpStatus == 429 || f.httpStatus >= 500) {
            c.transient = true;
            if (!f.retryAfter.isEmpty()) {
                c.retryAfterMs = parseRetryAfterMs(f.retryAfter, now);
            }
        }
    }
    return c;
}

int parseRetryAfterMs(const QByteArray &value, const QDateTime &now)
{
    const QByteArray text = value.trimmed();
    if (text.isEmpty()) {
        return -1;
    }
    if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        // Saturating: "2147484" seconds overflowed an int (found by fuzzing); an absurdly long
        // wait is capped by backoffCapMs anyway.
        qint64 ms = 0;
        for (const char c : text) {
            ms = std::min<qint64>(ms * 10 + (c - '0'), std::numeric_limits<int>::max());
        }
        return int(std::min<qint64>(ms * 1000, std::numeric_limits<int>::max()));
    }
    // HTTP-date (RFC 9110 IMF-fixdate), e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
    const QDateTime parsed =
        QLocale::c().toDateTime(QString::fromLatin1(text), u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s);
    if (!parsed.isValid()) {
        return -1;
    }
    const QDateTime when(parsed.date(), parsed.time(), Qt::UTC);
    const qint64 ms = now.msecsTo(when);
    return int(std::clamp<qint64>(ms, 0, std::numeric_limits<int>::max()));
}

int backoffDelayMs(const FetchOptions &options, int nextAttempt, int retryAfterMs)
{
    if (retryAfterMs >= 0) {
        return std::min(retryAfterMs, options.backoffCapMs);
    }
    const int exponent = std::clamp(nextAttempt - 2, 0, 20);
    const qint64 delay =
        std::min<qint64>(qint64(options.backoffBaseMs) << exponent, options.backoffCapMs);
    if (delay <= 1) {
        return int(delay);
    }
    // "Equal jitter": half fixed, half random, so retries of many nodes spread out but a retry
    // never comes much sooner than the schedule says.
    const qint64 half = delay / 2;
    return int(half + QRandomGenerator::global()->bounded(half + 1));
}

} // namespace Artemis
