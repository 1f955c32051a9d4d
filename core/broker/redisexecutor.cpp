#include "core/broker/redisexecutor.h"

#include <QDateTime>
#include <QJsonDocument>

#include "core/base/logging.h"
#include "core/broker/redisconnection.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {
// Consumer name in the results group. One coordinator per Redis (database); a restarted one
// takes over its predecessor's unacknowledged entries under the same name.
constexpr char Consumer[] = "coordinator";

bool isBusyGroup(const RedisReply &reply)
{
    return reply.type == RedisReply::Type::Error && reply.str.startsWith("BUSYGROUP");
}

void createGroup(RedisConnection *connection, const char *stream, const char *group)
{
    connection->command(
        {"XGROUP", "CREATE", stream, group, "0", "MKSTREAM"}, [stream](const RedisReply &reply) {
            if (!reply.ok() && !isBusyGroup(reply) && reply.type != RedisReply::Type::Failed) {
                qCWarning(lcRedis, "cannot create group on %s: %s", stream,
                          qPrintable(reply.errorText()));
            }
        });
}
} // namespace

RedisExecutor::RedisExecutor(RedisUrl url, RedisExecutorConfig config, QObject *parent)
    : Executor(parent),
      m_url(std::move(url)),
      m_config(config),
      m_commands(std::make_unique<RedisConnection>(m_url, u"coordinator commands"_s)),
      m_reader(std::make_unique<RedisConnection>(m_url, u"coordinator results reader"_s))
{
    qRegisterMetaType<QList<Artemis::Outcome>>();
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &RedisExecutor::flush);
    m_workersTimer.setInterval(m_config.workersPollMs);
    connect(&m_workersTimer, &QTimer::timeout, this, &RedisExecutor::pollWorkers);
    // A blocking read that Redis served to a connection we had already given up on (it timed
    // out while Redis was stalled) leaves those results delivered to us but never seen: they
    // wait in our pending list, which a read from id 0 returns. Done after every reconnect and
    // every few seconds, since the dead connection's read may be served after the reconnect.
    // Entries seen twice are dropped by the dedupe.
    m_backlogTimer.setInterval(m_config.backlogCheckMs);
    connect(&m_backlogTimer, &QTimer::timeout, this, [this] { m_backlog = true; });
    connect(m_commands.get(), &RedisConnection::connected, this,
            &RedisExecutor::onCommandsConnected);
    connect(m_reader.get(), &RedisConnection::connected, this, &RedisExecutor::onReaderConnected);
    for (RedisConnection *connection : {m_commands.get(), m_reader.get()}) {
        connect(connection, &RedisConnection::failed, this, [this](const QString &why) {
            if (!std::exchange(m_failed, true)) {
                Q_EMIT brokerFailed(why);
            }
        });
    }
}

RedisExecutor::~RedisExecutor()
{
    m_reader.reset();
    m_commands.reset();
}

void RedisExecutor::open()
{
    m_commands->open();
    m_workersTimer.start();
}

void RedisExecutor::startReading()
{
    if (m_reading) {
        return;
    }
    m_reading = true;
    m_reader->open();
    m_backlogTimer.start();
}

bool RedisExecutor::isConnected() const
{
    return m_commands->isConnected() && m_reader->isConnected();
}

void RedisExecutor::findResumable(const QStringList &ids,
                                  std::function<void(const QStringList &)> done)
{
    if (m_commands->isConnected()) {
        checkResumable(ids, std::move(done));
    } else {
        m_whenConnected.append([this, ids, done = std::move(done)] { checkResumable(ids, done); });
    }
}

void RedisExecutor::checkResumable(const QStringList &ids,
                                   std::function<void(const QStringList &)> done)
{
    struct Answers
    {
        QStringList found;
        bool complete = true; // every EXISTS answered
    };
    auto answers = std::make_shared<Answers>();
    for (const QString &id : ids) {
        m_commands->command({"GET", Wire::huntKey(id)},
                            [this, answers, id](const RedisReply &reply) {
                                if (!reply.ok()) {
                                    answers->complete = false;
                                    return;
                                }
                                // An `ended` marker: the hunt is over (this process died before it
                                // recorded so). A spec that does not read with our secret (rotated)
                                // is still resumed: we sign it anew.
                                const Result<Wire::HuntSpec> spec =
                                    Wire::HuntSpec::fromBytes(reply.str, m_config.secret.get());
                                if (!reply.isNil() && !(spec && spec->ended)) {
                                    answers->found.append(id);
                                }
                            });
    }
    // Replies come in order: this one arrives after every EXISTS above. A partial answer
    // (the connection went or timed out meanwhile) would leave hunts unresumed: ask again
    // once connected.
    m_commands->command({"PING"}, [this, ids, answers, done](const RedisReply &reply) {
        if (reply.ok() && answers->complete) {
            done(answers->found);
        } else if (m_commands->isConnected()) {
            checkResumable(ids, done);
        } else {
            m_whenConnected.append([this, ids, done] { checkResumable(ids, done); });
        }
    });
}

