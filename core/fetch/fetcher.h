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

#include "core/fetch/attemptclassifier.h"
#include "core/fetch/fetchoptions.h"
#include "core/fetch/managerpool.h"
#include "core/fetch/outcome.h"
#include "core/net/outbounddialer.h"
#include "core/net/resolver.h"
#include "core/net/target.h"
#include "core/net/targetpolicy.h"

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
    void setKeptConnectionLimit(int limit) { m_managers->setKeptLimit(limit); }

    static constexpr int KeptIdleMs = ManagerPool::KeptIdleMs;
    static constexpr int DefaultKeptConnectionLimit = ManagerPool::DefaultKeptLimit;

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

    ManagerPool *m_managers; // child: the managers requests go through
    QHash<quint64, std::shared_ptr<Hunt>> m_hunts;
    QHash<quint64, QList<Outcome>> m_pending; // outcomes not yet emitted
    QTimer *m_flushTimer;                     // child: moves to the fetch thread with this
    TargetPolicyPtr m_policy;
    ResolverPtr m_resolver;
    quint64 m_lookups = 0; // lookups ever started: each has its number, to drop stale answers
};

} // namespace Artemis
