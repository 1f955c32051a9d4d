#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QDateTime>
#include <QFuture>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include "core/base/result.h"
#include "core/hunt/huntinfo.h"
#include "core/inventory/nodesource.h"
#include "core/net/resolver.h"
#include "core/rules/alertstate.h"
#include "core/rules/schedule.h"
#include "core/store/nodehistory.h"
#include "core/watch/schedulerclock.h"

namespace Artemis {

class HuntEngine;

struct SchedulerConfig
{
    // Shortest interval accepted by create(). 1 s for the service and the CLI; tests inject
    // shorter ones to keep their runtime in seconds.
    qint64 minEveryMs = 1000;
    int maxSchedules = 100;
    // false: schedules live in memory only (the CLI's foreground `hunt --every`); true: they
    // are stored through the engine's ResultStore and load() brings them back after a restart.
    bool persist = true;
    // Time and wake-ups (core/watch/schedulerclock.h). Null: the system clock. Tests inject a
    // manual clock and advance it instead of waiting for intervals.
    std::shared_ptr<SchedulerClock> clock;
    // A schedule's nodesFrom http read, connect to last byte (core/inventory/nodesource.h).
    int nodeSourceTimeoutMs = 10000;
    // The name lookups of those reads (checked against the engine's policy); null: the system's.
    ResolverPtr resolver;
};

// Repeats hunts. Each round is a normal hunt submitted through the HuntEngine, linked to its
// schedule (HuntInfo::schedule, HuntInfo::round). Round k is due at the first round's time
// + k * every. When a round is due while the previous one is still queued or running, it is
// skipped and recorded (Schedule::skipped, lastSkippedAt, lastSkipReason), never stacked; a
// round the engine refuses (busy, a node now denied) is recorded the same way. Rounds beyond
// the retention policy are deleted from the store once finished. After a restart, load() runs
// one round at once if one was due while the process was down (no burst of missed rounds)
// and continues from there.
//
// A schedule with nodesFrom (core/inventory/nodesource.h) reads its source before each round it
// starts and runs the round on the list read; the list becomes the last good one (stored as the
// schedule's nodes) once the engine accepted the round. A read that fails, or a list the engine
// refuses (a bad or denied node), is recorded in Schedule::sourceStatus and the round runs on
// the last good list.
//
// Lives on the engine's thread (one alarm of the config's clock per schedule: a QTimer with
// the system clock); all calls from that thread. Borrows the engine (and its store), which must
// outlive it.
class Scheduler final : public QObject
{
    Q_OBJECT
public:
    explicit Scheduler(HuntEngine *engine, SchedulerConfig config = {}, QObject *parent = nullptr);
    ~Scheduler() override;

    // Reads the stored schedules and arms them (persist mode; a no-op otherwise). Returns their
    // ids. Call once, after the store was opened.
    Result<QStringList> load();

    // Validates, starts round 1 at once (so bad nodes, a denied node or a busy engine fail the
    // call and nothing is kept), stores the schedule and arms its timer.
    // A spec with nodesFrom needs its first list: use createLater (create() refuses it without
    // nodes; with nodes given, they are taken as the first read).
    Result<Schedule> create(ScheduleSpec spec);
    // create(), later: with nodesFrom, the source is read first (its host checked against the
    // target policy before), and a read that fails fails the creation with its reason. `done`
    // runs on this thread, never inside the call, and not at all once `context` is gone.
    void createLater(ScheduleSpec spec, QObject *context,
                     std::function<void(Result<Schedule>)> done);
    // Stops the schedule and forgets it; its rounds stay in the store as ordinary hunts (a
    // running round runs to its end). Returns the schedule as it was.
    Result<Schedule> remove(const QString &id);
    std::optional<Schedule> find(const QString &id) const;
    QList<Schedule> list() const; // oldest first

    // The last `limit` outcomes of `node` in the schedule's retained rounds, newest first,
    // with the value at the JSON `path` (core/base/jsonvalues.h syntax; empty = no values).
    Result<QList<NodeHistoryEntry>> history(const QString &id, const QString &node,
                                            const QString &path, int limit) const;
    // The same, checked now and read later: the returned task only reads the store, so it
    // may run on any thread (the GUI runs it on a pool).
    using HistoryTask = std::function<Result<QList<NodeHistoryEntry>>()>;
    Result<HistoryTask> historyTask(const QString &id, const QString &node, const QString &path,
                                    int limit) const;

    // The alert states of the schedule's nodes (only those not ok), as of the last evaluated
    // round. After each round that ended "done", the schedule's conditions are evaluated on its
    // stored results on the pool (core/rules/alertstate.h), the new states stored as alerts.json in
    // persist mode, and alertsEvaluated() emitted.
    Result<AlertBook> alerts(const QString &id) const;

    // Disarms every alarm: no round starts any more (shutdown, before the engine's).
    void stop();

    const SchedulerConfig &config() const { return m_config; }

Q_SIGNALS:
    void roundStarted(const QString &schedule, const Artemis::HuntInfo &info);
    void roundSkipped(const QString &schedule, const QString &reason);
    // Hunts deleted by the retention policy (caches of their manifests should forget them).
    void roundsPruned(const QString &schedule, const QStringList &hunts);
    // A round's conditions were evaluated: the alerts firing after it and those it resolved
    // (core/watch/alertsink.h delivers them), with the schedule's webhook.
    void alertsEvaluated(const Artemis::RoundAlerts &alerts, const QString &webhook,
                         qint64 everyMs);

private:
    struct Entry
    {
        Schedule schedule;
        std::shared_ptr<SchedulerAlarm> alarm; // made by m_clock; calls onDue()
        AlertBook alerts;
        // Finished rounds waiting for their evaluation (one at a time, in order), with the
        // time their results were complete.
        QList<QPair<HuntInfo, QDateTime>> alertQueue;
        bool evaluating = false;
        bool reading = false; // its nodesFrom is being read for the next round
    };

    void evaluateAlerts(const QString &id);

    Result<HuntInfo> submitRound(const Schedule &schedule, const NodeFile *list = nullptr);
    Result<void> checkSpec(const ScheduleSpec &spec) const;
    void readSourceThenRun(Entry &entry, const QDateTime &due);
    // Submits with `read` when it holds a list, and adopts it when the engine takes it.
    Result<HuntInfo> submitWithRead(Schedule &schedule, const Result<NodeFile> &read);
    void insert(Schedule schedule);
    void arm(Entry &entry);
    void onDue(const QString &id);
    void runRound(Entry &entry, const QDateTime &due,
                  const std::optional<Result<NodeFile>> &read = std::nullopt);
    bool prune(Schedule &schedule); // true when rounds were removed
    void save(const Schedule &schedule);
    QDateTime now() const { return m_config.clock->now(); }

    HuntEngine *m_engine;       // not owned
    SchedulerConfig m_config;   // m_config.clock is never null
    NodeSourceReader *m_reader; // child
    QHash<QString, Entry> m_entries;
    QList<QFuture<void>> m_evaluations; // waited for at destruction: they use the store
    bool m_stopped = false;
};

} // namespace Artemis
