#include "core/watch/scheduler.h"

#include <QFuture>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <QtConcurrentRun>

#include "core/base/duration.h"
#include "core/base/huntid.h"
#include "core/base/logging.h"
#include "core/base/plural.h"
#include "core/base/whenfinished.h"
#include "core/engine/huntengine.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

// QTimer takes an int; a longer wait is re-armed when the timer fires early.
constexpr qint64 MaxTimerMs = 86400000;
constexpr int MaxHistoryLimit = 1000;

// The Scheduler re-arms an alarm that fires before its time (a wait over MaxTimerMs, or the
// system clock moved back), so a plain timer is enough.
class SystemAlarm final : public SchedulerAlarm
{
public:
    SystemAlarm(QObject *context, std::function<void()> onDue)
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, context, std::move(onDue));
    }
    void set(const QDateTime &at) override
    {
        const qint64 wait =
            std::clamp<qint64>(QDateTime::currentDateTimeUtc().msecsTo(at), 0, MaxTimerMs);
        m_timer.start(int(wait));
    }
    void cancel() override { m_timer.stop(); }

private:
    QTimer m_timer; // on the thread that made the alarm (the Scheduler's)
};

class SystemClock final : public SchedulerClock
{
public:
    QDateTime now() const override { return QDateTime::currentDateTimeUtc(); }
    std::unique_ptr<SchedulerAlarm> createAlarm(QObject *context,
                                                std::function<void()> onDue) override
    {
        return std::make_unique<SystemAlarm>(context, std::move(onDue));
    }
};

// The first slot due + k * every (k >= 1) that is still in the future: a late timer (or a
// stopped process) does not make up for the slots it missed.
QDateTime nextSlot(const QDateTime &due, qint64 everyMs, const QDateTime &current)
{
    QDateTime next = due.addMSecs(everyMs);
    if (next <= current) {
        const qint64 behind = due.msecsTo(current);
        next = due.addMSecs((behind / everyMs + 1) * everyMs);
    }
    return next;
}

Result<void> validate(const ScheduleSpec &spec, const SchedulerConfig &config)
{
    auto bad = [](const QString &message) {
        return makeError(ErrorCode::InvalidArgument, message);
    };
    if (spec.everyMs < config.minEveryMs || spec.everyMs > ScheduleSpec::MaxEveryMs) {
        return bad(u"'every' must be from %1 to %2, not %3"_s.arg(
            durationText(config.minEveryMs), durationText(ScheduleSpec::MaxEveryMs),
            durationText(spec.everyMs)));
    }
    if (spec.spreadMs > spec.everyMs / 2) {
        return bad(u"'spread' (%1) must be at most half of 'every' (%2)"_s.arg(
            durationText(spec.spreadMs), durationText(spec.everyMs)));
    }
    if (spec.deadlineMs == 0 || spec.deadlineMs > ScheduleSpec::MaxEveryMs) {
        return bad(
            u"'deadline' must be a positive duration, not %1"_s.arg(durationText(spec.deadlineMs)));
    }
    const RetentionPolicy &r = spec.retention;
    if (r.keepRounds < 0 || r.keepRounds > RetentionPolicy::MaxKeepRounds || r.maxAgeMs < 0
        || (r.keepRounds == 0 && r.maxAgeMs == 0)) {
        return bad(u"retention needs 'keep' from 1 to %1 rounds and/or a 'maxAge'"_s.arg(
            RetentionPolicy::MaxKeepRounds));
    }
    if (spec.maxRounds < 0) {
        return bad(u"'rounds' must not be negative"_s);
    }
    return {};
}

} // namespace

std::shared_ptr<SchedulerClock> systemSchedulerClock()
{
    static const std::shared_ptr<SchedulerClock> clock = std::make_shared<SystemClock>();
    return clock;
}

