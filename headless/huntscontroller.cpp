#include "headless/huntscontroller.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>

#include "core/huntengine.h"
#include "core/huntid.h"
#include "core/resultstore.h"
#include "headless/httperrors.h"
#include "headless/huntrequestjson.h"
#include "headless/huntsubmission.h"
#include "headless/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr int DefaultListLimit = 50;
constexpr int MaxListLimit = 1000;
constexpr qsizetype MaxCachedManifests = 4096;

// The engine marks a hunt done/cancelled a moment before its last results and manifest are on
// disk. The API calls a hunt finished only once they are, so that a client who sees "done"
// can read every result at once: until then it is still "running".
HuntInfo presented(HuntInfo info)
{
    if (isFinished(info.state)) {
        info.state = HuntState::Running;
        info.finishedAt = {};
    }
    return info;
}

Error notFound(const QString &id)
{
    return makeError(ErrorCode::NotFound, u"no hunt with id '%1'"_s.arg(id));
}

} // namespace

HuntsController::HuntsController(HuntEngine *engine, ResultStore *store, Scheduler *scheduler)
    : m_engine(engine), m_store(store), m_scheduler(scheduler)
{
}

bool HuntsController::registerRoutes(Router &router)
{
    using M = Router::Method;
    const auto token = Router::Access::Token;
    bool ok = true;
    ok = router.add(M::Post, u"/api/v1/hunts"_s, token,
                    [this](const QHttpServerRequest &r, const QStringList &) { return create(r); })
         && ok;
    ok = router.add(M::Get, u"/api/v1/hunts"_s, token,
                    [this](const QHttpServerRequest &r, const QStringList &) { return list(r); })
         && ok;
    ok = router.add(M::Get, u"/api/v1/hunts/<arg>"_s, token,
                    [this](const QHttpServerRequest &, const QStringList &a) { return show(a[0]); })
         && ok;
    ok = router.add(M::Delete, u"/api/v1/hunts/<arg>"_s, token,
                    [this](const QHttpServerRequest &, const QStringList &a) {
                        return remove(a[0]);
                    })
         && ok;
    ok = router.add(M::Post, u"/api/v1/hunts/<arg>/cancel"_s, token,
                    [this](const QHttpServerRequest &, const QStringList &a) {
                        return cancel(a[0]);
                    })
         && ok;
    return ok;
}

Result<HuntInfo> HuntsController::findHunt(const QString &id)
{
    if (!isValidHuntId(id)) {
        return notFound(id);
    }
    if (std::optional<HuntInfo> active = m_engine->activeInfo(id)) {
        return presented(*active);
    }
    if (std::optional<HuntInfo> unstored = m_engine->unstoredInfo(id)) {
        return *unstored; // e.g. failed on a full disk: the stored manifest is out of date
    }
    if (const auto cached = m_finished.constFind(id); cached != m_finished.cend()) {
        return *cached;
    }
    Result<HuntInfo> stored = m_store->loadManifest(id);
    if (!stored) {
        return stored.error().code == ErrorCode::NotFound ? notFound(id) : stored.error();
    }
    if (isFinished(stored->state)) {
        if (m_finished.size() >= MaxCachedManifests) {
            m_finished.clear();
        }
        m_finished.insert(id, *stored);
    }
    return stored;
}

QHttpServerResponse HuntsController::create(const QHttpServerRequest &request)
{
    QJsonObject body;
    const Result<HuntRequest> hunt =
        parseHuntBody(request.body(), m_engine->config().maxNodes, ScheduleFields, &body);
    if (!hunt) {
        return errorResponse(hunt.error());
    }
    const bool scheduleField = std::any_of(ScheduleFields.cbegin(), ScheduleFields.cend(),
                                           [&](const QString &f) { return body.contains(f); });
    if (!scheduleField) {
        return submitHunt(*m_engine, *hunt);
    }
    // "every" makes it a schedule: the same as POST /api/v1/schedules.
    if (!m_scheduler) {
        return errorResponse(400, u"schedules are not available in this process"_s);
    }
    if (!body.contains(u"every"_s)) {
        return errorResponse(400, u"'spread', 'retention' and 'rounds' need 'every'"_s);
    }
    const Result<ScheduleSpec> spec = parseScheduleSpec(*hunt, body);
    if (!spec) {
        return errorResponse(spec.error());
    }
    return createSchedule(*m_scheduler, *spec);
}

void HuntsController::forget(const QString &id)
{
    m_finished.remove(id);
    m_finishedBodies.remove(id);
}

