#include "core/engine/huntrun.h"

#include <QtConcurrent/QtConcurrentRun>

#include "core/base/duration.h"
#include "core/base/logging.h"
#include "core/base/plural.h"
#include "core/hunt/executor.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {
constexpr int ManifestIntervalMs = 2000;

OutcomeCounts tally(const QList<Outcome> &outcomes)
{
    OutcomeCounts counts;
    for (const Outcome &outcome : outcomes) {
        counts.add(outcome.outcome);
    }
    return counts;
}
} // namespace

HuntRun::HuntRun(HuntInfo info, QList<Target> targets, quint64 key, ResultStore *store,
                 Executor *executor, int progressIntervalMs, QObject *parent)
    : QObject(parent),
      m_info(std::move(info)),
      m_targets(std::move(targets)),
      m_key(key),
      m_store(store),
      m_executor(executor)
{
    m_progressTimer.setInterval(progressIntervalMs);
    connect(&m_progressTimer, &QTimer::timeout, this, &HuntRun::emitProgress);
    m_manifestTimer.setInterval(ManifestIntervalMs);
    connect(&m_manifestTimer, &QTimer::timeout, this, [this] { enqueueWrite(saveManifestTask()); });
    connect(&m_writeWatcher, &QFutureWatcher<Result<void>>::finished, this, &HuntRun::onWriteDone);
    m_spreadTimer.setSingleShot(true);
    connect(&m_spreadTimer, &QTimer::timeout, this, &HuntRun::dispatch);
    spreadTargets();
    for (const Target &target : std::as_const(m_targets)) {
        if (!target.labels.isEmpty()) {
            m_labels.insert(target.node, target.labels);
        }
    }
}

