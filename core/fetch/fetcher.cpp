#include "core/fetch/fetcher.h"

#include <mutex>

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSet>
#include <QSslCertificate>
#include <QSslConfiguration>

#include "core/base/logging.h"
#include "core/fetch/fetcherjob.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {
constexpr int FlushIntervalMs = 10;
constexpr int FlushBatchSize = 512;
} // namespace

Fetcher::Fetcher(QObject *parent)
    : QObject(parent),
      m_managers(new ManagerPool(this)),
      m_flushTimer(new QTimer(this)),
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
}

Fetcher::~Fetcher()
{
    // Replies die with their managers; make sure no handler of ours runs during that.
    m_managers->disconnectReplies(this);
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
    hunt->reuse = options.reuseConnections && !hunt->tls && m_managers->keptLimit() > 0;
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
    // sockets). A scheduled round's connections are kept for the next round (ManagerPool).
    job->keptKey.clear();
    if (hunt->reuse) {
        QString key = ManagerPool::connectionKey(wire, request.peerVerifyName());
        if (m_managers->mayKeep(key)) {
            job->keptKey = std::move(key);
        }
    }
    if (job->keptKey.isEmpty()) {
        request.setRawHeader("Connection", "close");
    }
    for (const auto &header : options.headers) {
        request.setRawHeader(header.first, header.second);
    }
    // Auth rules give each node its group's credentials (core/fetch/authrules.h), else basicAuth.
    const QByteArray authorization = options.auth.isEmpty()
                                         ? hunt->authorization
                                         : authorizationFor(options.auth, job->target.labels);
    if (!authorization.isEmpty()) {
        request.setRawHeader("Authorization", authorization);
    }
    if (hunt->tls) {
        request.setSslConfiguration(*hunt->tls);
    }

    QNetworkReply *reply = m_managers->get(request, job->keptKey);
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
    m_managers->release(reply, job->keptKey);
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
            m_managers->release(reply);
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

} // namespace Artemis