QHttpServerResponse HuntsController::list(const QHttpServerRequest &request)
{
    const QUrlQuery query = request.query();
    int limit = DefaultListLimit;
    if (query.hasQueryItem(u"limit"_s)) {
        bool ok = false;
        limit = query.queryItemValue(u"limit"_s).toInt(&ok);
        if (!ok || limit < 1 || limit > MaxListLimit) {
            return errorResponse(400, u"'limit' must be 1..%1"_s.arg(MaxListLimit));
        }
    }
    const QString before = query.queryItemValue(u"before"_s);
    if (!before.isEmpty() && !isValidHuntId(before)) {
        return errorResponse(400, u"'before' must be a hunt id"_s);
    }
    std::optional<HuntState> state;
    if (query.hasQueryItem(u"state"_s)) {
        state = huntStateFromName(query.queryItemValue(u"state"_s));
        if (!state) {
            return errorResponse(400, u"unknown state '%1' (queued, running, done, cancelled, "
                                      "interrupted, failed)"_s.arg(query.queryItemValue(u"state"_s)));
        }
    }
    const Result<QList<HuntInfo>> hunts = m_store->listHunts(limit, before, state);
    if (!hunts) {
        return errorResponse(hunts.error());
    }
    QJsonArray items;
    for (const HuntInfo &stored : *hunts) {
        // Active hunts: the live counts, not the last periodic manifest write. Hunts whose
        // final manifest could not be written: what the engine kept.
        std::optional<HuntInfo> live = m_engine->activeInfo(stored.id);
        if (live) {
            live = presented(*live);
        } else {
            live = m_engine->unstoredInfo(stored.id);
        }
        if (live && state && live->state != *state) {
            continue;
        }
        items.append(huntJson(live ? *live : stored));
    }
    QJsonObject body{{u"hunts"_s, items}, {u"count"_s, items.size()}};
    if (hunts->size() == limit) {
        body.insert(u"next"_s, u"/api/v1/hunts?limit=%1&before=%2%3"_s.arg(limit)
                                   .arg(hunts->last().id,
                                        state ? u"&state="_s + huntStateName(*state) : QString()));
    }
    return jsonResponse(body);
}

QHttpServerResponse HuntsController::show(const QString &id)
{
    // A finished hunt's answer never changes: render it once. Building and serialising the
    // JSON was three quarters of the cost of this, the most polled endpoint.
    if (const auto cached = m_finishedBodies.constFind(id); cached != m_finishedBodies.cend()
        && !m_engine->activeInfo(id)) {
        return QHttpServerResponse(QByteArrayLiteral("application/json"), *cached);
    }
    const Result<HuntInfo> info = findHunt(id);
    if (!info) {
        return errorResponse(info.error());
    }
    const QJsonObject body = huntJson(*info);
    if (m_finished.contains(id)) {
        if (m_finishedBodies.size() >= MaxCachedManifests) {
            m_finishedBodies.clear();
        }
        const QByteArray bytes = QJsonDocument(body).toJson(QJsonDocument::Compact);
        m_finishedBodies.insert(id, bytes);
        return QHttpServerResponse(QByteArrayLiteral("application/json"), bytes);
    }
    return jsonResponse(body);
}

QHttpServerResponse HuntsController::cancel(const QString &id)
{
    if (!isValidHuntId(id)) {
        return errorResponse(notFound(id));
    }
    if (const std::optional<HuntInfo> active = m_engine->activeInfo(id);
        active && isFinished(active->state)) {
        // Finished, its last writes still in flight: the same answer as once they are done.
        return errorResponse(makeError(ErrorCode::Conflict, u"hunt %1 is already %2"_s.arg(
                                                                id, huntStateName(active->state))));
    }
    const Result<void> cancelled = m_engine->cancel(id);
    if (!cancelled) {
        return errorResponse(cancelled.error().code == ErrorCode::NotFound ? notFound(id)
                                                                           : cancelled.error());
    }
    return jsonResponse(QJsonObject{{u"hunt"_s, id},
                                    {u"state"_s, u"cancelling"_s},
                                    {u"status"_s, QString(u"/api/v1/hunts/"_s + id)}},
                        202);
}

QHttpServerResponse HuntsController::remove(const QString &id)
{
    if (!isValidHuntId(id)) {
        return errorResponse(notFound(id));
    }
    if (const std::optional<HuntInfo> active = m_engine->activeInfo(id)) {
        if (isFinished(active->state)) {
            return errorResponse(makeError(
                ErrorCode::Conflict,
                u"hunt %1 is %2 and its results are still being written; retry shortly"_s.arg(
                    id, huntStateName(active->state))));
        }
        return errorResponse(makeError(
            ErrorCode::Conflict, u"hunt %1 is %2; cancel it first (POST %3/cancel)"_s.arg(
                                     id, huntStateName(active->state), u"/api/v1/hunts/"_s + id)));
    }
    const Result<HuntInfo> stored = m_store->loadManifest(id);
    if (!stored) {
        return errorResponse(stored.error().code == ErrorCode::NotFound ? notFound(id)
                                                                        : stored.error());
    }
    forget(id);
    const Result<void> removed = m_engine->removeHunt(id);
    if (!removed) {
        return errorResponse(removed.error());
    }
    return jsonResponse(QJsonObject{{u"deleted"_s, id}});
}

} // namespace Artemis