void RedisExecutor::onCommandsConnected()
{
    createGroup(m_commands.get(), Wire::JobsStream, Wire::WorkersGroup);
    m_commands->command({"SET", Wire::SigningKey, Wire::signingMark(m_config.secret.get())});
    // A spec that is gone means Redis lost its data (restarted without persistence): the jobs
    // went with it, so every unanswered node is sent again. Dedupe makes repeats harmless.
    for (auto it = m_hunts.begin(); it != m_hunts.end(); ++it) {
        const quint64 key = it.key();
        storeSpec(*it, true, [this, key](bool wasMissing) {
            const auto hunt = m_hunts.find(key);
            if (wasMissing && hunt != m_hunts.end()) {
                qCWarning(lcRedis, "hunt %s: its jobs were lost in Redis; sending %d node(s) again",
                          qPrintable(hunt->spec.id), int(hunt->outstanding.size()));
                hunt->unsent = hunt->outstanding.values();
            }
        });
    }
    const auto waiting = std::exchange(m_whenConnected, {});
    for (const auto &run : waiting) {
        run();
    }
    m_commands->command({"PING"}, [this](const RedisReply &) { flush(); });
    pollWorkers();
}

void RedisExecutor::storeSpec(const Hunt &hunt, bool onlyIfMissing,
                              std::function<void(bool)> stored)
{
    QList<QByteArray> args{"SET", Wire::huntKey(hunt.spec.id),
                           hunt.spec.toBytes(m_config.secret.get()), "PXAT",
                           QByteArray::number(hunt.spec.expiresAtMs)};
    if (onlyIfMissing) {
        args.append("NX");
    }
    const QString id = hunt.spec.id;
    m_commands->command(args, [id, stored = std::move(stored)](const RedisReply &reply) {
        if (reply.type == RedisReply::Type::Error) {
            qCWarning(lcRedis, "hunt %s: storing its spec in Redis failed: %s", qPrintable(id),
                      qPrintable(reply.errorText()));
        }
        if (stored && reply.ok()) {
            stored(reply.type == RedisReply::Type::Status);
        }
    });
}

Result<void> RedisExecutor::accepts(const FetchOptions &options) const
{
    if (options.hasCredentials() && !m_config.secret) {
        return makeError(ErrorCode::InvalidArgument,
                         u"this hunt has header values or a password, which would cross Redis "
                         "in clear to the workers: start serve (and the workers) with "
                         "--broker-secret-file to seal them, or hunt without them"_s);
    }
    return {};
}

void RedisExecutor::describeHunt(quint64 key, const HuntInfo &info)
{
    Hunt &hunt = m_hunts[key];
    hunt.spec.id = info.id;
    hunt.spec.path = info.url;
    hunt.spec.options = info.options;
    // The bound every job of the hunt carries, signed: past it a copy of a job or of the spec
    // is refused whatever Redis says. The spec key had this lifetime before jobs carried it.
    hunt.spec.expiresAtMs =
        QDateTime::currentMSecsSinceEpoch() + qint64(m_config.huntTtlSeconds) * 1000;
    if (m_config.policy) {
        hunt.spec.policy = m_config.policy->toJson();
    }
    m_keyById.insert(info.id, key);
}

void RedisExecutor::beginHunt(quint64 key, const FetchOptions &options)
{
    const auto hunt = m_hunts.find(key);
    if (hunt == m_hunts.end()) {
        return; // describeHunt() always comes first
    }
    hunt->spec.options = options;
    // Sent before the hunt's first job on the same connection, so Redis has the spec before
    // any worker can see a job. If not connected, onCommandsConnected() stores it.
    if (m_commands->isConnected()) {
        storeSpec(*hunt, false, {});
    }
}

void RedisExecutor::submit(quint64 key, const QList<Target> &targets)
{
    const auto hunt = m_hunts.find(key);
    if (hunt == m_hunts.end()) {
        return;
    }
    for (const Target &target : targets) {
        hunt->outstanding.insert(target.node, target);
    }
    hunt->unsent.append(targets);
    scheduleFlush();
}

void RedisExecutor::scheduleFlush()
{
    if (!m_flushTimer.isActive()) {
        m_flushTimer.start(); // coalesces this event loop turn's submissions into full jobs
    }
}

