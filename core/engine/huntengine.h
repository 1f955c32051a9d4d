#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <deque>
#include <memory>
#include <optional>

#include "core/base/result.h"
#include "core/fetch/fetchoptions.h"
#include "core/fetch/outcome.h"
#include "core/hunt/huntinfo.h"
#include "core/net/target.h"
#include "core/net/targetpolicy.h"

namespace Artemis {

class Executor;
class HuntRun;
class ResultStore;

struct EngineConfig
{
    int maxRunning = 4;           // hunts fetching at once
    int maxQueued = 64;           // hunts waiting; more are refused (Busy)
    int maxNodes = 1000000;       // nodes per hunt
    int progressIntervalMs = 100; // at most ~10 progress signals a second per hunt
    // Checked against every node's literal host at submit (a denied node refuses the hunt with
    // ErrorCode::Denied listing each one); null = no policy. Resolved addresses are checked by
    // the executor's fetchers, which should get the same policy.
    TargetPolicyPtr policy;
    // What files a hunt's auth rules may name (core/base/fileaccess.h), read at submit. The service
    // passes its --allow-files dirs (API requests parse caFile through the same); the CLI and
    // the GUI, whose paths are the operator's own, keep the default.
    FileAccess files = FileAccess::unrestricted();
};

// Accepts hunts, stores them, runs them on an Executor, and reports progress.
// Lives on the thread that created it (the main thread); all calls from that thread.
class HuntEngine final : public QObject
{
    Q_OBJECT
public:
    // `store` and `executor` are not owned and must outlive the engine.
    HuntEngine(ResultStore *store, Executor *executor, EngineConfig config = {},
               QObject *parent = nullptr);
    ~HuntEngine() override;

    // Validates and stores the hunt as queued; starts it when a slot is free. Returns its
    // manifest at once; the hunt runs asynchronously.
    Result<HuntInfo> submit(const HuntRequest &request);
    Result<void> cancel(const QString &id);
    // Runs a stored hunt again for its nodes without a stored outcome (distributed mode: a
    // restarted coordinator picks up hunts whose workers may still be fetching). Counts start
    // from the stored results. Fails if the hunt is active or cannot be read.
    Result<HuntInfo> resume(const QString &id);

    // Manifest of a queued or running hunt (live counts), or nullopt when not active.
    std::optional<HuntInfo> activeInfo(const QString &id) const;
    QList<HuntInfo> activeHunts() const;
    // A running hunt's live view: counts, moving-window rate and the nodes it still waits on
    // (oldest first, bounded); newOutcomes is empty. nullopt when the hunt is not active.
    std::optional<HuntProgress> liveProgress(const QString &id) const;
    // The final manifest of a hunt that ended but could not store it (disk full, read-only):
    // the store still shows an older state. Kept until removeHunt() or the process ends.
    std::optional<HuntInfo> unstoredInfo(const QString &id) const;
    QList<HuntInfo> unstoredHunts() const;
    // Deletes a finished hunt's data from the store, and what the engine remembers of it. The
    // one way to delete a hunt (API DELETE, schedule retention).
    Result<void> removeHunt(const QString &id);
    int runningCount() const;
    int queuedCount() const;

    // Stops everything now: running and queued hunts are stored as interrupted after their
    // results so far are written. For clean shutdown (SIGTERM).
    void shutdown();

    ResultStore *store() const { return m_store; }
    const EngineConfig &config() const { return m_config; }

Q_SIGNALS:
    void huntQueued(const Artemis::HuntInfo &info);
    void huntStarted(const Artemis::HuntInfo &info);
    void huntProgress(const Artemis::HuntProgress &progress);
    void huntFinished(const Artemis::HuntInfo &info);
    void huntRemoved(const QString &id); // its data was deleted (removeHunt)

private:
    HuntInfo enqueue(const HuntInfo &info, QList<Target> targets); // a child run, queued
    void startQueued();
    void onRunFinished(HuntRun *run);

    ResultStore *m_store; // not owned
    Executor *m_executor; // not owned
    EngineConfig m_config;
    quint64 m_nextKey = 1;
    std::deque<HuntRun *> m_queue;       // children of this; not yet started
    QHash<QString, HuntRun *> m_runs;    // children of this; queued or running, by id
    QHash<QString, HuntInfo> m_unstored; // see unstoredInfo()
};

} // namespace Artemis

Q_DECLARE_METATYPE(Artemis::HuntProgress)
