#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <list>
#include <memory>
#include <vector>

#include "core/fetchoptions.h"
#include "core/outbounddialer.h"
#include "core/outcome.h"
#include "core/resolver.h"
#include "core/target.h"
#include "core/targetpolicy.h"

class QNetworkAccessManager;

namespace Artemis {

// Fetches targets over HTTP(S) with one QNetworkAccessManager, applying a hunt's options:
// per-attempt deadline, body cap, per-host cap, retries with backoff for transient failures.
// Outcomes are collected and emitted in batches (outcomesReady) at most every few ms.
//
// Thread: lives on one fetch thread; created there (or moved there before first use) and called
// only through queued invocations. It owns its QNetworkAccessManager.
class Fetcher final : public QObject
{
    Q_OBJECT
public:
    explicit Fetcher(QObject *parent = nullptr);
    ~Fetcher() override;

    // Set before the fetcher is used (before moveToThread). A target's host is checked once; when
    // it is a name, every attempt and every redirect hop resolves it (asynchronously, through the
    // Resolver), checks each address it gets, and connects only to one of those addresses: a
    // denied one ends the node as `denied`, a failed lookup as `dns` (both final).
    void setTargetPolicy(TargetPolicyPtr policy) { m_policy = std::move(policy); }
    // Set before use; the default is a SystemResolver. Tests feed names through their own.
    void setResolver(ResolverPtr resolver) { m_resolver = std::move(resolver); }
    // Set before use: at most this many distinct connection keys (scheme, address, port, peer
    // verify name) kept open between hunts with FetchOptions::reuseConnections; requests to
    // further hosts say `Connection: close`. 0: no reuse at all.
    void setKeptConnectionLimit(int limit) { m_keptLimit = limit; }

    // Kept connections are closed (their manager deleted) once no hunt has used them for this
    // long: longer than ReuseWindowMs plus a round, shorter than Qt's own cache expiry.
    static constexpr int KeptIdleMs = FetchOptions::ReuseWindowMs + 30000;
    // Default limit per fetch thread (LocalExecutor divides a process budget among threads).
    static constexpr int DefaultKeptConnectionLimit = 8192;

public Q_SLOTS:
    void beginHunt(quint64 key, const Artemis::FetchOptions &options);
    void fetch(quint64 key, const QList<Artemis::Target> &targets);
    void cancel(quint64 key);
    void endHunt(quint64 key);

Q_SIGNALS:
    void outcomesReady(quint64 key, const QList<Artemis::Outcome> &outcomes);
    void retryStateChanged(quint64 key, const QString &node, int attempt, bool waiting);

private:
    struct Job;
    struct Hunt;

    struct NamSlot
    {
        std::unique_ptr<QNetworkAccessManager> nam;
        int started = 0; // requests ever made through it
        int active = 0;  // replies not yet finished
    };
    NamSlot &currentNam();
    // The manager kept across hunts when `key` (a connection's cache key) may be kept: already
    // kept, or room left (stale keys evicted first); else null (the request closes).
    NamSlot *keptNam(const QString &key);
    void dropKeptNamIfIdle();
    void releaseNam(QNetworkReply *reply); // its request is over
    void retireIdleNams();
    void pump(Hunt &hunt, const QString &hostKey);
    void startAttempt(const std::shared_ptr<Job> &job);
    // One hop of an attempt: resolves url's host when it is a name, then sendRequest.
    // `redirectTarget` is empty for the first hop, else the hop's URL as shown in errors.
    void connectHop(const std::shared_ptr<Job> &job, const QUrl &url,
                    const QString &redirectTarget);
    void onResolved(const std::shared_ptr<Job> &job, quint64 lookup, const QUrl &url,
                    const QString &redirectTarget, const QList<QHostAddress> &addresses,
                    const QString &error);
    void onLookupTimeout(const std::shared_ptr<Job> &job, quint64 lookup);
    // Requests `url` from job->addresses[job->addressIndex] (the host itself when a literal).
    void sendRequest(const std::shared_ptr<Job> &job, const QUrl &url);
    bool tryNextAddress(const std::shared_ptr<Job> &job, QNetworkReply *reply);
    bool followRedirect(const std::shared_ptr<Job> &job, QNetworkReply *reply);
    bool checkPolicy(const std::shared_ptr<Job> &job); // false: the host is denied
    void releaseSlot(const std::shared_ptr<Job> &job); // after a fetch ended without a reply
    void onFinished(const std::shared_ptr<Job> &job, QNetworkReply *reply);
    void finishJob(const std::shared_ptr<Job> &job, Outcome outcome, bool transient,
                   int retryAfterMs);
    void complete(const std::shared_ptr<Job> &job, Outcome outcome);
    void queueOutcome(quint64 key, Outcome outcome);
    void flush();

