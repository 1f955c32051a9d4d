#pragma once

#include <functional>
#include <memory>

#include <QHash>
#include <QList>
#include <QSet>
#include <QTimer>

#include "core/broker/redisurl.h"
#include "core/broker/wire.h"
#include "core/hunt/executor.h"

namespace Artemis {

class RedisConnection;

struct RedisExecutorConfig
{
    int batchSize = 64;          // nodes per job entry
    int readCount = 256;         // result entries per XREADGROUP
    int blockMs = 1000;          // XREADGROUP BLOCK
    int cancelTtlSeconds = 3600; // cancel keys
    int workersPollMs = 2000;    // how often the worker list is refreshed
    int backlogCheckMs = 5000;   // how often our own unacknowledged results are read again
    // A hunt's lifetime: its spec key, then its `ended` marker, expire this long after it
    // started, and so do its jobs (the signed `expires` of each); a job older is refused.
    int huntTtlSeconds = 7 * 86400;
    // The coordinator's target policy, sent with every hunt (Wire::HuntSpec::policy): each
    // worker checks it besides its own, on the host and on every address it resolves.
    TargetPolicyPtr policy;
    // --broker-secret-file: jobs and hunt specs are signed, their secrets sealed, and only
    // results signed with it are taken. Without one, hunts with header values or a password
    // are refused (accepts()): they would cross Redis in clear.
    BrokerSecretPtr secret;
};

// The coordinator's Executor in distributed mode: hunts' nodes become job entries (batches,
// pipelined XADDs) on the jobs stream; workers' outcomes come back on the results stream, read
// with XREADGROUP on a second connection (a blocking read occupies its connection).
//
// Delivery is at-least-once; each (hunt, node) reaches outcomesReady exactly once: an outcome
// is accepted only for a node submitted and not yet answered. When Redis comes back empty
// (restarted without persistence), every unanswered node is sent again.
//
// Lives on the engine's thread; owns its connections.
class RedisExecutor final : public Executor
{
    Q_OBJECT
public:
    explicit RedisExecutor(RedisUrl url, RedisExecutorConfig config = {},
                           QObject *parent = nullptr);
    ~RedisExecutor() override;

    // Connects and starts sending jobs. Results are read once startReading() is called: call
    // it after resuming hunts, so outcomes for them are not dropped as unknown.
    void open();
    void startReading();

    // Calls `done` (once connected) with those of `ids` whose spec is still in Redis: hunts an
    // earlier coordinator left running, whose jobs and outcomes may still be in the streams.
    void findResumable(const QStringList &ids, std::function<void(const QStringList &)> done);

    // From now on cancel() and endHunt() only forget hunts here and leave Redis alone, so a
    // restarted coordinator can resume them. For shutdown.
    void detach() { m_detached = true; }

    bool isConnected() const;
    const RedisUrl &url() const { return m_url; }
    QList<Wire::WorkerInfo> workers() const { return m_workers; }

    // Results refused since start: unsigned or with a forged `mac` (with a secret only).
    qint64 refusedResults() const { return m_refusedResults; }

    Result<void> accepts(const FetchOptions &options) const override;
    void describeHunt(quint64 key, const HuntInfo &info) override;
    void beginHunt(quint64 key, const FetchOptions &options) override;
    void submit(quint64 key, const QList<Target> &targets) override;
    void cancel(quint64 key) override;
    void endHunt(quint64 key) override;

Q_SIGNALS:
    void workersChanged();
    // Redis refused the first handshake (wrong or missing password, bad database): distributed
    // mode cannot work. `why` never contains the password.
    void brokerFailed(const QString &why);

private:
    struct Hunt
    {
        Wire::HuntSpec spec;
        QHash<QString, Target> outstanding; // submitted, no outcome accepted yet
        QList<Target> unsent;               // not (successfully) XADDed yet
    };

    void onCommandsConnected();
    void checkResumable(const QStringList &ids, std::function<void(const QStringList &)> done);
    void storeSpec(const Hunt &hunt, bool onlyIfMissing, std::function<void(bool)> stored);
    void scheduleFlush();
    void flush();
    void onReaderConnected();
    void readNext();
    void onRead(const RedisReply &reply);
    void accept(const QList<Wire::StreamEntry> &entries);
    void pollWorkers();

    RedisUrl m_url;
    RedisExecutorConfig m_config;
    QHash<quint64, Hunt> m_hunts;
    QHash<QString, quint64> m_keyById;
    QList<std::function<void()>> m_whenConnected;
    QList<Wire::WorkerInfo> m_workers;
    QTimer m_flushTimer;
    QTimer m_workersTimer;
    QTimer m_backlogTimer;
    qint64 m_refusedResults = 0;
    bool m_detached = false;
    bool m_failed = false;      // brokerFailed() was emitted
    bool m_reading = false;     // startReading() was called
    bool m_readPending = false; // an XREADGROUP is on the wire
    bool m_backlog = true;      // first read our own pending entries (id 0), then new ones
    // Declared last: destroyed first, so no reply callback outlives the state above.
    std::unique_ptr<RedisConnection> m_commands;
    std::unique_ptr<RedisConnection> m_reader;
};

} // namespace Artemis