Scheduler::Scheduler(HuntEngine *engine, SchedulerConfig config, QObject *parent)
    : QObject(parent),
      m_engine(engine),
      m_config(std::move(config)),
      m_reader(new NodeSourceReader({m_config.nodeSourceTimeoutMs, m_engine->config().maxNodes,
                                     m_engine->config().policy, m_config.resolver,
                                     m_engine->config().files},
                                    this))
{
    if (!m_config.clock) {
        m_config.clock = systemSchedulerClock();
    }
    // A round that finished may let an older one be pruned.
    connect(m_engine, &HuntEngine::huntFinished, this, [this](const HuntInfo &info) {
        const auto it = m_entries.find(info.schedule);
        if (info.schedule.isEmpty() || it == m_entries.end()) {
            return;
        }
        // Before pruning: keep=1 never prunes the newest round, but the order states intent.
        if (info.state == HuntState::Done && !it->schedule.spec.alertRules().isEmpty()) {
            it->alertQueue.append({info, now()});
            evaluateAlerts(info.schedule);
        }
        if (prune(it->schedule)) {
            save(it->schedule);
        }
    });
}

Scheduler::~Scheduler()
{
    for (QFuture<void> &evaluation : m_evaluations) {
        evaluation.waitForFinished(); // a round's results being read: the store must stay
    }
}

Result<QStringList> Scheduler::load()
{
    QStringList ids;
    if (!m_config.persist) {
        return ids;
    }
    Result<QList<Schedule>> stored = m_engine->store()->loadSchedules();
    if (!stored) {
        return stored.error();
    }
    const QDateTime current = now();
    for (Schedule &schedule : *stored) {
        if (m_entries.contains(schedule.id)) {
            continue;
        }
        if (!schedule.completed) {
            const QDateTime last =
                schedule.lastRoundAt.isValid() ? schedule.lastRoundAt : schedule.createdAt;
            QDateTime next = last.isValid() ? last.addMSecs(schedule.spec.everyMs) : current;
            // Due while we were down: one round now, then the interval from there.
            schedule.nextRunAt = next < current ? current : next;
        }
        ids.append(schedule.id);
        const QString id = schedule.id;
        const AlertRuleList rules = schedule.spec.alertRules();
        insert(std::move(schedule));
        if (!rules.isEmpty()) {
            const Result<QJsonObject> alerts = m_engine->store()->loadScheduleAlerts(id);
            if (alerts) {
                Entry &entry = m_entries[id];
                entry.alerts = AlertBook::fromJson(*alerts);
                entry.alerts.keepOnly(rules);
            } else if (alerts.error().code != ErrorCode::NotFound) {
                qCWarning(lcSched).noquote()
                    << u"schedule %1: alert states lost: %2"_s.arg(id, alerts.error().message);
            }
        }
    }
    return ids;
}

Result<HuntInfo> Scheduler::submitRound(const Schedule &schedule, const NodeFile *list)
{
    HuntRequest request;
    request.nodes = list ? list->nodes : schedule.spec.nodes;
    request.labels = list ? list->labels : schedule.spec.labels;
    request.url = schedule.spec.url;
    request.options = schedule.spec.options;
    // The next round comes before the nodes (and Qt) close an idle connection: keep them.
    request.options.reuseConnections = schedule.spec.everyMs <= FetchOptions::ReuseWindowMs;
    request.origin = schedule.spec.origin;
    request.extract = schedule.spec.extract;
    request.schedule = schedule.id;
    request.round = schedule.roundsStarted + 1;
    request.spreadMs = schedule.spec.effectiveSpreadMs();
    request.deadlineMs = schedule.spec.effectiveDeadlineMs();
    return m_engine->submit(request);
}

Result<void> Scheduler::checkSpec(const ScheduleSpec &spec) const
{
    if (const Result<void> valid = validate(spec, m_config); !valid) {
        return valid.error();
    }
    // The webhook is a target like the nodes: the service must not POST where it may not GET.
    if (const TargetPolicyPtr &policy = m_engine->config().policy;
        policy && !spec.webhook.isEmpty()) {
        const QUrl hook(spec.webhook);
        if (const std::optional<QString> reason = policy->checkHost(hook.host())) {
            return makeError(
                ErrorCode::Denied,
                u"webhook host '%1' refused by the target policy: %2"_s.arg(hook.host(), *reason));
        }
    }
    if (spec.nodesFrom) {
        if (const Result<void> allowed =
                NodeSourceReader::checkPolicy(*spec.nodesFrom, m_engine->config().policy);
            !allowed) {
            return allowed;
        }
    }
    if (m_entries.size() >= m_config.maxSchedules) {
        return makeError(ErrorCode::Busy, u"%1 schedules exist; at most %2 (delete one first)"_s
                                              .arg(m_entries.size())
                                              .arg(m_config.maxSchedules));
    }
    return {};
}

