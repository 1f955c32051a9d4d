#pragma once

#include <functional>
#include <memory>

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

#include "core/broker/expiringset.h"
#include "core/broker/redisurl.h"
#include "core/broker/wire.h"
#include "core/net/targetpolicy.h"

namespace Artemis {

class LocalExecutor;
class RedisConnection;

struct RedisWorkerConfig
{
    QString name;             // consumer name; unique among workers (default host-pid)
    int concurrency = 256;    // nodes fetched at once
    int threads = 1;          // fetch threads
    int visibilityMs = 30000; // a job pending this long without its worker is taken over
    int heartbeatMs = 2000;
    int cancelPollMs = 250;
    int blockMs = 1000;     // XREADGROUP BLOCK
    int drainMs = 30000;    // stop() waits at most this long for the jobs in hand
    TargetPolicyPtr policy; // checked by the fetchers (null: none)
    // --broker-secret-file: only jobs and hunt specs signed with it are fetched, whatever Redis
    // holds (artemis:signing is only compared, for a warning); outcomes are signed with it.
    // Null: unsigned jobs are taken, signed hunts refused, and a coordinator that signs stops
    // the worker (brokerFailed).
    BrokerSecretPtr secret;
};

// A distributed-mode worker: reads jobs (XREADGROUP on its own connection, as long as it has
// room), fetches their nodes with a LocalExecutor (the same core Fetcher as local mode), XADDs
// the outcomes to the results stream and XACKs + XDELs a job only once all its outcomes are
// stored in Redis. Takes over jobs left pending by dead workers (XAUTOCLAIM) and keeps its
// own jobs from being taken (XCLAIM refreshes their idle time). Heartbeats a key with a TTL.
// Refuses (acknowledges and deletes unfetched, counts, logs) a job that is unsigned or forged,
// past its expiry, taken here before, or of a hunt that is cancelled, over or unknown.
//
// Lives on the thread that created it (the main thread); owns its connections and executor.
class RedisWorker final : public QObject
{
    Q_OBJECT
public:
    RedisWorker(RedisUrl url, RedisWorkerConfig config, QObject *parent = nullptr);
    ~RedisWorker() override;

    void start();
    // Takes no new jobs, finishes the ones it holds, leaves the worker list, then stopped().
    // Within drainMs whatever happens (Redis stalled or gone): jobs still unfinished then stay
    // pending in Redis and another worker takes them over after the visibility timeout.
    void stop();

    const RedisWorkerConfig &config() const { return m_config; }
    int inFlight() const { return m_inFlight; }
    qint64 done() const { return m_done; }
    // Jobs refused since start: unsigned, forged, expired, replayed, or for a hunt that is
    // cancelled, over, unknown, or whose spec was refused.
    qint64 refusedJobs() const { return m_refusedJobs; }
    // What the heartbeat says (GET /api/v1/workers, worker --metrics-listen).
    Wire::WorkerInfo info() const;
    bool isConnected() const;
    static constexpr int RateWindowMs = 10000; // nodesPerSecond is averaged over this

Q_SIGNALS:
    void stopped();
    // Redis refused the first handshake (wrong or missing password, bad database): this worker
    // cannot work. `why` never contains the password.
    void brokerFailed(const QString &why);

private:
    struct Job
    {
        QByteArray entryId;
        QByteArray jobId; // the coordinator's (signed) id: the same in every copy of the job
        qint64 expiresAtMs = 0;
        QString huntId;
        quint64 localKey = 0;
        int remaining = 0;        // nodes without an outcome yet
        int sending = 0;          // XADDs of outcomes awaiting their reply
        QList<QByteArray> unsent; // outcome payloads to XADD again after reconnecting
        QByteArray nodes;         // the job's nodes (JSON) until it starts
    };

    void onReaderConnected();
    void onCommandsConnected();
    void readNext();
    void onJobs(const QList<Wire::StreamEntry> &entries);
    void requestSpec(const QString &huntId);
    void startJob(const QByteArray &entryId);
    void onOutcomes(quint64 localKey, const QList<Outcome> &outcomes);
    void sendOutcomes(const QByteArray &entryId, const QByteArray &payload);
    void maybeFinishJob(const QByteArray &entryId);
    void dropJob(const QByteArray &entryId); // ack + delete without fetching
    void refuseJob(const QByteArray &entryId, const QString &why);
    // Why a signed, well-formed job must not be fetched now; empty when it may.
    QString replayRefusal(const Job &job, qint64 nowMs) const;
    // Compares the coordinator's signing mark with ours. With a secret: a mismatch is a
    // warning (log, heartbeat, metric), and `then` is called. Without one: a coordinator that
    // signs fails the worker (brokerFailed) and `then` is not called.
    void checkSigning(std::function<void()> then);
    void fail(const QString &why);
    void claimStale();
    void refreshClaims();
    void pollCancels();
    void heartbeat();
    void maybeStopped();
    void finishStop();
    void resendUnsent(const QByteArray &entryId);
    int room() const;

    RedisUrl m_url;
    RedisWorkerConfig m_config;
    QHash<QByteArray, Job> m_jobs;          // by entry id
    QHash<quint64, QByteArray> m_jobByKey;  // local executor key -> entry id
    QHash<QString, Wire::HuntSpec> m_specs; // hunts with jobs here
    QHash<QString, QList<QByteArray>> m_waitingForSpec;
    QSet<QString> m_cancelled;
    // Remembered until their expiry, so that a copy added again later is refused even if Redis
    // has been rolled back: job ids taken here, hunts seen ended (utf-8 ids).
    ExpiringSet m_takenJobs{100000}; // ~100 bytes each: 10 MB at most, 6.4 M nodes of jobs
    ExpiringSet m_endedHunts{10000};
    QString m_signingMismatch;   // with a secret: why the coordinator's mark is not ours
    QList<QByteArray> m_unacked; // finished jobs whose XACK failed
    int m_inFlight = 0;
    qint64 m_done = 0;
    qint64 m_refusedJobs = 0;
    qint64 m_errors = 0;
    QList<QPair<qint64, qint64>> m_rateSamples; // (ms since epoch, m_done), oldest first
    quint64 m_nextKey = 1;
    bool m_readPending = false;
    bool m_stopping = false;
    bool m_stopped = false;     // final clean-up sent
    bool m_stopEmitted = false; // stopped() emitted
    bool m_failed = false;      // brokerFailed() emitted
    QByteArray m_claimCursor = "0-0";
    QDateTime m_startedAt;
    QTimer m_heartbeatTimer;
    QTimer m_claimTimer;
    QTimer m_refreshTimer;
    QTimer m_cancelTimer;
    QTimer m_drainTimer;
    // Declared last: destroyed first, so no callback outlives the state above.
    std::unique_ptr<LocalExecutor> m_executor;
    std::unique_ptr<RedisConnection> m_commands;
    std::unique_ptr<RedisConnection> m_reader;
};

} // namespace Artemis