void HuntRun::spreadTargets()
{
    if (m_info.spreadMs <= 0 || m_targets.size() < 2) {
        return;
    }
    // Deterministic per node (and schedule): a node keeps its slot from round to round, so
    // the interval between two fetches of one node stays the schedule's interval.
    QList<std::pair<int, Target>> spread;
    spread.reserve(m_targets.size());
    for (Target &target : m_targets) {
        const size_t h = qHash(target.node, qHash(m_info.schedule));
        spread.append({int(h % size_t(m_info.spreadMs)), std::move(target)});
    }
    std::stable_sort(spread.begin(), spread.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    m_targets.clear();
    m_startOffsetsMs.reserve(spread.size());
    for (auto &[offset, target] : spread) {
        m_startOffsetsMs.append(offset);
        m_targets.append(std::move(target));
    }
}

HuntRun::~HuntRun()
{
    m_writeWatcher.waitForFinished();
}

void HuntRun::start()
{
    m_info.state = HuntState::Running;
    if (!m_info.startedAt.isValid()) { // a resumed hunt keeps its first start
        m_info.startedAt = QDateTime::currentDateTimeUtc();
    }
    m_info.finishedAt = {};
    m_info.error.clear();
    m_clock.start();
    m_rate.add(0, 0);
    m_doneAtStart = m_info.done;
    m_stored = m_info.counts; // a resumed hunt starts from what is stored
    enqueueWrite(saveManifestTask());
    m_executor->describeHunt(m_key, m_info);
    m_executor->beginHunt(m_key, m_info.options);
    m_progressTimer.start();
    m_manifestTimer.start();
    if (m_info.deadlineMs > 0) {
        // Precise: a coarse timer may fire 5 % early, and the round would end before its time.
        m_deadlineTimer.setSingleShot(true);
        m_deadlineTimer.setTimerType(Qt::PreciseTimer);
        connect(&m_deadlineTimer, &QTimer::timeout, this, &HuntRun::expire);
        m_deadlineTimer.start(m_info.deadlineMs);
    }
    dispatch();
    maybeFinish(); // a resumed hunt may have nothing left to fetch
}

void HuntRun::dispatch()
{
    if (m_cancelRequested || m_finishing) {
        return;
    }
    const qsizetype room = qsizetype(m_info.options.concurrency) - m_inFlight;
    qsizetype count = std::min(room, m_targets.size() - m_nextTarget);
    if (!m_startOffsetsMs.isEmpty() && count > 0) {
        const qint64 now = m_clock.elapsed();
        qsizetype due = 0;
        while (due < count && m_startOffsetsMs.at(m_nextTarget + due) <= now) {
            ++due;
        }
        if (due < count && !m_spreadTimer.isActive()) {
            m_spreadTimer.start(int(m_startOffsetsMs.at(m_nextTarget + due) - now));
        }
        count = due;
    }
    if (count <= 0) {
        return;
    }
    const qint64 now = m_clock.elapsed();
    for (qsizetype i = m_nextTarget; i < m_nextTarget + count; ++i) {
        m_unfinished.started(m_targets.at(i).node, now);
    }
    m_executor->submit(m_key, m_targets.mid(m_nextTarget, count));
    m_nextTarget += count;
    m_inFlight += int(count);
}

void HuntRun::addOutcomes(const QList<Outcome> &given)
{
    if (m_finishing || m_ended) {
        return; // e.g. cancelled in-flight outcomes arriving after an interrupt
    }
    QList<Outcome> outcomes = given; // shared, copied only when changed below
    if (m_deadlinePassed) {
        // The executor's cancellation of what was still in flight or waiting to retry: to
        // the user, those nodes did not answer in time.
        for (Outcome &outcome : outcomes) {
            if (outcome.outcome == OutcomeKind::Cancelled) {
                // "cancelled while fetching" -> "the round deadline (5s) passed while fetching"
                outcome.outcome = OutcomeKind::Timeout;
                const QString when = outcome.error.startsWith(u"cancelled "_s)
                                         ? outcome.error.mid(10)
                                         : u"(%1)"_s.arg(outcome.error);
                outcome.error = deadlineText() + u' ' + when;
            }
        }
    }
    m_inFlight -= int(outcomes.size());
    for (const Outcome &outcome : outcomes) {
        m_info.counts.add(outcome.outcome);
        m_unfinished.finished(outcome.node);
    }
    m_info.done += int(outcomes.size());
    if (m_clock.isValid()) {
        m_lastOutcomeMs = m_clock.elapsed();
        m_rate.add(m_lastOutcomeMs, m_info.done - m_doneAtStart);
    }
    if (m_labels.isEmpty()) {
        m_unwritten.append(outcomes);
        m_newForProgress.append(outcomes);
    } else {
        // Labels stay here, on the coordinator: executors (local threads, Redis workers) see
        // only targets, and whoever fetched, the record is written by this run.
        QList<Outcome> labelled = outcomes;
        for (Outcome &outcome : labelled) {
            outcome.labels = m_labels.value(outcome.node);
        }
        m_unwritten.append(labelled);
        m_newForProgress.append(labelled);
    }
    dispatch();
    if (!m_writing) {
        runNextWrite();
    }
    maybeFinish();
}

void HuntRun::cancel()
{
    if (m_cancelRequested || m_finishing) {
        return;
    }
    m_cancelRequested = true;
    m_spreadTimer.stop();
    m_executor->cancel(m_key);
    // Targets never handed out are recorded as cancelled right away.
    QList<Outcome> never;
    for (qsizetype i = m_nextTarget; i < m_targets.size(); ++i) {
        never.append(Outcome::unanswered(m_targets.at(i).node, m_targets.at(i).url().toString(),
                                         OutcomeKind::Cancelled,
                                         u"cancelled before the first attempt"_s));
    }
    m_inFlight += int(never.size()); // addOutcomes subtracts them again
    m_nextTarget = m_targets.size();
    if (!never.isEmpty()) {
        addOutcomes(never);
    } else {
        maybeFinish();
    }
}

QString HuntRun::deadlineText() const
{
    return u"the round deadline (%1) passed"_s.arg(durationText(m_info.deadlineMs));
}

void HuntRun::expire()
{
    if (m_cancelRequested || m_finishing) {
        return;
    }
    // A cancel whose cancellations addOutcomes turns into timeouts naming the deadline.
    m_deadlinePassed = true;
    cancel();
}

void HuntRun::interrupt()
{
    if (m_ended) {
        return;
    }
    m_finishing = true;
    m_progressTimer.stop();
    m_manifestTimer.stop();
    m_spreadTimer.stop();
    m_executor->cancel(m_key);
    m_executor->endHunt(m_key);
    // Write everything synchronously: the process is about to exit.
    m_writeWatcher.waitForFinished();
    QString storeError;
    if (m_writing) {
        const Result<void> written = m_writeWatcher.result();
        if (written) {
            m_stored += m_inWrite;
        } else {
            storeError = written.error().message;
        }
    }
    m_inWrite = {};
    m_writing = false;
    while (!m_writeQueue.empty()) {
        StoreTask task = std::move(m_writeQueue.front());
        m_writeQueue.pop_front();
        (void)task();
    }
    if (!m_unwritten.isEmpty()) {
        const Result<void> appended = m_store->appendResults(m_info.id, m_unwritten);
        if (appended) {
            m_stored += tally(m_unwritten);
        } else {
            storeError = appended.error().message;
        }
        m_unwritten.clear();
    }
    m_info.state = HuntState::Interrupted;
    m_info.finishedAt = QDateTime::currentDateTimeUtc();
    m_info.error = u"interrupted: the service shut down before the hunt finished"_s;
    if (!storeError.isEmpty()) {
        qCWarning(lcStore, "hunt %s: could not store results on shutdown: %s",
                  qPrintable(m_info.id), qPrintable(storeError));
        m_info.error += u"; storing results failed: %1"_s.arg(storeError);
        keepOnlyStoredCounts();
    }
    const Result<void> saved = m_store->saveManifest(m_info);
    if (!saved) {
        qCWarning(lcStore, "hunt %s: %s", qPrintable(m_info.id), qPrintable(saved.error().message));
    }
    m_finalManifestStored = bool(saved);
    m_ended = true;
}

HuntRun::StoreTask HuntRun::saveManifestTask()
{
    return [store = m_store, info = m_info] { return store->saveManifest(info); };
}

void HuntRun::enqueueWrite(StoreTask task)
{
    if (m_ended) {
        return;
    }
    m_writeQueue.push_back(std::move(task));
    if (!m_writing) {
        runNextWrite();
    }
}

void HuntRun::runNextWrite()
{
    Q_ASSERT(!m_writing);
    StoreTask task;
    if (!m_unwritten.isEmpty()) {
        // Results first: a manifest never counts more than the results file holds.
        m_inWrite = tally(m_unwritten);
        task = [store = m_store, id = m_info.id, batch = std::exchange(m_unwritten, {})] {
            return store->appendResults(id, batch);
        };
    } else if (!m_writeQueue.empty()) {
        m_inWrite = {};
        task = std::move(m_writeQueue.front());
        m_writeQueue.pop_front();
    } else {
        return;
    }
    m_writing = true;
    m_writeWatcher.setFuture(QtConcurrent::run(std::move(task)));
}

void HuntRun::onWriteDone()
{
    if (!m_writing) {
        return; // interrupt() took over
    }
    m_writing = false;
    const Result<void> result = m_writeWatcher.result();
    if (!result && !m_ended) {
        fail(result.error().message);
        return;
    }
    m_stored += std::exchange(m_inWrite, {});
    runNextWrite();
    maybeFinish();
}

void HuntRun::keepOnlyStoredCounts()
{
    // The manifest reports what results.ndjson holds, so counts and results agree.
    const int lost = m_info.done - m_stored.total();
    if (lost == 0) {
        return;
    }
    m_info.counts = m_stored;
    m_info.done = m_stored.total();
    m_info.error +=
        u" (%1 outcome(s) received but not stored; the %2 stored before are kept)"_s.arg(lost).arg(
            m_info.done);
}

void HuntRun::fail(const QString &message)
{
    qCWarning(lcFetch, "hunt %s failed: %s", qPrintable(m_info.id), qPrintable(message));
    m_info.error = u"storing results failed: %1"_s.arg(message);
    m_info.state = HuntState::Failed;
    keepOnlyStoredCounts();
    if (!m_cancelRequested) {
        m_cancelRequested = true;
        m_executor->cancel(m_key);
    }
    m_finishing = true;
    m_spreadTimer.stop();
    m_writeQueue.clear();
    m_unwritten.clear();
    // Try to record the failure; if the disk is gone this fails too: the engine then keeps
    // this manifest in memory for the API (finalManifestStored()), and the next start marks
    // the stored one interrupted. Stored results are untouched.
    m_info.finishedAt = QDateTime::currentDateTimeUtc();
    const Result<void> saved = m_store->saveManifest(m_info);
    if (!saved) {
        qCWarning(lcStore, "hunt %s: cannot record the failure: %s", qPrintable(m_info.id),
                  qPrintable(saved.error().message));
    }
    m_finalManifestStored = bool(saved);
    m_executor->endHunt(m_key);
    m_progressTimer.stop();
    m_manifestTimer.stop();
    emitProgress();
    m_ended = true;
    Q_EMIT finished(this);
}

void HuntRun::setRetryState(const QString &node, int attempt, bool waiting)
{
    m_unfinished.retryState(node, attempt, waiting);
}

HuntProgress HuntRun::liveProgress() const
{
    HuntProgress p;
    p.id = m_info.id;
    p.state = m_info.state;
    p.done = m_info.done;
    p.total = m_info.total;
    p.counts = m_info.counts;
    const qint64 ms = m_clock.isValid() ? m_clock.elapsed() : 0;
    // Over the last few seconds, not since the start: when the last nodes hang the rate
    // falls to 0 instead of freezing at the average.
    p.nodesPerSecond = m_rate.perSecond(ms);
    p.unfinished = m_unfinished.snapshot(ms);
    p.sinceLastOutcomeMs = ms - m_lastOutcomeMs;
    return p;
}

void HuntRun::emitProgress()
{
    // With nothing new, progress is still told every StillRunningMs: ages grow, the rate
    // falls, and every face shows it without polling.
    static constexpr qint64 StillRunningMs = 1000;
    const qint64 now = m_clock.isValid() ? m_clock.elapsed() : 0;
    if (m_newForProgress.isEmpty() && !isFinished(m_info.state) && m_info.done != 0
        && m_info.done != m_info.total && now - m_lastEmitMs < StillRunningMs) {
        return; // nothing new to tell
    }
    m_lastEmitMs = now;
    HuntProgress p = liveProgress();
    p.newOutcomes = std::exchange(m_newForProgress, {});
    Q_EMIT progress(p);
}

void HuntRun::maybeFinish()
{
    if (m_ended || m_info.done < m_info.total) {
        return;
    }
    if (!m_finishing) {
        m_finishing = true;
        m_progressTimer.stop();
        m_manifestTimer.stop();
        // A passed deadline ends the hunt as done: every node has its (timeout) outcome.
        m_info.state =
            m_cancelRequested && !m_deadlinePassed ? HuntState::Cancelled : HuntState::Done;
        m_info.finishedAt = QDateTime::currentDateTimeUtc();
        m_executor->endHunt(m_key);
        enqueueWrite(saveManifestTask());
    }
    if (m_writing || !m_writeQueue.empty() || !m_unwritten.isEmpty()) {
        return; // finish once the final manifest is on disk
    }
    m_ended = true;
    emitProgress();
    Q_EMIT finished(this);
}

} // namespace Artemis