void Scheduler::createLater(ScheduleSpec spec, QObject *context,
                            std::function<void(Result<Schedule>)> done)
{
    QPointer<QObject> guard(context);
    const Result<void> valid = checkSpec(spec);
    if (!valid || !spec.nodesFrom) {
        // Still later, as promised: the caller may not be ready for an answer inside the call.
        QMetaObject::invokeMethod(
            this,
            [this, guard, valid, spec = std::move(spec), done = std::move(done)]() mutable {
                if (guard) {
                    done(valid ? create(std::move(spec)) : Result<Schedule>(valid.error()));
                }
            },
            Qt::QueuedConnection);
        return;
    }
    const NodeSource source = *spec.nodesFrom;
    m_reader->read(source, this,
                   [this, guard, spec = std::move(spec),
                    done = std::move(done)](Result<NodeFile> read) mutable {
                       if (!guard) {
                           return;
                       }
                       if (!read) {
                           done(read.error());
                           return;
                       }
                       spec.nodes = std::move(read->nodes);
                       spec.labels = std::move(read->labels);
                       done(create(std::move(spec)));
                   });
}

Result<Schedule> Scheduler::create(ScheduleSpec spec)
{
    if (const Result<void> valid = checkSpec(spec); !valid) {
        return valid.error();
    }
    if (spec.nodesFrom && spec.nodes.isEmpty()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"a schedule with nodesFrom needs its first list read (createLater)"_s);
    }
    Schedule schedule;
    schedule.id = newHuntId();
    schedule.createdAt = now();
    schedule.spec = std::move(spec);
    if (schedule.spec.nodesFrom) {
        schedule.sourceStatus.recordSuccess(schedule.createdAt);
    }
    // Round 1 now: the engine validates nodes, path, options and the target policy.
    const Result<HuntInfo> first = submitRound(schedule);
    if (!first) {
        return first.error();
    }
    schedule.roundsStarted = 1;
    schedule.lastRoundAt = schedule.createdAt;
    schedule.rounds.append({first->id, 1, schedule.createdAt});
    schedule.completed = schedule.spec.maxRounds == 1;
    if (!schedule.completed) {
        schedule.nextRunAt = schedule.createdAt.addMSecs(schedule.spec.everyMs);
    }
    if (m_config.persist) {
        if (const Result<void> stored = m_engine->store()->createSchedule(schedule); !stored) {
            (void)m_engine->cancel(first->id);
            return stored.error();
        }
    }
    insert(schedule);
    Q_EMIT roundStarted(schedule.id, *first);
    return schedule;
}

void Scheduler::insert(Schedule schedule)
{
    const QString id = schedule.id;
    Entry entry{std::move(schedule),
                m_config.clock->createAlarm(this, [this, id] { onDue(id); }),
                {},
                {},
                false};
    Entry &stored = *m_entries.insert(id, std::move(entry));
    arm(stored);
}

void Scheduler::arm(Entry &entry)
{
    const Schedule &s = entry.schedule;
    if (m_stopped || s.completed || !s.nextRunAt.isValid()) {
        entry.alarm->cancel();
        return;
    }
    entry.alarm->set(s.nextRunAt);
}

void Scheduler::onDue(const QString &id)
{
    const auto it = m_entries.find(id);
    if (it == m_entries.end() || m_stopped) {
        return;
    }
    const QDateTime due = it->schedule.nextRunAt;
    if (now() < due) {
        arm(*it); // a long wait, or the clock moved back
        return;
    }
    const std::optional<HuntInfo> previous =
        it->schedule.rounds.isEmpty() ? std::nullopt
                                      : m_engine->activeInfo(it->schedule.rounds.last().hunt);
    // A round that will be skipped needs no list.
    if (it->schedule.spec.nodesFrom && !previous) {
        readSourceThenRun(*it, due);
        return;
    }
    runRound(*it, due);
}

