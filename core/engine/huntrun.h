#pragma once

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QList>
#include <QObject>
#include <QTimer>

#include <deque>
#include <functional>

#include "core/engine/huntengine.h"
#include "core/hunt/huntinfo.h"
#include "core/hunt/unfinishednodes.h"
#include "core/net/target.h"

namespace Artemis {

class Executor;
class ResultStore;

// One hunt from start to end: hands targets to the executor (at most `concurrency` in flight),
// collects outcomes, writes them to the store in order on the thread pool (one write at a time,
// so a hunt's file is never written by two threads), emits batched progress, and finishes.
// With a start-jitter window (HuntInfo::spreadMs) each target is handed out no earlier than
// its own offset into the window, a hash of the node: the jitter lives here, in dispatch, so
// the Fetcher and every Executor (local threads or Redis workers) get it unchanged.
// Lives on the engine's thread; owned by the HuntEngine.
class HuntRun final : public QObject
{
    Q_OBJECT
public:
    // `info` may be a resumed hunt (done > 0, startedAt set) whose `targets` are the nodes not
    // yet stored.
    HuntRun(HuntInfo info, QList<Target> targets, quint64 key, ResultStore *store,
            Executor *executor, int progressIntervalMs, QObject *parent);
    ~HuntRun() override;

    const HuntInfo &info() const { return m_info; }
    // False when the hunt ended but its final manifest could not be written (disk full,
    // read-only): the store still shows an older state, and info() is the truth.
    bool finalManifestStored() const { return m_finalManifestStored; }
    quint64 key() const { return m_key; }

    void start();
    void cancel();
    // The hunt's deadline passed (HuntInfo::deadlineMs): as cancel(), but what was not
    // answered ends as `timeout` naming the deadline, and the hunt is done, not cancelled.
    void expire();
    // Shutdown: stop fetching, wait for pending writes, store the manifest as interrupted.
    void interrupt();
    void addOutcomes(const QList<Outcome> &given);
    void setRetryState(const QString &node, int attempt, bool waiting);
    // Counts, moving-window rate and the unfinished nodes now (newOutcomes empty).
    HuntProgress liveProgress() const;

Q_SIGNALS:
    void progress(const Artemis::HuntProgress &progress);
    void finished(Artemis::HuntRun *run);

private:
    using StoreTask = std::function<Result<void>()>;

    void dispatch();
    void spreadTargets();
    void enqueueWrite(StoreTask task);
    void runNextWrite();
    void onWriteDone();
    void emitProgress();
    void maybeFinish();
    void fail(const QString &message);
    QString deadlineText() const; // "the round deadline (4750ms) passed"
    StoreTask saveManifestTask();
    void keepOnlyStoredCounts();

    HuntInfo m_info;
    QList<Target> m_targets;
    QHash<QString, Labels> m_labels; // node -> labels, only of nodes that have some
    QList<int> m_startOffsetsMs;     // per target when spreading (sorted ascending), else empty
    QTimer m_spreadTimer;            // wakes dispatch() when the next offset is due
    quint64 m_key;
    ResultStore *m_store; // not owned
    Executor *m_executor; // not owned
    qsizetype m_nextTarget = 0;
    int m_inFlight = 0;
    int m_doneAtStart = 0; // outcomes stored before this run started (resumed hunts)
    bool m_cancelRequested = false;
    bool m_deadlinePassed = false; // expire(): cancelled in-flight outcomes become timeouts
    QTimer m_deadlineTimer;
    bool m_finishing = false;
    bool m_ended = false;
    QList<Outcome> m_unwritten;
    QList<Outcome> m_newForProgress;
    std::deque<StoreTask> m_writeQueue;
    QFutureWatcher<Result<void>> m_writeWatcher;
    bool m_writing = false;
    // Counts of the outcomes known to be in results.ndjson, and of the batch being appended:
    // when a write fails, the manifest reports what is stored, not what was received.
    OutcomeCounts m_stored;
    OutcomeCounts m_inWrite;
    bool m_finalManifestStored = true;
    QTimer m_progressTimer;
    QTimer m_manifestTimer;
    QElapsedTimer m_clock;
    UnfinishedNodes m_unfinished;
    RateWindow m_rate;
    qint64 m_lastOutcomeMs = 0; // of m_clock
    qint64 m_lastEmitMs = 0;    // of m_clock: progress is told at least every StillRunningMs
};

} // namespace Artemis
