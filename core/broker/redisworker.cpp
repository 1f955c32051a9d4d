#include "core/broker/redisworker.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QSysInfo>

#include "core/base/logging.h"
#include "core/broker/redisconnection.h"
#include "core/engine/localexecutor.h"
#include "core/net/target.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {
constexpr int JobsPerRead = 16;
constexpr int NodesPerJobGuess = 64; // RedisExecutorConfig::batchSize
constexpr int ClaimCount = 8;

bool isBusyGroup(const RedisReply &reply)
{
    return reply.type == RedisReply::Type::Error && reply.str.startsWith("BUSYGROUP");
}

QString expiredAt(qint64 ms)
{
    return u"expired at %1"_s.arg(
        QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs));
}
} // namespace

RedisWorker::RedisWorker(RedisUrl url, RedisWorkerConfig config, QObject *parent)
    : QObject(parent),
      m_url(std::move(url)),
      m_config(std::move(config)),
      m_executor(std::make_unique<LocalExecutor>(m_config.threads, m_config.policy)),
      m_commands(std::make_unique<RedisConnection>(m_url, u"worker commands"_s)),
      m_reader(std::make_unique<RedisConnection>(m_url, u"worker jobs reader"_s))
{
    if (m_config.name.isEmpty()) {
        m_config.name =
            u"%1-%2"_s.arg(QSysInfo::machineHostName()).arg(QCoreApplication::applicationPid());
    }
    connect(m_executor.get(), &Executor::outcomesReady, this, &RedisWorker::onOutcomes);
    connect(m_commands.get(), &RedisConnection::connected, this, &RedisWorker::onCommandsConnected);
    connect(m_reader.get(), &RedisConnection::connected, this, &RedisWorker::onReaderConnected);
    m_heartbeatTimer.setInterval(m_config.heartbeatMs);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &RedisWorker::heartbeat);
    m_claimTimer.setInterval(std::max(100, m_config.visibilityMs / 2));
    connect(&m_claimTimer, &QTimer::timeout, this, &RedisWorker::claimStale);
    m_refreshTimer.setInterval(std::max(50, m_config.visibilityMs / 3));
    connect(&m_refreshTimer, &QTimer::timeout, this, &RedisWorker::refreshClaims);
    m_cancelTimer.setInterval(m_config.cancelPollMs);
    connect(&m_cancelTimer, &QTimer::timeout, this, &RedisWorker::pollCancels);
    m_drainTimer.setSingleShot(true);
    connect(&m_drainTimer, &QTimer::timeout, this, [this] {
        if (!m_jobs.isEmpty()) {
            qCWarning(lcRedis,
                      "worker %s: drain time (%d ms) over; leaving %d job(s) to be taken over by "
                      "other workers",
                      qPrintable(m_config.name), m_config.drainMs, int(m_jobs.size()));
        }
        finishStop();
    });
    for (RedisConnection *connection : {m_commands.get(), m_reader.get()}) {
        connect(connection, &RedisConnection::failed, this, &RedisWorker::fail);
    }
}

RedisWorker::~RedisWorker() = default;

void RedisWorker::start()
{
    m_startedAt = QDateTime::currentDateTimeUtc();
    qCInfo(lcRedis, "worker %s: broker %s, concurrency %d, visibility timeout %d ms",
           qPrintable(m_config.name), qPrintable(m_url.toString()), m_config.concurrency,
           m_config.visibilityMs);
    m_commands->open();
    m_reader->open();
    m_heartbeatTimer.start();
    m_claimTimer.start();
    m_refreshTimer.start();
    m_cancelTimer.start();
}

void RedisWorker::stop()
{
    if (m_stopping) {
        return;
    }
    m_stopping = true;
    qCInfo(lcRedis, "worker %s: stopping; finishing %d job(s) in hand (at most %d ms)",
           qPrintable(m_config.name), int(m_jobs.size()), m_config.drainMs);
    m_drainTimer.start(m_config.drainMs);
    maybeStopped();
}

void RedisWorker::finishStop()
{
    if (std::exchange(m_stopEmitted, true)) {
        return;
    }
    m_drainTimer.stop();
    m_heartbeatTimer.stop();
    m_claimTimer.stop();
    m_refreshTimer.stop();
    m_cancelTimer.stop();
    qCInfo(lcRedis, "worker %s: stopped after %lld node(s)", qPrintable(m_config.name), m_done);
    Q_EMIT stopped();
}