void Scheduler::readSourceThenRun(Entry &entry, const QDateTime &due)
{
    if (entry.reading) {
        return; // the alarm fired again while the read runs: that read starts the round
    }
    entry.reading = true;
    const QString id = entry.schedule.id;
    m_reader->read(*entry.schedule.spec.nodesFrom, this,
                   [this, id, due](const Result<NodeFile> &read) {
                       const auto it = m_entries.find(id);
                       if (it == m_entries.end()) {
                           return; // removed meanwhile
                       }
                       it->reading = false;
                       if (!m_stopped) {
                           runRound(*it, due, read);
                       }
                   });
}

Result<HuntInfo> Scheduler::submitWithRead(Schedule &s, const Result<NodeFile> &read)
{
    const QDateTime current = now();
    if (!read) {
        s.sourceStatus.recordFailure(current, read.error().message);
        qCWarning(lcSched).noquote() << u"schedule %1: %2; the round runs on the last good list "
                                        "(%3 nodes)"_s.arg(s.id, read.error().message)
                                            .arg(s.spec.nodes.size());
        return submitRound(s);
    }
    Result<HuntInfo> submitted = submitRound(s, &*read);
    const ErrorCode code = submitted ? ErrorCode::InvalidArgument : submitted.error().code;
    const bool listRefused = !submitted
                             && (code == ErrorCode::InvalidNode || code == ErrorCode::Denied
                                 || code == ErrorCode::TooLarge);
    if (listRefused) {
        const QString why = u"nodesFrom %1: the list read was refused: %2"_s.arg(
            s.spec.nodesFrom->location, submitted.error().message);
        s.sourceStatus.recordFailure(current, why);
        qCWarning(lcSched).noquote()
            << u"schedule %1: %2; the round runs on the last good list"_s.arg(s.id, why);
        return submitRound(s);
    }
    s.sourceStatus.recordSuccess(current);
    if (!submitted) {
        return submitted; // busy: not the list's fault; it is read again next round
    }
    if (read->nodes != s.spec.nodes || read->labels != s.spec.labels) {
        s.spec.nodes = read->nodes;
        s.spec.labels = read->labels;
        if (m_config.persist) {
            const Result<void> stored =
                m_engine->store()->saveScheduleNodes(s.id, s.spec.nodes, s.spec.labels);
            if (!stored) {
                // Kept in memory; a restart before the next good read runs the older list.
                qCWarning(lcSched).noquote()
                    << u"schedule %1: cannot store its new node list: %2"_s.arg(
                           s.id, stored.error().message);
            }
        }
    }
    return submitted;
}

void Scheduler::runRound(Entry &entry, const QDateTime &due,
                         const std::optional<Result<NodeFile>> &read)
{
    Schedule &s = entry.schedule;
    const QDateTime current = now();
    QString skipped;
    auto skip = [&](const QString &reason) {
        ++s.skipped;
        s.lastSkippedAt = current;
        s.lastSkipReason = reason;
        skipped = reason;
        qCInfo(lcSched).noquote() << u"schedule %1: round skipped: %2"_s.arg(s.id, reason);
    };
    const std::optional<HuntInfo> previous =
        s.rounds.isEmpty() ? std::nullopt : m_engine->activeInfo(s.rounds.last().hunt);
    std::optional<HuntInfo> started;
    if (previous) {
        skip(u"round %1 (hunt %2) is still %3"_s.arg(previous->round)
                 .arg(previous->id, huntStateName(previous->state)));
    } else {
        const Result<HuntInfo> submitted = read ? submitWithRead(s, *read) : submitRound(s);
        if (submitted) {
            started = *submitted;
            ++s.roundsStarted;
            s.lastRoundAt = current;
            s.lastError.clear();
            s.rounds.append({submitted->id, s.roundsStarted, current});
        } else {
            s.lastError = submitted.error().message;
            skip(u"the engine refused the round: %1"_s.arg(submitted.error().message));
        }
    }
    if (s.spec.maxRounds > 0 && s.roundsStarted >= s.spec.maxRounds) {
        s.completed = true;
        s.nextRunAt = {};
    } else {
        s.nextRunAt = nextSlot(due, s.spec.everyMs, current);
    }
    prune(s);
    save(s);
    arm(entry);
    // Last: a slot may remove the schedule (and `entry` with it).
    const QString id = s.id;
    if (started) {
        Q_EMIT roundStarted(id, *started);
    } else {
        Q_EMIT roundSkipped(id, skipped);
    }
}