    std::list<NamSlot> m_nams; // back() takes new requests; the others retire when idle
    // Connections kept between hunts (reuseConnections): managers that are never rotated, each
    // holding at most KeptPerManager keys, all deleted after KeptIdleMs without use.
    // m_keptKeys: connection key -> its manager and when last used (ms of m_clock), at most
    // m_keptLimit of them.
    struct KeptKey
    {
        qint64 lastUse = 0;
        int manager = 0; // index into m_kept
    };
    std::vector<NamSlot> m_kept;
    std::vector<int> m_keptPerManager; // keys held by m_kept[i]
    QHash<QString, KeptKey> m_keptKeys;
    qint64 m_keptLastUse = 0;
    qint64 m_keptLastEviction = -1;
    int m_keptLimit = DefaultKeptConnectionLimit;
    QElapsedTimer m_clock;
    QHash<quint64, std::shared_ptr<Hunt>> m_hunts;
    QHash<quint64, QList<Outcome>> m_pending; // outcomes not yet emitted
    QTimer *m_flushTimer;                     // child: moves to the fetch thread with this
    QTimer *m_keptTimer;                      // child: checks whether m_kept went idle
    TargetPolicyPtr m_policy;
    ResolverPtr m_resolver;
    quint64 m_lookups = 0; // lookups ever started: each has its number, to drop stale answers
};

// What is known about one finished attempt, for classifyAttempt.
struct AttemptFacts
{
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorString;
    int httpStatus = 0;
    QString reasonPhrase;
    QByteArray retryAfter;
    QByteArray contentType;    // the raw header; text/plain bodies may be Prometheus text
    qint64 contentLength = -1; // from the header; -1 when absent
    QByteArray location;       // of a 3xx answer
    QString host;
    bool timedOut = false;  // our deadline fired
    bool tooLarge = false;  // body over the cap
    bool cancelled = false; // the hunt was cancelled
    // We refused to follow a redirect (policy, scheme, origin): the outcome and why. Final.
    std::optional<OutcomeKind> refusedKind;
    QString refusedReason;
};

struct Classification
{
    OutcomeKind kind = OutcomeKind::Error;
    QString error;
    QJsonValue body;
    QString raw;            // the text a non-JSON body was converted from (Outcome::raw)
    bool transient = false; // worth another attempt
    int retryAfterMs = -1;  // from Retry-After, when given
};

// Maps an attempt to its outcome: the retry rules live here (refused, reset, timeout, 5xx and
// 429 are transient; everything else is final). A 2xx body that is not JSON but is served as
// text/plain or OpenMetrics is parsed as Prometheus text (outcome ok, the text kept in `raw`).
// Pure; exposed for tests.
Classification classifyAttempt(const AttemptFacts &facts, const QByteArray &body,
                               const FetchOptions &options, const QDateTime &now);

// Parses Retry-After; exposed for tests. `retryAfterMs` is set for 429/503 with
// a Retry-After header (seconds or HTTP date), else -1.
int parseRetryAfterMs(const QByteArray &value, const QDateTime &now);

// Delay before attempt number `nextAttempt` (2 = first retry): exponential from base, capped,
// with jitter in [delay/2, delay]. A Retry-After (>= 0) replaces it, capped at cap.
int backoffDelayMs(const FetchOptions &options, int nextAttempt, int retryAfterMs);

} // namespace Artemis
