#include "headless/rest/schedulescontroller.h"

#include <QJsonArray>
#include <QUrlQuery>

#include "core/engine/huntengine.h"
#include "core/service/huntcatalog.h"
#include "core/watch/scheduler.h"
#include "headless/rest/deferredanswer.h"
#include "headless/rest/httperrors.h"
#include "headless/rest/huntsubmission.h"
#include "headless/rest/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

SchedulesController::SchedulesController(Scheduler *scheduler, HuntEngine *engine,
                                         HuntCatalog *catalog)
    : m_scheduler(scheduler), m_engine(engine), m_catalog(catalog)
{
}

bool SchedulesController::registerRoutes(Router &router)
{
    using M = Router::Method;
    const auto token = Router::Access::Token;
    bool ok = true;
    ok = router.addStreaming(
             M::Post, u"/api/v1/schedules"_s, token,
             [this](const QHttpServerRequest &r, const QStringList &,
                    QHttpServerResponder &responder) { return create(r, responder); })
         && ok;
    ok = router.add(M::Get, u"/api/v1/schedules"_s, token,
                    [this](const QHttpServerRequest &, const QStringList &) { return list(); })
         && ok;
    // The longer rule first: QtHttpServer tries rules in order of registration.
    ok = router.add(
             M::Get, u"/api/v1/schedules/<arg>/history"_s, token,
             [this](const QHttpServerRequest &r, const QStringList &a) { return history(a[0], r); })
         && ok;
    ok = router.add(
             M::Get, u"/api/v1/schedules/<arg>/alerts"_s, token,
             [this](const QHttpServerRequest &r, const QStringList &a) { return alerts(a[0], r); })
         && ok;
    ok = router.add(M::Get, u"/api/v1/schedules/<arg>"_s, token,
                    [this](const QHttpServerRequest &, const QStringList &a) { return show(a[0]); })
         && ok;
    ok = router.add(
             M::Delete, u"/api/v1/schedules/<arg>"_s, token,
             [this](const QHttpServerRequest &, const QStringList &a) { return remove(a[0]); })
         && ok;
    return ok;
}

std::optional<QHttpServerResponse> SchedulesController::create(const QHttpServerRequest &request,
                                                               QHttpServerResponder &responder)
{
    QJsonObject body;
    const Result<HuntRequest> hunt = parseHuntBody(request.body(), m_engine->config().maxNodes,
                                                   ScheduleFields + QStringList{u"nodesFrom"_s},
                                                   &body, m_engine->config().files);
    if (!hunt) {
        return errorResponse(hunt.error());
    }
    const Result<ScheduleSpec> spec = parseScheduleSpec(*hunt, body);
    if (!spec) {
        return errorResponse(spec.error());
    }
    if (!spec->nodesFrom) {
        return createSchedule(*m_scheduler, *spec);
    }
    // The first read of the source may take a network round trip: answered when it is done,
    // while the server goes on with other requests.
    const QPointer<DeferredAnswer> answer = DeferredAnswer::pending(responder.socket());
    m_scheduler->createLater(*spec, answer, [answer](const Result<Schedule> &created) {
        const QHttpServerResponse response = createdResponse(created);
        DeferredAnswer::Reply reply(int(response.statusCode()), {});
        reply.contentType = response.mimeType();
        reply.text = response.data();
        for (const QByteArray &location : response.headers("Location")) {
            reply.headers.append({"Location", location});
        }
        if (answer) {
            answer->answer(reply);
        }
    });
    return std::nullopt;
}

QHttpServerResponse SchedulesController::list()
{
    QJsonArray items;
    for (const Schedule &schedule : m_scheduler->list()) {
        items.append(scheduleJson(schedule));
    }
    return jsonResponse(QJsonObject{{u"schedules"_s, items}, {u"count"_s, items.size()}});
}