bool Scheduler::prune(Schedule &s)
{
    const RetentionPolicy &r = s.spec.retention;
    const QDateTime cutoff = r.maxAgeMs > 0 ? now().addMSecs(-r.maxAgeMs) : QDateTime();
    QStringList removed;
    // The newest round always stays: it is the schedule's current state.
    while (s.rounds.size() > 1) {
        const ScheduleRound &oldest = s.rounds.first();
        const bool tooMany = r.keepRounds > 0 && s.rounds.size() > r.keepRounds;
        const bool tooOld = cutoff.isValid() && oldest.startedAt < cutoff;
        if ((!tooMany && !tooOld) || m_engine->activeInfo(oldest.hunt)) {
            break;
        }
        const Result<void> gone = m_engine->removeHunt(oldest.hunt);
        if (!gone && gone.error().code != ErrorCode::NotFound) {
            qCWarning(lcSched).noquote() << u"schedule %1: cannot prune hunt %2: %3"_s.arg(
                s.id, oldest.hunt, gone.error().message);
            break; // tried again after the next round
        }
        removed.append(oldest.hunt);
        s.rounds.removeFirst();
    }
    if (removed.isEmpty()) {
        return false;
    }
    Q_EMIT roundsPruned(s.id, removed);
    return true;
}

void Scheduler::save(const Schedule &schedule)
{
    if (!m_config.persist) {
        return;
    }
    if (const Result<void> saved = m_engine->store()->saveSchedule(schedule); !saved) {
        // The schedule keeps running from memory; the next save tries again.
        qCWarning(lcSched).noquote()
            << u"schedule %1: cannot store its state: %2"_s.arg(schedule.id, saved.error().message);
    }
}

Result<Schedule> Scheduler::remove(const QString &id)
{
    const auto it = m_entries.find(id);
    if (it == m_entries.end()) {
        return makeError(ErrorCode::NotFound, u"no schedule with id '%1'"_s.arg(id));
    }
    if (m_config.persist) {
        // An evaluation of its last round may be writing alerts.json in the schedule's folder:
        // let it end first, or the folder is not empty when it is removed.
        for (QFuture<void> &evaluation : m_evaluations) {
            evaluation.waitForFinished();
        }
        const Result<void> removed = m_engine->store()->removeSchedule(id);
        if (!removed && removed.error().code != ErrorCode::NotFound) {
            return removed.error();
        }
    }
    Schedule schedule = std::move(it->schedule);
    it->alarm->cancel();
    m_entries.erase(it);
    return schedule;
}

std::optional<Schedule> Scheduler::find(const QString &id) const
{
    const auto it = m_entries.constFind(id);
    if (it == m_entries.cend()) {
        return std::nullopt;
    }
    return it->schedule;
}

QList<Schedule> Scheduler::list() const
{
    QList<Schedule> schedules;
    for (const Entry &entry : m_entries) {
        schedules.append(entry.schedule);
    }
    std::sort(schedules.begin(), schedules.end(),
              [](const Schedule &a, const Schedule &b) { return a.id < b.id; });
    return schedules;
}

Result<QList<NodeHistoryEntry>> Scheduler::history(const QString &id, const QString &node,
                                                   const QString &path, int limit) const
{
    const Result<HistoryTask> task = historyTask(id, node, path, limit);
    if (!task) {
        return task.error();
    }
    return (*task)();
}