void RedisWorker::maybeStopped()
{
    if (!m_stopping || m_stopped || !m_jobs.isEmpty() || m_readPending) {
        return;
    }
    m_stopped = true;
    m_heartbeatTimer.stop();
    m_claimTimer.stop();
    m_refreshTimer.stop();
    m_cancelTimer.stop();
    if (!m_commands->isConnected()) {
        QTimer::singleShot(0, this, &RedisWorker::finishStop);
        return;
    }
    // Leaves the list at once rather than when the heartbeat expires; the drain timer still
    // bounds the wait for the reply.
    m_commands->command({"ZREM", Wire::WorkersIndex, m_config.name.toUtf8()});
    m_commands->command({"DEL", Wire::workerKey(m_config.name)},
                        [this](const RedisReply &) { finishStop(); });
}

int RedisWorker::room() const
{
    // A job read before its hunt's spec has arrived is not in m_inFlight yet: it counts as a
    // full one, or a worker new to a hunt goes on reading the stream's jobs while the spec is
    // on its way (with --concurrency 16 a worker took 2 to 4 jobs of 64 nodes at once,
    // tst_distributedlifecycle::workerTakesOnlyItsWindow).
    qsizetype waiting = 0;
    for (const QList<QByteArray> &jobs : m_waitingForSpec) {
        waiting += jobs.size();
    }
    return m_config.concurrency - m_inFlight - int(waiting) * NodesPerJobGuess;
}

void RedisWorker::fail(const QString &why)
{
    if (!std::exchange(m_failed, true)) {
        Q_EMIT brokerFailed(why);
    }
}

void RedisWorker::checkSigning(std::function<void()> then)
{
    m_commands->command({"GET", Wire::SigningKey}, [this, then](const RedisReply &reply) {
        // No mark yet (no coordinator has connected) or no answer: the signatures decide.
        const QString mismatch = reply.ok() && !reply.isNil()
                                     ? Wire::signingMismatch(reply.str, m_config.secret.get())
                                     : QString();
        if (!mismatch.isEmpty() && !m_config.secret) {
            // It could fetch nothing (every spec is signed). Jobs in hand stay pending;
            // workers that share the coordinator's secret take them.
            fail(mismatch);
            return;
        }
        // With a secret the mark is advice only: anyone who can write to Redis can write
        // `none` there. What this worker accepts never changes; the operator is told.
        if (reply.ok() && mismatch != m_signingMismatch) {
            if (mismatch.isEmpty()) {
                qCInfo(lcRedis, "worker %s: the coordinator's signing mark agrees again",
                       qPrintable(m_config.name));
            } else {
                qCWarning(lcRedis,
                          "worker %s: %s; this worker keeps refusing every job its "
                          "--broker-secret-file did not sign",
                          qPrintable(m_config.name), qPrintable(mismatch));
            }
            m_signingMismatch = mismatch;
        }
        if (then) {
            then();
        }
    });
}

void RedisWorker::onCommandsConnected()
{
    checkSigning({});
    m_commands->command(
        {"XGROUP", "CREATE", Wire::JobsStream, Wire::WorkersGroup, "0", "MKSTREAM"});
    heartbeat();
    for (const QByteArray &entryId : m_jobs.keys()) {
        resendUnsent(entryId);
    }
    for (const QByteArray &id : std::exchange(m_unacked, {})) {
        m_commands->command({"XACK", Wire::JobsStream, Wire::WorkersGroup, id});
        m_commands->command({"XDEL", Wire::JobsStream, id});
    }
    for (auto it = m_waitingForSpec.cbegin(); it != m_waitingForSpec.cend(); ++it) {
        requestSpec(it.key());
    }
}

void RedisWorker::onReaderConnected()
{
    m_readPending = false;
    m_reader->command({"XGROUP", "CREATE", Wire::JobsStream, Wire::WorkersGroup, "0", "MKSTREAM"},
                      [](const RedisReply &reply) {
                          if (!reply.ok() && !isBusyGroup(reply)
                              && reply.type != RedisReply::Type::Failed) {
                              qCWarning(lcRedis, "cannot create the workers group: %s",
                                        qPrintable(reply.errorText()));
                          }
                      });
    readNext();
}