void RedisExecutor::flush()
{
    if (!m_commands->isConnected()) {
        return; // onCommandsConnected() flushes
    }
    const qsizetype batch = std::max(1, m_config.batchSize);
    for (auto it = m_hunts.begin(); it != m_hunts.end(); ++it) {
        const QList<Target> unsent = std::exchange(it->unsent, {});
        for (qsizetype i = 0; i < unsent.size(); i += batch) {
            const QList<Target> part = unsent.mid(i, batch);
            QStringList nodes;
            nodes.reserve(part.size());
            // With auth rules the workers choose each node's credentials by its labels.
            const bool withLabels = !it->spec.options.auth.isEmpty();
            QList<Labels> labels;
            for (const Target &target : part) {
                nodes.append(target.node);
                if (withLabels) {
                    labels.append(target.labels);
                }
            }
            const quint64 key = it.key();
            const QList<QByteArray> xadd =
                QList<QByteArray>{"XADD", Wire::JobsStream, "*"}
                + Wire::jobFields(m_config.secret.get(), it->spec.id.toUtf8(), it->spec.expiresAtMs,
                                  Wire::encodeNodes(nodes, labels));
            m_commands->command(xadd, [this, key, part](const RedisReply &reply) {
                if (reply.ok()) {
                    return;
                }
                const auto hunt = m_hunts.find(key);
                if (hunt == m_hunts.end()) {
                    return;
                }
                // Timed out, lost or refused: sent again (nodes answered
                // meanwhile are skipped; a copy that did reach Redis is
                // deduplicated on the way back).
                for (const Target &target : part) {
                    if (hunt->outstanding.contains(target.node)) {
                        hunt->unsent.append(target);
                    }
                }
                if (reply.type == RedisReply::Type::Error) {
                    // Redis refused it (e.g. out of memory): not in a loop.
                    qCWarning(lcRedis, "hunt %s: XADD job failed: %s", qPrintable(hunt->spec.id),
                              qPrintable(reply.errorText()));
                    QTimer::singleShot(1000, this, &RedisExecutor::scheduleFlush);
                } else {
                    scheduleFlush(); // or onCommandsConnected() does
                }
            });
        }
    }
}

void RedisExecutor::cancel(quint64 key)
{
    const auto hunt = m_hunts.find(key);
    if (hunt == m_hunts.end()) {
        return;
    }
    if (!m_detached) {
        // Workers check this key between jobs and every few hundred ms while fetching.
        m_commands->command({"SET", Wire::cancelKey(hunt->spec.id), "1", "EX",
                             QByteArray::number(m_config.cancelTtlSeconds)});
    }
    hunt->unsent.clear();
    // The hunt ends now: nodes still out on workers are recorded as cancelled, and whatever
    // the workers still send for them is ignored.
    QList<Outcome> cancelled;
    for (const Target &target : std::as_const(hunt->outstanding)) {
        cancelled.append(Outcome::unanswered(target.node, target.url().toString(),
                                             OutcomeKind::Cancelled, u"cancelled"_s));
    }
    hunt->outstanding.clear();
    if (!cancelled.isEmpty()) {
        // Not from inside HuntRun::cancel(), which called us.
        QTimer::singleShot(0, this, [this, key, cancelled] {
            if (m_hunts.contains(key)) {
                Q_EMIT outcomesReady(key, cancelled);
            }
        });
    }
}

void RedisExecutor::endHunt(quint64 key)
{
    const auto hunt = m_hunts.find(key);
    if (hunt == m_hunts.end()) {
        return;
    }
    if (!m_detached) {
        // The spec gives way to a signed `ended` marker that lives as long as the hunt's jobs
        // would: workers refuse jobs of this hunt still in the stream, and copies of them
        // added again later, instead of fetching them.
        Wire::HuntSpec ended;
        ended.id = hunt->spec.id;
        ended.expiresAtMs = hunt->spec.expiresAtMs;
        ended.ended = true;
        m_commands->command({"SET", Wire::huntKey(ended.id), ended.toBytes(m_config.secret.get()),
                             "PXAT", QByteArray::number(ended.expiresAtMs)});
    }
    m_keyById.remove(hunt->spec.id);
    m_hunts.erase(hunt);
}

void RedisExecutor::onReaderConnected()
{
    createGroup(m_reader.get(), Wire::ResultsStream, Wire::CoordinatorGroup);
    m_backlog = true; // entries delivered to us before a crash or disconnect come first
    m_readPending = false;
    readNext();
}

void RedisExecutor::readNext()
{
    if (!m_reading || m_readPending || !m_reader->isConnected()) {
        return;
    }
    m_readPending = true;
    QList<QByteArray> args{"XREADGROUP", "GROUP", Wire::CoordinatorGroup,
                           Consumer,     "COUNT", QByteArray::number(m_config.readCount)};
    if (!m_backlog) {
        args << "BLOCK" << QByteArray::number(m_config.blockMs);
    }
    args << "STREAMS" << Wire::ResultsStream << (m_backlog ? "0" : ">");
    m_reader->command(
        args, [this](const RedisReply &reply) { onRead(reply); }, m_backlog ? 0 : m_config.blockMs);
}

