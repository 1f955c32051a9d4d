#include "headless/rest/huntscontroller.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>

#include "core/engine/huntengine.h"
#include "core/hunt/huntrequestjson.h"
#include "core/service/huntcatalog.h"
#include "headless/rest/httperrors.h"
#include "headless/rest/huntsubmission.h"
#include "headless/rest/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr qsizetype MaxCachedBodies = 4096;

} // namespace

HuntsController::HuntsController(HuntEngine *engine, HuntCatalog *catalog, Scheduler *scheduler)
    : m_engine(engine), m_catalog(catalog), m_scheduler(scheduler)
{
    m_removed = QObject::connect(catalog, &HuntCatalog::huntRemoved, catalog,
                                 [this](const QString &id) { m_settledBodies.remove(id); });
    // A settled hunt becomes active again when it is resumed (a restarted coordinator resumes
    // the interrupted ones): the body rendered while it was interrupted no longer holds.
    m_started = QObject::connect(catalog, &HuntCatalog::huntStarted, catalog,
                                 [this](const HuntInfo &info) { m_settledBodies.remove(info.id); });
}

HuntsController::~HuntsController()
{
    QObject::disconnect(m_removed);
    QObject::disconnect(m_started);
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
    ok = router.add(
             M::Delete, u"/api/v1/hunts/<arg>"_s, token,
             [this](const QHttpServerRequest &, const QStringList &a) { return remove(a[0]); })
         && ok;
    ok = router.add(
             M::Post, u"/api/v1/hunts/<arg>/cancel"_s, token,
             [this](const QHttpServerRequest &, const QStringList &a) { return cancel(a[0]); })
         && ok;
    return ok;
}

QHttpServerResponse HuntsController::create(const QHttpServerRequest &request)
{
    QJsonObject body;
    const Result<HuntRequest> hunt = parseHuntBody(request.body(), m_engine->config().maxNodes,
                                                   ScheduleFields, &body, m_engine->config().files);
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

QHttpServerResponse HuntsController::list(const QHttpServerRequest &request)
{
    const QUrlQuery query = request.query();
    HuntListQuery q;
    if (query.hasQueryItem(u"limit"_s)) {
        bool ok = false;
        q.limit = query.queryItemValue(u"limit"_s).toInt(&ok);
        if (!ok) {
            q.limit = 0; // refused by the catalog with the range
        }
    }
    q.before = query.queryItemValue(u"before"_s);
    if (query.hasQueryItem(u"state"_s)) {
        q.state = huntStateFromName(query.queryItemValue(u"state"_s));
        if (!q.state) {
            return errorResponse(400,
                                 u"unknown state '%1' (queued, running, done, cancelled, "
                                 "interrupted, failed)"_s.arg(query.queryItemValue(u"state"_s)));
        }
    }
    const Result<HuntListPage> page = m_catalog->list(q);
    if (!page) {
        return errorResponse(page.error());
    }
    QJsonArray items;
    for (const HuntInfo &info : page->hunts) {
        items.append(huntJson(info));
    }
    QJsonObject body{{u"hunts"_s, items}, {u"count"_s, items.size()}};
    if (!page->nextBefore.isEmpty()) {
        body.insert(u"next"_s, u"/api/v1/hunts?limit=%1&before=%2%3"_s.arg(q.limit).arg(
                                   page->nextBefore,
                                   q.state ? u"&state="_s + huntStateName(*q.state) : QString()));
    }
    return jsonResponse(body);
}

QHttpServerResponse HuntsController::show(const QString &id)
{
    // A settled hunt's answer never changes: render it once. Building and serialising the
    // JSON was three quarters of the cost of this, the most polled endpoint.
    if (const auto cached = m_settledBodies.constFind(id);
        cached != m_settledBodies.cend() && m_catalog->isSettled(id)) {
        return QHttpServerResponse(QByteArrayLiteral("application/json"), *cached);
    }
    const Result<HuntInfo> info = m_catalog->find(id);
    if (!info) {
        return errorResponse(info.error());
    }
    QJsonObject body = huntJson(*info);
    if (const std::optional<HuntProgress> live = m_catalog->liveProgress(info->id)) {
        addLiveProgress(body, *live);
    }
    if (m_catalog->isSettled(id)) {
        if (m_settledBodies.size() >= MaxCachedBodies) {
            m_settledBodies.clear();
        }
        const QByteArray bytes = QJsonDocument(body).toJson(QJsonDocument::Compact);
        m_settledBodies.insert(id, bytes);
        return QHttpServerResponse(QByteArrayLiteral("application/json"), bytes);
    }
    return jsonResponse(body);
}

QHttpServerResponse HuntsController::cancel(const QString &id)
{
    if (const Result<void> cancelled = m_catalog->cancel(id); !cancelled) {
        return errorResponse(cancelled.error());
    }
    return jsonResponse(QJsonObject{{u"hunt"_s, id},
                                    {u"state"_s, u"cancelling"_s},
                                    {u"status"_s, QString(u"/api/v1/hunts/"_s + id)}},
                        202);
}

QHttpServerResponse HuntsController::remove(const QString &id)
{
    if (const Result<void> removed = m_catalog->remove(id); !removed) {
        Error error = removed.error();
        // Still running (not merely ending): how to cancel it here.
        if (const std::optional<HuntInfo> active = m_engine->activeInfo(id);
            error.code == ErrorCode::Conflict && active && !isFinished(active->state)) {
            error.message += u" (POST /api/v1/hunts/%1/cancel)"_s.arg(id);
        }
        return errorResponse(error);
    }
    return jsonResponse(QJsonObject{{u"deleted"_s, id}});
}

} // namespace Artemis