void RedisWorker::readNext()
{
    if (m_stopping || m_readPending || !m_reader->isConnected() || room() <= 0) {
        return;
    }
    m_readPending = true;
    const int count = std::clamp(room() / NodesPerJobGuess, 1, JobsPerRead);
    m_reader->command(
        {"XREADGROUP", "GROUP", Wire::WorkersGroup, m_config.name.toUtf8(), "COUNT",
         QByteArray::number(count), "BLOCK", QByteArray::number(m_config.blockMs), "STREAMS",
         Wire::JobsStream, ">"},
        [this](const RedisReply &reply) {
            m_readPending = false;
            if (reply.type == RedisReply::Type::Failed) {
                maybeStopped();
                return; // onReaderConnected() reads again
            }
            if (reply.type == RedisReply::Type::Error) {
                qCWarning(lcRedis, "worker %s: reading jobs failed: %s", qPrintable(m_config.name),
                          qPrintable(reply.errorText()));
                if (reply.str.startsWith("NOGROUP")) {
                    m_reader->command({"XGROUP", "CREATE", Wire::JobsStream, Wire::WorkersGroup,
                                       "0", "MKSTREAM"});
                }
                QTimer::singleShot(200, this, &RedisWorker::readNext);
                return;
            }
            onJobs(Wire::parseReadReply(reply));
            readNext();
            maybeStopped();
        },
        m_config.blockMs);
}

void RedisWorker::onJobs(const QList<Wire::StreamEntry> &entries)
{
    for (const Wire::StreamEntry &entry : entries) {
        if (m_jobs.contains(entry.id)) {
            continue; // ours already (claimed back while still working on it)
        }
        Job job;
        job.entryId = entry.id;
        job.jobId = entry.fields.value("job");
        job.expiresAtMs = Wire::jobExpiry(entry);
        job.huntId = QString::fromUtf8(entry.fields.value("hunt"));
        job.nodes = entry.fields.value("nodes");
        const bool valid = !job.huntId.isEmpty() && !job.nodes.isEmpty() && !job.jobId.isEmpty()
                           && job.expiresAtMs > 0;
        m_jobs.insert(entry.id, job);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const Wire::Signature signature =
            m_config.secret ? Wire::checkJob(*m_config.secret, entry) : Wire::Signature::Valid;
        if (signature != Wire::Signature::Valid) {
            refuseJob(entry.id, signature == Wire::Signature::Missing ? u"unsigned"_s
                                                                      : u"forged signature"_s);
        } else if (!valid) {
            qCWarning(lcRedis, "worker %s: dropping malformed job %s", qPrintable(m_config.name),
                      entry.id.constData());
            dropJob(entry.id);
        } else if (const QString why = replayRefusal(job, now); !why.isEmpty()) {
            refuseJob(entry.id, why);
        } else if (m_specs.contains(job.huntId)) {
            m_takenJobs.insert(job.jobId, job.expiresAtMs, now);
            startJob(entry.id);
        } else {
            m_takenJobs.insert(job.jobId, job.expiresAtMs, now);
            QList<QByteArray> &waiting = m_waitingForSpec[job.huntId];
            waiting.append(entry.id);
            if (waiting.size() == 1) {
                requestSpec(job.huntId);
            }
        }
    }
}

