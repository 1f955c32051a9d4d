#include "core/service/huntcatalog.h"

#include <algorithm>

#include <QMutexLocker>

#include "core/base/huntid.h"
#include "core/base/jsonvalues.h"
#include "core/fleet/pathsuggest.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr qsizetype MaxCachedManifests = 4096;

Error notFound(const QString &id)
{
    return makeError(ErrorCode::NotFound, u"no hunt with id '%1'"_s.arg(id));
}

Error readOnly()
{
    return makeError(ErrorCode::Unavailable,
                     u"this process only reads the data dir; the process that holds it can "
                     u"cancel or delete hunts"_s);
}

} // namespace

HuntCatalog::HuntCatalog(HuntEngine *engine, ResultStore *store, QObject *parent)
    : QObject(parent), m_engine(engine), m_store(store)
{
    if (!engine) {
        return; // read-only: what the store holds
    }
    // A stored hunt queued again is being resumed (HuntEngine::resume): its cached manifest,
    // interrupted, is out of date from now on.
    connect(engine, &HuntEngine::huntQueued, this,
            [this](const HuntInfo &info) { forget(info.id); });
    connect(engine, &HuntEngine::huntStarted, this,
            [this](const HuntInfo &info) { Q_EMIT huntStarted(presented(info)); });
    connect(engine, &HuntEngine::huntProgress, this,
            [this](const HuntProgress &p) { Q_EMIT huntProgress(presented(p)); });
    connect(engine, &HuntEngine::huntFinished, this, &HuntCatalog::huntFinished);
    connect(engine, &HuntEngine::huntRemoved, this, [this](const QString &id) {
        forget(id);
        Q_EMIT huntRemoved(id);
    });
}

HuntCatalog::~HuntCatalog() = default;

HuntInfo HuntCatalog::presented(HuntInfo info)
{
    // The engine marks a hunt done/cancelled a moment before its last results and manifest
    // are on disk (HuntRun writes them on the pool); the hunt ends for everyone else only
    // once HuntEngine::huntFinished says they are.
    if (isFinished(info.state)) {
        info.state = HuntState::Running;
        info.finishedAt = {};
    }
    return info;
}

HuntProgress HuntCatalog::presented(HuntProgress progress)
{
    if (isFinished(progress.state)) {
        progress.state = HuntState::Running;
    }
    return progress;
}

std::optional<HuntInfo> HuntCatalog::live(const QString &id) const
{
    if (!m_engine) {
        return std::nullopt;
    }
    if (std::optional<HuntInfo> active = m_engine->activeInfo(id)) {
        return presented(*active);
    }
    // Ended, final manifest not stored (e.g. a full disk): the store's copy is out of date.
    return m_engine->unstoredInfo(id);
}

std::optional<HuntProgress> HuntCatalog::liveProgress(const QString &id) const
{
    if (!m_engine) {
        return std::nullopt;
    }
    if (std::optional<HuntProgress> progress = m_engine->liveProgress(id)) {
        return presented(std::move(*progress));
    }
    return std::nullopt;
}

Result<HuntInfo> HuntCatalog::stored(const QString &id) const
{
    {
        const QMutexLocker locker(&m_mutex);
        if (const auto cached = m_finished.constFind(id); cached != m_finished.cend()) {
            return *cached;
        }
    }
    Result<HuntInfo> info = m_store->loadManifest(id);
    if (!info) {
        return info.error().code == ErrorCode::NotFound ? notFound(id) : info.error();
    }
    if (isFinished(info->state)) {
        const QMutexLocker locker(&m_mutex);
        if (m_finished.size() >= MaxCachedManifests) {
            m_finished.clear();
        }
        m_finished.insert(id, *info);
    }
    return info;
}

HuntCatalog::FindTask HuntCatalog::findTask(const QString &id)
{
    if (id == Latest) {
        HuntListQuery newestDone;
        // A few, not one: a hunt whose stored manifest says done while its last results are
        // being written is presented as running and left out of the page.
        newestDone.limit = 8;
        newestDone.state = HuntState::Done;
        return [list = listTask(newestDone)]() -> Result<HuntInfo> {
            const Result<HuntListPage> page = list();
            if (!page) {
                return page.error();
            }
            if (page->hunts.isEmpty()) {
                return makeError(ErrorCode::NotFound,
                                 u"no hunt is done yet ('latest' is the newest hunt that is done; "
                                 "name a running hunt by its id)"_s);
            }
            return page->hunts.first();
        };
    }
    if (!isValidHuntId(id)) {
        return [id]() -> Result<HuntInfo> { return notFound(id); };
    }
    if (std::optional<HuntInfo> now = live(id)) {
        return [info = *now]() -> Result<HuntInfo> { return info; };
    }
    return [this, id]() { return stored(id); };
}