QHttpServerResponse SchedulesController::show(const QString &id)
{
    const std::optional<Schedule> schedule = m_scheduler->find(id);
    if (!schedule) {
        return errorResponse(makeError(ErrorCode::NotFound, u"no schedule with id '%1'"_s.arg(id)));
    }
    QJsonObject json = scheduleJson(*schedule);
    // Newest first, each with its hunt's state and counts (live for the running one).
    QJsonArray rounds;
    const QList<ScheduleRound> &all = schedule->rounds;
    for (qsizetype i = all.size() - 1; i >= 0 && rounds.size() < RoundsShown; --i) {
        QJsonObject round{{u"hunt"_s, all[i].hunt},
                          {u"round"_s, all[i].round},
                          {u"startedAt"_s, isoOrEmpty(all[i].startedAt)},
                          {u"status"_s, QString(u"/api/v1/hunts/"_s + all[i].hunt)}};
        if (const Result<HuntInfo> info = m_catalog->find(all[i].hunt)) {
            round.insert(u"state"_s, huntStateName(info->state));
            round.insert(u"counts"_s, info->counts.toJson());
            round.insert(u"elapsedMs"_s, info->elapsedMs());
        } else {
            round.insert(u"state"_s, u"missing"_s);
        }
        rounds.append(round);
    }
    json.insert(u"rounds"_s, rounds);
    json.insert(u"roundsRetained"_s, int(all.size()));
    return jsonResponse(json);
}

QHttpServerResponse SchedulesController::remove(const QString &id)
{
    const Result<Schedule> removed = m_scheduler->remove(id);
    if (!removed) {
        return errorResponse(removed.error());
    }
    QJsonArray kept;
    for (const ScheduleRound &round : removed->rounds) {
        kept.append(round.hunt);
    }
    return jsonResponse(QJsonObject{{u"deleted"_s, id}, {u"roundsKept"_s, kept}});
}

QHttpServerResponse SchedulesController::history(const QString &id,
                                                 const QHttpServerRequest &request)
{
    const QUrlQuery query = request.query();
    // QUrlQuery leaves %XX in place for some characters; decode like the path arguments.
    auto item = [&](const QString &key) { return query.queryItemValue(key, QUrl::FullyDecoded); };
    const QString node = item(u"node"_s);
    if (node.isEmpty()) {
        return errorResponse(400, u"'node' is required: one of the schedule's nodes"_s);
    }
    int limit = DefaultHistoryLimit;
    if (query.hasQueryItem(u"limit"_s)) {
        bool ok = false;
        limit = item(u"limit"_s).toInt(&ok);
        if (!ok) {
            return errorResponse(400, u"'limit' must be a whole number"_s);
        }
    }
    const QString path = item(u"path"_s);
    const Result<QList<NodeHistoryEntry>> entries = m_scheduler->history(id, node, path, limit);
    if (!entries) {
        return errorResponse(entries.error());
    }
    QJsonArray items;
    for (const NodeHistoryEntry &entry : *entries) {
        items.append(entry.toJson());
    }
    QJsonObject body{{u"schedule"_s, id},
                     {u"node"_s, node.trimmed()},
                     {u"count"_s, items.size()},
                     {u"history"_s, items}};
    if (!path.isEmpty()) {
        body.insert(u"path"_s, path);
    }
    return jsonResponse(body);
}

QHttpServerResponse SchedulesController::alerts(const QString &id,
                                                const QHttpServerRequest &request)
{
    const QUrlQuery query = request.query();
    std::optional<AlertPhase> phase;
    if (query.hasQueryItem(u"state"_s)) {
        phase = alertPhaseFromName(query.queryItemValue(u"state"_s));
        if (!phase || *phase == AlertPhase::Ok) {
            return errorResponse(400, u"'state' must be pending, firing or resolved"_s);
        }
    }
    int limit = DefaultAlertsLimit;
    if (query.hasQueryItem(u"limit"_s)) {
        bool ok = false;
        limit = query.queryItemValue(u"limit"_s).toInt(&ok);
        if (!ok || limit < 1 || limit > MaxAlertsLimit) {
            return errorResponse(
                400, u"'limit' must be a whole number from 1 to %1"_s.arg(MaxAlertsLimit));
        }
    }
    const std::optional<Schedule> schedule = m_scheduler->find(id);
    const Result<AlertBook> book = m_scheduler->alerts(id);
    if (!schedule || !book) {
        return errorResponse(makeError(ErrorCode::NotFound, u"no schedule with id '%1'"_s.arg(id)));
    }
    return jsonResponse(alertListingJson(id, *book, schedule->spec.conditions, phase, limit));
}

} // namespace Artemis