void RedisWorker::requestSpec(const QString &huntId)
{
    auto spec = std::make_shared<RedisReply>();
    m_commands->command({"GET", Wire::huntKey(huntId)},
                        [spec](const RedisReply &reply) { *spec = reply; });
    m_commands->command({"EXISTS", Wire::cancelKey(huntId)}, [this, spec,
                                                              huntId](const RedisReply &cancel) {
        if (!spec->ok() || !cancel.ok()) {
            return; // asked again after reconnecting
        }
        const QList<QByteArray> waiting = m_waitingForSpec.take(huntId);
        Result<Wire::HuntSpec> parsed = Wire::HuntSpec::fromBytes(spec->str, m_config.secret.get());
        if (parsed && parsed->id != huntId) {
            parsed = makeError(ErrorCode::Forbidden,
                               u"the spec stored for it is hunt %1's"_s.arg(parsed->id));
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QString why;
        if (cancel.integer == 1) {
            m_cancelled.insert(huntId);
            why = u"hunt %1 was cancelled"_s.arg(huntId);
        } else if (spec->isNil()) {
            why = u"hunt %1 is unknown (no spec in Redis)"_s.arg(huntId);
        } else if (!parsed) {
            why = u"hunt %1: %2"_s.arg(huntId, parsed.error().message);
        } else if (parsed->ended) {
            // Remembered: a spec put back later by whoever can write to Redis does not revive
            // the hunt here.
            constexpr qint64 NoExpiryMemoryMs = 7 * 86400 * 1000LL;
            m_endedHunts.insert(
                huntId.toUtf8(),
                parsed->expiresAtMs > 0 ? parsed->expiresAtMs : now + NoExpiryMemoryMs, now);
            why = u"hunt %1 has ended"_s.arg(huntId);
        } else if (parsed->expiresAtMs > 0 && parsed->expiresAtMs <= now) {
            why = u"hunt %1 %2"_s.arg(huntId, expiredAt(parsed->expiresAtMs));
        }
        if (!why.isEmpty()) {
            for (const QByteArray &id : waiting) {
                refuseJob(id, why);
            }
            readNext(); // refuseJob() reads on too, once each is refused
            return;
        }
        m_specs.insert(huntId, std::move(parsed).value());
        for (const QByteArray &id : waiting) {
            startJob(id);
        }
        readNext(); // the jobs that waited are counted by their real size now
    });
}

void RedisWorker::startJob(const QByteArray &entryId)
{
    const auto job = m_jobs.find(entryId);
    if (job == m_jobs.end()) {
        return;
    }
    const Wire::HuntSpec &spec = m_specs[job->huntId];
    QList<Labels> labels; // one per node for hunts with auth rules (core/fetch/authrules.h)
    const Result<QStringList> nodes = Wire::decodeNodes(std::exchange(job->nodes, {}), &labels);
    QList<Target> targets;
    QList<Outcome> bad;
    for (qsizetype i = 0; nodes && i < nodes->size(); ++i) {
        const QString &node = nodes->at(i);
        Result<Target> target = parseTarget(node, spec.path);
        if (target) {
            target->labels = labels.value(i);
            targets.append(std::move(target).value());
        } else {
            Outcome outcome;
            outcome.node = node;
            outcome.outcome = OutcomeKind::Error;
            outcome.fetchedAt = QDateTime::currentDateTimeUtc();
            outcome.error = target.error().message;
            bad.append(std::move(outcome));
        }
    }
    job->localKey = m_nextKey++;
    job->remaining = int(targets.size() + bad.size());
    m_jobByKey.insert(job->localKey, entryId);
    m_inFlight += job->remaining;
    m_executor->beginHunt(job->localKey, spec.options);
    if (!targets.isEmpty()) {
        m_executor->submit(job->localKey, targets);
    }
    if (!bad.isEmpty() || job->remaining == 0) {
        onOutcomes(job->localKey, bad);
    }
}

void RedisWorker::onOutcomes(quint64 localKey, const QList<Outcome> &outcomes)
{
    const QByteArray entryId = m_jobByKey.value(localKey);
    const auto job = m_jobs.find(entryId);
    if (job == m_jobs.end()) {
        return;
    }
    const int n = int(outcomes.size());
    m_errors += std::count_if(outcomes.cbegin(), outcomes.cend(),
                              [](const Outcome &o) { return o.outcome != OutcomeKind::Ok; });
    job->remaining -= n;
    m_inFlight -= n;
    m_done += n;
    if (n > 0 && !m_cancelled.contains(job->huntId)) {
        sendOutcomes(entryId, Wire::encodeOutcomes(outcomes));
    }
    maybeFinishJob(entryId);
    readNext();
}

void RedisWorker::sendOutcomes(const QByteArray &entryId, const QByteArray &payload)
{
    Job &job = m_jobs[entryId];
    ++job.sending;
    const QByteArray hunt = job.huntId.toUtf8();
    const QByteArray worker = m_config.name.toUtf8();
    QList<QByteArray> xadd{"XADD", Wire::ResultsStream, "*",    "hunt", hunt, "worker",
                           worker, "outcomes",          payload};
    if (m_config.secret) {
        xadd << "mac" << Wire::resultMac(*m_config.secret, hunt, worker, payload);
    }
    m_commands->command(xadd, [this, entryId, payload](const RedisReply &reply) {
        const auto it = m_jobs.find(entryId);
        if (it == m_jobs.end()) {
            return;
        }
        --it->sending;
        if (!reply.ok()) {
            // Timed out or lost: again once connected. Refused by Redis
            // (e.g. out of memory): again in a second, not in a loop.
            it->unsent.append(payload);
            if (reply.type == RedisReply::Type::Error) {
                qCWarning(lcRedis, "worker %s: XADD outcomes failed: %s", qPrintable(m_config.name),
                          qPrintable(reply.errorText()));
                QTimer::singleShot(1000, this, [this, entryId] { resendUnsent(entryId); });
            } else {
                resendUnsent(entryId);
            }
            return;
        }
        maybeFinishJob(entryId);
    });
}

void RedisWorker::resendUnsent(const QByteArray &entryId)
{
    const auto job = m_jobs.find(entryId);
    if (job == m_jobs.end() || !m_commands->isConnected()) {
        return; // onCommandsConnected() sends them
    }
    for (const QByteArray &payload : std::exchange(job->unsent, {})) {
        sendOutcomes(entryId, payload);
    }
}

void RedisWorker::maybeFinishJob(const QByteArray &entryId)
{
    const auto job = m_jobs.find(entryId);
    if (job == m_jobs.end() || job->remaining > 0 || job->sending > 0 || !job->unsent.isEmpty()
        || !job->nodes.isEmpty()) {
        return;
    }
    m_executor->endHunt(job->localKey);
    m_jobByKey.remove(job->localKey);
    const QString huntId = job->huntId;
    m_jobs.erase(job);
    dropJob(entryId);
    const bool huntHasJobs = std::any_of(m_jobs.cbegin(), m_jobs.cend(),
                                         [&](const Job &other) { return other.huntId == huntId; });
    if (!huntHasJobs && !m_waitingForSpec.contains(huntId)) {
        m_specs.remove(huntId);
        m_cancelled.remove(huntId);
    }
    maybeStopped();
}

void RedisWorker::dropJob(const QByteArray &entryId)
{
    // Acknowledged only now: every outcome is in the results stream. Deleted too, so the jobs
    // stream holds only jobs not yet done.
    const auto job = m_jobs.find(entryId);
    if (job != m_jobs.end()) {
        m_inFlight -= job->remaining;
        m_jobs.erase(job);
    }
    m_commands->command({"XACK", Wire::JobsStream, Wire::WorkersGroup, entryId},
                        [this, entryId](const RedisReply &reply) {
                            if (!reply.ok()) {
                                m_unacked.append(entryId);
                            }
                        });
    m_commands->command({"XDEL", Wire::JobsStream, entryId});
    maybeStopped();
}

QString RedisWorker::replayRefusal(const Job &job, qint64 nowMs) const
{
    if (job.expiresAtMs <= nowMs) {
        return expiredAt(job.expiresAtMs);
    }
    if (m_takenJobs.contains(job.jobId, nowMs)) {
        return u"job %1 was taken here before (a copy added again)"_s.arg(
            QString::fromLatin1(job.jobId));
    }
    if (m_endedHunts.contains(job.huntId.toUtf8(), nowMs)) {
        return u"hunt %1 has ended"_s.arg(job.huntId);
    }
    if (m_cancelled.contains(job.huntId)) {
        return u"hunt %1 was cancelled"_s.arg(job.huntId);
    }
    return {};
}

void RedisWorker::refuseJob(const QByteArray &entryId, const QString &why)
{
    // Never fetched. Acknowledged and deleted like a malformed job: every worker would refuse
    // it alike, so leaving it pending would only have it claimed and refused again.
    // Without a secret, first: is this worker the one misconfigured? Then it stops rather than
    // drop genuine jobs. With one, nothing in Redis changes what it refuses.
    checkSigning([this, entryId, why] {
        ++m_refusedJobs;
        qCWarning(lcRedis, "worker %s: refusing job %s: %s", qPrintable(m_config.name),
                  entryId.constData(), qPrintable(why));
        dropJob(entryId);
        readNext();
    });
}

void RedisWorker::claimStale()
{
    if (m_stopping || !m_commands->isConnected() || room() <= 0) {
        return;
    }
    m_commands->command({"XAUTOCLAIM", Wire::JobsStream, Wire::WorkersGroup, m_config.name.toUtf8(),
                         QByteArray::number(m_config.visibilityMs), m_claimCursor, "COUNT",
                         QByteArray::number(ClaimCount)},
                        [this](const RedisReply &reply) {
                            if (!reply.ok()) {
                                m_claimCursor = "0-0";
                                return;
                            }
                            const QList<Wire::StreamEntry> entries =
                                Wire::parseAutoClaimReply(reply, &m_claimCursor);
                            if (!entries.isEmpty()) {
                                qCInfo(lcRedis, "worker %s: took over %d job(s) of a silent worker",
                                       qPrintable(m_config.name), int(entries.size()));
                            }
                            onJobs(entries);
                        });
}

void RedisWorker::refreshClaims()
{
    // Resets the idle time of the jobs we hold, so other workers do not take over a job that
    // is merely slow. A dead worker stops doing this; that is what makes its jobs stale.
    if (m_jobs.isEmpty() || !m_commands->isConnected()) {
        return;
    }
    QList<QByteArray> args{"XCLAIM", Wire::JobsStream, Wire::WorkersGroup, m_config.name.toUtf8(),
                           "0"};
    for (auto it = m_jobs.cbegin(); it != m_jobs.cend(); ++it) {
        args.append(it.key());
    }
    args.append("JUSTID");
    m_commands->command(args);
}

void RedisWorker::pollCancels()
{
    if (m_specs.isEmpty() || !m_commands->isConnected()) {
        return;
    }
    for (auto it = m_specs.cbegin(); it != m_specs.cend(); ++it) {
        const QString huntId = it.key();
        if (m_cancelled.contains(huntId)) {
            continue;
        }
        m_commands->command({"EXISTS", Wire::cancelKey(huntId)},
                            [this, huntId](const RedisReply &reply) {
                                if (reply.integer != 1 || m_cancelled.contains(huntId)) {
                                    return;
                                }
                                qCInfo(lcRedis, "worker %s: hunt %s cancelled",
                                       qPrintable(m_config.name), qPrintable(huntId));
                                m_cancelled.insert(huntId);
                                for (const Job &job : std::as_const(m_jobs)) {
                                    if (job.huntId == huntId && job.localKey != 0) {
                                        m_executor->cancel(job.localKey);
                                    }
                                }
                            });
    }
}

Wire::WorkerInfo RedisWorker::info() const
{
    Wire::WorkerInfo info;
    info.name = m_config.name;
    info.host = QSysInfo::machineHostName();
    info.pid = QCoreApplication::applicationPid();
    info.inFlight = m_inFlight;
    info.done = m_done;
    info.jobs = int(m_jobs.size());
    info.errors = m_errors;
    info.refusedJobs = m_refusedJobs;
    info.signingMismatch = m_signingMismatch;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!m_rateSamples.isEmpty() && now > m_rateSamples.first().first) {
        info.nodesPerSecond = double(m_done - m_rateSamples.first().second) * 1000.0
                              / double(now - m_rateSamples.first().first);
    }
    info.startedAt = m_startedAt;
    info.seenAt = QDateTime::currentDateTimeUtc();
    return info;
}

bool RedisWorker::isConnected() const
{
    return m_commands->isConnected() && m_reader->isConnected();
}

void RedisWorker::heartbeat()
{
    if (!m_commands->isConnected()) {
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_rateSamples.append({now, m_done});
    // Keep one sample at least RateWindowMs old (the start of the window), none older.
    while (m_rateSamples.size() > 2 && now - m_rateSamples.at(1).first >= RateWindowMs) {
        m_rateSamples.removeFirst();
    }
    if (m_config.secret) {
        checkSigning({}); // keeps the warning (and its heartbeat field) current
    }
    const Wire::WorkerInfo info = this->info();
    const int ttlMs = 3 * m_config.heartbeatMs;
    m_commands->command({"SET", Wire::workerKey(m_config.name),
                         QJsonDocument(info.toJson()).toJson(QJsonDocument::Compact), "PX",
                         QByteArray::number(ttlMs)});
    m_commands->command({"ZADD", Wire::WorkersIndex,
                         QByteArray::number(QDateTime::currentMSecsSinceEpoch() + ttlMs),
                         m_config.name.toUtf8()});
}

} // namespace Artemis