Result<Scheduler::HistoryTask> Scheduler::historyTask(const QString &id, const QString &node,
                                                      const QString &path, int limit) const
{
    const auto it = m_entries.constFind(id);
    if (it == m_entries.cend()) {
        return makeError(ErrorCode::NotFound, u"no schedule with id '%1'"_s.arg(id));
    }
    if (limit < 1 || limit > MaxHistoryLimit) {
        return makeError(ErrorCode::InvalidArgument,
                         u"'limit' must be from 1 to %1"_s.arg(MaxHistoryLimit));
    }
    const Result<JsonPath> parsed = parseJsonPath(path);
    if (!parsed) {
        return makeError(ErrorCode::InvalidArgument,
                         u"bad path '%1': %2"_s.arg(path, parsed.error().message));
    }
    const QString wanted = node.trimmed();
    const QStringList &nodes = it->schedule.spec.nodes;
    if (std::none_of(nodes.cbegin(), nodes.cend(),
                     [&](const QString &n) { return QStringView(n).trimmed() == wanted; })) {
        return makeError(ErrorCode::NotFound,
                         u"node '%1' is not one of schedule %2's nodes"_s.arg(wanted, id));
    }
    return HistoryTask([store = m_engine->store(), rounds = it->schedule.rounds, wanted,
                        parsed = *parsed,
                        limit] { return nodeHistory(*store, rounds, wanted, parsed, limit); });
}

void Scheduler::evaluateAlerts(const QString &id)
{
    const auto it = m_entries.find(id);
    if (it == m_entries.end() || it->evaluating || it->alertQueue.isEmpty()) {
        return;
    }
    const auto [info, at] = it->alertQueue.takeFirst();
    it->evaluating = true;
    // Reading 100k results and evaluating each rule is CPU and disk work: on the pool. The task
    // works on a copy of the book and hands the new one back; rounds are evaluated one at a
    // time, so no two copies race.
    auto task = [store = m_engine->store(), book = it->alerts,
                 rules = it->schedule.spec.alertRules(), info = info, at = at, id,
                 persist = m_config.persist]() mutable {
        RoundAlerts changes;
        changes.schedule = id;
        changes.round = info.round;
        changes.at = at;
        const Result<int> read = store->forEachResult(info.id, [&](const Outcome &outcome) {
            book.observe(rules, outcome, info.round, at, &changes);
            return true;
        });
        if (!read) {
            qCWarning(lcSched).noquote() << u"schedule %1: round %2's results unreadable, alerts "
                                            "not evaluated: %3"_s.arg(id)
                                                .arg(info.round)
                                                .arg(read.error().message);
        }
        book.endRound(info.round, &changes);
        if (persist) {
            if (const Result<void> saved = store->saveScheduleAlerts(id, book.toJson()); !saved) {
                qCWarning(lcSched).noquote() << u"schedule %1: cannot store alert states: %2"_s.arg(
                    id, saved.error().message);
            }
        }
        return std::make_pair(std::move(book), std::move(changes));
    };
    QFuture<std::pair<AlertBook, RoundAlerts>> running = QtConcurrent::run(std::move(task));
    m_evaluations.removeIf([](const QFuture<void> &f) { return f.isFinished(); });
    m_evaluations.append(QFuture<void>(running));
    whenFinished(running, this, [this, id](const std::pair<AlertBook, RoundAlerts> &done) {
        const auto entry = m_entries.find(id);
        if (entry == m_entries.end()) {
            return; // removed meanwhile
        }
        entry->alerts = done.first;
        entry->evaluating = false;
        const QString webhook = entry->schedule.spec.webhook;
        const qint64 everyMs = entry->schedule.spec.everyMs;
        evaluateAlerts(id);
        Q_EMIT alertsEvaluated(done.second, webhook, everyMs);
    });
}

Result<AlertBook> Scheduler::alerts(const QString &id) const
{
    const auto it = m_entries.constFind(id);
    if (it == m_entries.cend()) {
        return makeError(ErrorCode::NotFound, u"no schedule with id '%1'"_s.arg(id));
    }
    return it->alerts;
}

void Scheduler::stop()
{
    m_stopped = true;
    for (Entry &entry : m_entries) {
        entry.alarm->cancel();
    }
}

} // namespace Artemis