Result<HuntInfo> HuntCatalog::find(const QString &id)
{
    return findTask(id)();
}

const ResultStore *catalogStore(const HuntCatalog &catalog)
{
    return catalog.m_store;
}

QString HuntCatalog::dataDir() const
{
    return m_store->dataDir();
}

StorageHealth HuntCatalog::checkStorage() const
{
    return m_store->checkStorage();
}

Result<QList<HuntInfo>> HuntCatalog::listStored(int limit, HuntState state) const
{
    return m_store->listHunts(limit, {}, state);
}

Result<ResultPage> HuntCatalog::readResults(const QString &id, const ResultQuery &query) const
{
    return m_store->readResults(id, query);
}

Result<Outcome> HuntCatalog::findResult(const QString &id, const QString &node) const
{
    return m_store->findResult(id, node);
}

Result<int> HuntCatalog::forEachResult(const QString &id,
                                       const std::function<bool(const Outcome &)> &sink) const
{
    return m_store->forEachResult(id, sink);
}

QString HuntCatalog::resultsFile(const QString &id) const
{
    return m_store->resultsFile(id);
}

Result<QList<LineRef>> HuntCatalog::selectLines(const QString &id, const ResultQuery &query) const
{
    return m_store->selectLines(id, query);
}

bool HuntCatalog::isSettled(const QString &id) const
{
    if (live(id)) {
        return false;
    }
    const QMutexLocker locker(&m_mutex);
    return m_finished.contains(id);
}

HuntCatalog::ListTask HuntCatalog::listTask(const HuntListQuery &query)
{
    if (query.limit < 1 || query.limit > HuntListQuery::MaxLimit) {
        return []() -> Result<HuntListPage> {
            return makeError(ErrorCode::InvalidArgument,
                             u"'limit' must be 1..%1"_s.arg(HuntListQuery::MaxLimit));
        };
    }
    if (!query.before.isEmpty() && !isValidHuntId(query.before)) {
        return []() -> Result<HuntListPage> {
            return makeError(ErrorCode::InvalidArgument, u"'before' must be a hunt id"_s);
        };
    }
    // Active hunts carry live counts (the stored manifests lag by up to a second); hunts
    // whose final manifest could not be written: what the engine kept.
    QHash<QString, HuntInfo> now;
    if (m_engine) {
        for (const HuntInfo &active : m_engine->activeHunts()) {
            now.insert(active.id, presented(active));
        }
        for (const HuntInfo &unstored : m_engine->unstoredHunts()) {
            now.insert(unstored.id, unstored);
        }
    }
    ResultStore *store = m_store;
    return [store, query, now]() -> Result<HuntListPage> {
        const Result<QList<HuntInfo>> hunts =
            store->listHunts(query.limit, query.before, query.state);
        if (!hunts) {
            return hunts.error();
        }
        HuntListPage page;
        if (hunts->size() == query.limit) {
            page.nextBefore = hunts->last().id;
        }
        for (const HuntInfo &info : *hunts) {
            const auto live = now.constFind(info.id);
            const HuntInfo &shown = live != now.cend() ? *live : info;
            if (query.state && shown.state != *query.state) {
                continue;
            }
            page.hunts.append(shown);
        }
        return page;
    };
}

Result<HuntListPage> HuntCatalog::list(const HuntListQuery &query)
{
    return listTask(query)();
}

Result<void> HuntCatalog::cancel(const QString &id)
{
    if (!isValidHuntId(id)) {
        return notFound(id);
    }
    if (!m_engine) {
        return readOnly();
    }
    if (const std::optional<HuntInfo> active = m_engine->activeInfo(id);
        active && isFinished(active->state)) {
        // Finished, its last writes still in flight: the same answer as once they are done.
        return makeError(ErrorCode::Conflict,
                         u"hunt %1 is already %2"_s.arg(id, huntStateName(active->state)));
    }
    const Result<void> cancelled = m_engine->cancel(id);
    if (!cancelled && cancelled.error().code == ErrorCode::NotFound) {
        return notFound(id);
    }
    return cancelled;
}

