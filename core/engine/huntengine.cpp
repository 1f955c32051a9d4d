#include "core/engine/huntengine.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include "core/base/huntid.h"
#include "core/base/logging.h"
#include "core/engine/huntrun.h"
#include "core/hunt/executor.h"
#include "core/inventory/noderange.h"
#include "core/net/target.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;

namespace Artemis {

HuntEngine::HuntEngine(ResultStore *store, Executor *executor, EngineConfig config, QObject *parent)
    : QObject(parent), m_store(store), m_executor(executor), m_config(config)
{
    qRegisterMetaType<Artemis::HuntProgress>();
    qRegisterMetaType<Artemis::HuntInfo>();
    connect(m_executor, &Executor::outcomesReady, this,
            [this](quint64 key, const QList<Outcome> &outcomes) {
                for (HuntRun *run : std::as_const(m_runs)) {
                    if (run->key() == key) {
                        run->addOutcomes(outcomes);
                        return;
                    }
                }
            });
    connect(m_executor, &Executor::retryStateChanged, this,
            [this](quint64 key, const QString &node, int attempt, bool waiting) {
                for (HuntRun *run : std::as_const(m_runs)) {
                    if (run->key() == key) {
                        run->setRetryState(node, attempt, waiting);
                        return;
                    }
                }
            });
}

HuntEngine::~HuntEngine()
{
    shutdown();
}

Result<HuntInfo> HuntEngine::submit(const HuntRequest &request)
{
    if (request.nodes.size() > m_config.maxNodes) {
        return makeError(ErrorCode::TooLarge,
                         u"%1 nodes given; at most %2 per hunt"_s.arg(request.nodes.size())
                             .arg(m_config.maxNodes));
    }
    if (!request.labels.isEmpty() && request.labels.size() != request.nodes.size()) {
        return makeError(ErrorCode::InvalidArgument, u"labels must be given for every node"_s);
    }
    const Result<void> validOptions = request.options.validate();
    if (!validOptions) {
        return validOptions.error();
    }
    if (const Result<void> accepted = m_executor->accepts(request.options); !accepted) {
        return accepted.error();
    }
    if (const Result<void> validExtract = validateExtracts(request.extract); !validExtract) {
        return validExtract.error();
    }
    // Ranges are expanded here, for every face alike, bounded by maxNodes before expanding.
    Result<ExpandedNodes> expanded =
        expandNodeRanges(request.nodes, request.labels, m_config.maxNodes);
    if (!expanded) {
        return expanded.error();
    }
    Result<TargetList> parsed = parseTargets(expanded->nodes, request.url, m_config.policy.get());
    if (!parsed) {
        return perGivenNode(parsed.error(), request.nodes, *expanded);
    }
    if (!expanded->labels.isEmpty()) {
        // A node given twice keeps the labels it was first given with (as its target).
        QHash<QString, Labels> byNode;
        for (qsizetype i = 0; i < expanded->nodes.size(); ++i) {
            byNode.insert(expanded->nodes.at(i).trimmed(), expanded->labels.at(i));
        }
        for (Target &target : parsed->targets) {
            target.labels = byNode.value(target.node);
        }
    }
    if (runningCount() >= m_config.maxRunning && queuedCount() >= m_config.maxQueued) {
        return makeError(ErrorCode::Busy,
                         u"%1 hunts running and %2 queued; try again later"_s.arg(runningCount())
                             .arg(queuedCount()));
    }
    TargetList list = std::move(parsed).value();
    FetchOptions options = request.options;
    // Their values are secrets: no log line shows them (core/base/logging.h), Qt's own included.
    QStringList headerNames;
    for (const auto &header : std::as_const(options.headers)) {
        headerNames.append(QString::fromLatin1(header.first));
    }
    addRedactedHeaderNames(headerNames);
    // Read now, when the hunt or the schedule's round starts: a password file changed between
    // rounds applies from the next one. Only in memory: the manifest keeps the paths.
    if (const Result<void> resolved = resolveAuthRules(options.auth, m_config.files); !resolved) {
        return resolved.error();
    }

    HuntInfo info;
    info.id = newHuntId();
    info.state = HuntState::Queued;
    info.url = *normalizePath(request.url);
    info.options = std::move(options);
    info.total = int(list.targets.size());
    info.duplicates = list.duplicates;
    info.createdAt = QDateTime::currentDateTimeUtc();
    info.origin = request.origin;
    info.schedule = request.schedule;
    info.round = request.round;
    info.spreadMs = std::max(0, request.spreadMs);
    info.deadlineMs = std::max(0, request.deadlineMs);
    info.extract = request.extract;

    QStringList nodes;
    nodes.reserve(list.targets.size());
    QList<Labels> labels;
    QSet<QString> labelNames;
    for (const Target &target : std::as_const(list.targets)) {
        nodes.append(target.node);
        if (!expanded->labels.isEmpty()) {
            labels.append(target.labels);
            for (auto it = target.labels.cbegin(); it != target.labels.cend(); ++it) {
                labelNames.insert(it.key());
            }
        }
    }
    info.labelNames = labelNames.values();
    info.labelNames.sort();
    info.labelNameCount = int(info.labelNames.size());
    info.labelNames = info.labelNames.mid(0, HuntInfo::MaxLabelNames);
    const Result<void> created = m_store->createHunt(info, nodes, labels);
    if (!created) {
        return created.error();
    }

    return enqueue(info, std::move(list.targets));
}

Result<HuntInfo> HuntEngine::resume(const QString &id)
{
    if (m_runs.contains(id)) {
        return makeError(ErrorCode::Conflict, u"hunt %1 is already active"_s.arg(id));
    }
    Result<HuntInfo> stored = m_store->loadManifest(id);
    if (!stored) {
        return stored.error();
    }
    const Result<QStringList> nodes = m_store->loadNodes(id);
    if (!nodes) {
        return nodes.error();
    }
    HuntInfo info = std::move(stored).value();
    QSet<QString> done;
    info.counts = {};
    const Result<int> read = m_store->forEachResult(id, [&](const Outcome &outcome) {
        if (!done.contains(outcome.node)) {
            done.insert(outcome.node);
            info.counts.add(outcome.outcome);
        }
        return true;
    });
    if (!read) {
        return read.error();
    }
    Result<TargetList> parsed = parseTargets(*nodes, info.url);
    if (!parsed) {
        return parsed.error();
    }
    // Stored nodes are unique and in order, so they line up with the targets.
    if (const QList<Labels> labels = m_store->loadNodeLabels(id, nodes->size());
        labels.size() == parsed->targets.size()) {
        for (qsizetype i = 0; i < labels.size(); ++i) {
            parsed->targets[i].labels = labels.at(i);
        }
    }
    QList<Target> remaining;
    for (Target &target : parsed->targets) {
        if (!done.contains(target.node)) {
            remaining.append(std::move(target));
        }
    }
    // The manifest keeps the auth rules' paths only: read them again.
    if (const Result<void> resolved = resolveAuthRules(info.options.auth, m_config.files);
        !resolved) {
        return resolved.error();
    }
    info.done = int(done.size());
    info.total = int(parsed->targets.size());
    info.state = HuntState::Queued;
    return enqueue(info, std::move(remaining));
}

HuntInfo HuntEngine::enqueue(const HuntInfo &info, QList<Target> targets)
{
    // One way into the queue for new and resumed hunts alike.
    auto *run = new HuntRun(info, std::move(targets), m_nextKey++, m_store, m_executor,
                            m_config.progressIntervalMs, this);
    connect(run, &HuntRun::progress, this, &HuntEngine::huntProgress);
    connect(run, &HuntRun::finished, this, &HuntEngine::onRunFinished, Qt::QueuedConnection);
    m_runs.insert(info.id, run);
    m_queue.push_back(run);
    Q_EMIT huntQueued(info);
    startQueued();
    return run->info();
}

void HuntEngine::startQueued()
{
    while (!m_queue.empty() && runningCount() < m_config.maxRunning) {
        HuntRun *run = m_queue.front();
        m_queue.pop_front();
        run->start();
        Q_EMIT huntStarted(run->info());
    }
}

void HuntEngine::onRunFinished(HuntRun *run)
{
    // Queued delivery: the run may have been removed (and deleted) by shutdown() meanwhile.
    if (std::find(m_runs.cbegin(), m_runs.cend(), run) == m_runs.cend()) {
        return;
    }
    m_runs.remove(run->info().id);
    const HuntInfo info = run->info();
    if (!run->finalManifestStored()) {
        m_unstored.insert(info.id, info);
    }
    run->deleteLater();
    Q_EMIT huntFinished(info);
    startQueued();
}

Result<void> HuntEngine::cancel(const QString &id)
{
    HuntRun *run = m_runs.value(id);
    if (!run) {
        // Finished: its state is the one the engine kept (final manifest not stored) or stored.
        const std::optional<HuntInfo> unstored = unstoredInfo(id);
        const Result<HuntInfo> ended =
            unstored ? Result<HuntInfo>(*unstored) : m_store->loadManifest(id);
        if (!ended) {
            return ended.error();
        }
        return makeError(ErrorCode::Conflict,
                         u"hunt %1 is already %2"_s.arg(id, huntStateName(ended->state)));
    }
    const auto queued = std::find(m_queue.begin(), m_queue.end(), run);
    if (queued != m_queue.end()) {
        // Never started: start it in cancelled mode so every node gets its record.
        m_queue.erase(queued);
        run->start();
    }
    run->cancel();
    return {};
}

std::optional<HuntInfo> HuntEngine::activeInfo(const QString &id) const
{
    if (const HuntRun *run = m_runs.value(id)) {
        return run->info();
    }
    return std::nullopt;
}

std::optional<HuntProgress> HuntEngine::liveProgress(const QString &id) const
{
    if (const HuntRun *run = m_runs.value(id)) {
        return run->liveProgress();
    }
    return std::nullopt;
}

QList<HuntInfo> HuntEngine::activeHunts() const
{
    QList<HuntInfo> infos;
    for (const HuntRun *run : m_runs) {
        infos.append(run->info());
    }
    std::sort(infos.begin(), infos.end(),
              [](const HuntInfo &a, const HuntInfo &b) { return a.id > b.id; });
    return infos;
}

std::optional<HuntInfo> HuntEngine::unstoredInfo(const QString &id) const
{
    if (const auto it = m_unstored.constFind(id); it != m_unstored.cend()) {
        return *it;
    }
    return std::nullopt;
}

QList<HuntInfo> HuntEngine::unstoredHunts() const
{
    return m_unstored.values();
}

Result<void> HuntEngine::removeHunt(const QString &id)
{
    const Result<void> removed = m_store->removeHunt(id);
    if (removed || removed.error().code == ErrorCode::NotFound) {
        m_unstored.remove(id);
        Q_EMIT huntRemoved(id);
    }
    return removed;
}

int HuntEngine::runningCount() const
{
    return int(m_runs.size() - m_queue.size());
}

int HuntEngine::queuedCount() const
{
    return int(m_queue.size());
}

void HuntEngine::shutdown()
{
    const auto runs = m_runs;
    for (HuntRun *run : runs) {
        run->interrupt();
        delete run;
    }
    m_runs.clear();
    m_queue.clear();
}

} // namespace Artemis