void RedisExecutor::onRead(const RedisReply &reply)
{
    m_readPending = false;
    if (reply.type == RedisReply::Type::Failed) {
        return; // onReaderConnected() starts again
    }
    if (reply.type == RedisReply::Type::Error) {
        qCWarning(lcRedis, "reading results failed: %s", qPrintable(reply.errorText()));
        if (reply.str.startsWith("NOGROUP")) {
            createGroup(m_reader.get(), Wire::ResultsStream, Wire::CoordinatorGroup);
        }
        QTimer::singleShot(200, this, &RedisExecutor::readNext);
        return;
    }
    const QList<Wire::StreamEntry> entries = Wire::parseReadReply(reply);
    if (m_backlog && entries.isEmpty()) {
        m_backlog = false;
    }
    if (!entries.isEmpty()) {
        // Acknowledged and deleted at once: the stream stays small. An outcome handed to the
        // HuntRun but not yet on disk when this process dies is fetched again after a restart
        // (resume sends every node not in results.ndjson).
        QList<QByteArray> ack{"XACK", Wire::ResultsStream, Wire::CoordinatorGroup};
        QList<QByteArray> del{"XDEL", Wire::ResultsStream};
        for (const Wire::StreamEntry &entry : entries) {
            ack.append(entry.id);
            del.append(entry.id);
        }
        m_reader->command(ack);
        m_reader->command(del);
        accept(entries);
    }
    readNext();
}

void RedisExecutor::accept(const QList<Wire::StreamEntry> &entries)
{
    QHash<quint64, QList<Outcome>> accepted;
    for (const Wire::StreamEntry &entry : entries) {
        const QString id = QString::fromUtf8(entry.fields.value("hunt"));
        const auto key = m_keyById.constFind(id);
        if (key == m_keyById.cend()) {
            continue; // a hunt that ended (or another coordinator's): nothing to store
        }
        if (m_config.secret) {
            const Wire::Signature signature = Wire::checkResult(*m_config.secret, entry);
            if (signature != Wire::Signature::Valid) {
                ++m_refusedResults;
                qCWarning(lcRedis, "hunt %s: refusing %s results entry %s (worker '%s')",
                          qPrintable(id),
                          signature == Wire::Signature::Missing ? "an unsigned" : "a forged",
                          entry.id.constData(), entry.fields.value("worker").constData());
                continue;
            }
        }
        const auto hunt = m_hunts.find(*key);
        Result<QList<Outcome>> outcomes = Wire::decodeOutcomes(entry.fields.value("outcomes"));
        if (!outcomes) {
            qCWarning(lcRedis, "hunt %s: bad outcomes entry %s from worker %s: %s", qPrintable(id),
                      entry.id.constData(), entry.fields.value("worker").constData(),
                      qPrintable(outcomes.error().message));
            continue;
        }
        const QString worker = QString::fromUtf8(entry.fields.value("worker"));
        for (Outcome &outcome : *outcomes) {
            outcome.worker = worker; // the entry's (signed) name, whatever the record says
            // At-least-once in, exactly-once out: the first outcome for a node wins.
            if (hunt->outstanding.remove(outcome.node) > 0) {
                accepted[*key].append(std::move(outcome));
            }
        }
    }
    for (auto it = accepted.cbegin(); it != accepted.cend(); ++it) {
        Q_EMIT outcomesReady(it.key(), it.value());
    }
}

void RedisExecutor::pollWorkers()
{
    if (!m_commands->isConnected()) {
        return;
    }
    const QByteArray now = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    m_commands->command({"ZREMRANGEBYSCORE", Wire::WorkersIndex, "-inf", now});
    m_commands->command({"ZRANGE", Wire::WorkersIndex, "0", "-1"}, [this](const RedisReply &names) {
        if (!names.ok() || names.elements.isEmpty()) {
            if (names.ok() && !m_workers.isEmpty()) {
                m_workers.clear();
                Q_EMIT workersChanged();
            }
            return;
        }
        QList<QByteArray> mget{"MGET"};
        for (const RedisReply &name : names.elements) {
            mget.append(Wire::workerKey(QString::fromUtf8(name.str)));
        }
        m_commands->command(mget, [this](const RedisReply &values) {
            if (!values.ok()) {
                return;
            }
            QList<Wire::WorkerInfo> workers;
            for (const RedisReply &value : values.elements) {
                const Result<Wire::WorkerInfo> info =
                    Wire::WorkerInfo::fromJson(QJsonDocument::fromJson(value.str).object());
                if (value.type == RedisReply::Type::String && info) {
                    workers.append(*info);
                }
            }
            std::sort(workers.begin(), workers.end(),
                      [](const auto &a, const auto &b) { return a.name < b.name; });
            m_workers = workers;
            Q_EMIT workersChanged();
        });
    });
}

} // namespace Artemis