Result<void> HuntCatalog::remove(const QString &id)
{
    if (!isValidHuntId(id)) {
        return notFound(id);
    }
    if (!m_engine) {
        return readOnly();
    }
    if (const std::optional<HuntInfo> active = m_engine->activeInfo(id)) {
        if (isFinished(active->state)) {
            return makeError(
                ErrorCode::Conflict,
                u"hunt %1 is %2 and its results are still being written; retry shortly"_s.arg(
                    id, huntStateName(active->state)));
        }
        return makeError(ErrorCode::Conflict,
                         u"hunt %1 is %2; cancel it first"_s.arg(id, huntStateName(active->state)));
    }
    if (!m_engine->unstoredInfo(id)) {
        if (const Result<HuntInfo> info = stored(id); !info) {
            return info.error();
        }
    }
    forget(id);
    return m_engine->removeHunt(id);
}

void HuntCatalog::forget(const QString &id)
{
    const QMutexLocker locker(&m_mutex);
    m_finished.remove(id);
}

Result<QList<ValueRow>> HuntCatalog::collectValues(const QString &id, const QString &path) const
{
    const Result<JsonPath> parsed = parseJsonPath(path);
    if (!parsed) {
        return parsed.error();
    }
    QList<ValueRow> rows;
    const Result<int> read = m_store->forEachResult(id, [&](const Outcome &outcome) {
        ValueRow row;
        row.node = outcome.node;
        row.outcome = outcome.outcome;
        row.value = outcome.outcome == OutcomeKind::Ok ? jsonValueAt(outcome.body, *parsed)
                                                       : QJsonValue(QJsonValue::Undefined);
        row.number = jsonNumber(row.value);
        rows.append(std::move(row));
        return true;
    });
    if (!read) {
        return read.error().code == ErrorCode::NotFound ? notFound(id) : read.error();
    }
    return rows;
}

Result<FleetValues> HuntCatalog::values(const QString &id, const QString &path,
                                        const FleetValuesOptions &options) const
{
    const Result<JsonPath> parsed = parseJsonPath(path);
    if (!parsed) {
        return makeError(ErrorCode::InvalidArgument,
                         u"bad path '%1': %2"_s.arg(path, parsed.error().message));
    }
    if (!isValidHuntId(id)) {
        return notFound(id);
    }
    Result<FleetValues> values = computeFleetValues(*m_store, id, *parsed, options);
    if (!values && values.error().code == ErrorCode::NotFound) {
        return notFound(id);
    }
    if (values) {
        addPathWarning(*m_store, id, *values);
    }
    return values;
}

Result<NodeDiff> HuntCatalog::diff(const QString &id, const QString &node,
                                   const QString &against) const
{
    if (!isValidHuntId(id)) {
        return notFound(id);
    }
    if (against.isEmpty() || against == u"majority") {
        return diffAgainstMajority(*m_store, id, node);
    }
    auto okBody = [this](const QString &hunt, const QString &who) -> Result<QJsonValue> {
        const Result<Outcome> outcome = m_store->findResult(hunt, who);
        if (!outcome) {
            return makeError(ErrorCode::NotFound,
                             u"hunt %1 has no result for node '%2'"_s.arg(hunt, who));
        }
        if (outcome->outcome != OutcomeKind::Ok) {
            return makeError(ErrorCode::NotFound,
                             u"node '%1' has no answer to compare in hunt %2 (outcome %3)"_s.arg(
                                 who, hunt, outcomeName(outcome->outcome)));
        }
        return outcome->body;
    };
    const Result<QJsonValue> mine = okBody(id, node);
    if (!mine) {
        return mine.error();
    }
    QString otherHunt = id;
    QString otherNode = against;
    QString label = against;
    if (against == u"previous") {
        const Result<HuntInfo> info = stored(id);
        if (!info) {
            return info.error();
        }
        if (info->schedule.isEmpty()) {
            return makeError(ErrorCode::InvalidArgument,
                             u"hunt %1 is not a schedule's round: 'previous' needs one"_s.arg(id));
        }
        // Rounds are hunts: the previous one is the newest older hunt of the same schedule.
        const Result<QList<HuntInfo>> older = m_store->listHunts(HuntListQuery::MaxLimit, id);
        if (!older) {
            return older.error();
        }
        const auto previous = std::find_if(older->cbegin(), older->cend(), [&](const HuntInfo &h) {
            return h.schedule == info->schedule && h.round < info->round;
        });
        if (previous == older->cend()) {
            return makeError(ErrorCode::NotFound,
                             u"no earlier round of schedule %1 is stored"_s.arg(info->schedule));
        }
        otherHunt = previous->id;
        otherNode = node;
        label = u"previous (round %1, hunt %2)"_s.arg(previous->round).arg(previous->id);
    }
    const Result<QJsonValue> theirs = okBody(otherHunt, otherNode);
    if (!theirs) {
        return theirs.error();
    }
    return diffNodes(*mine, *theirs, node, label);
}

} // namespace Artemis
