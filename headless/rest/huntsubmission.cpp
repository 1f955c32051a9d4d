#include "headless/rest/huntsubmission.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "core/base/duration.h"
#include "core/watch/scheduler.h"
#include "headless/rest/httperrors.h"

using namespace Qt::StringLiterals;

namespace Artemis {

QHttpServerResponse submitHunt(HuntEngine &engine, const HuntRequest &request)
{
    const Result<HuntInfo> submitted = engine.submit(request);
    if (!submitted) {
        return errorResponse(submitted.error());
    }
    const QString status = u"/api/v1/hunts/"_s + submitted->id;
    QJsonObject body{
        {u"success"_s, u"Request is being processed"_s},
        {u"hunt"_s, submitted->id},
        {u"status"_s, status},
        {u"results"_s, QString(status + u"/results"_s)},
        {u"total"_s, submitted->total},
    };
    if (!submitted->duplicates.isEmpty()) {
        body.insert(u"duplicates"_s, QJsonArray::fromStringList(submitted->duplicates));
    }
    QHttpServerResponse response = jsonResponse(body, 202);
    response.setHeader("Location", status.toUtf8());
    return response;
}

QJsonObject huntJson(const HuntInfo &info)
{
    QJsonObject json = info.toJson();
    const QString self = u"/api/v1/hunts/"_s + info.id;
    json.insert(
        u"progress"_s,
        QJsonObject{{u"done"_s, info.done},
                    {u"total"_s, info.total},
                    {u"percent"_s,
                     info.total > 0 ? qRound(1000.0 * info.done / info.total) / 10.0 : 100.0}});
    json.insert(u"links"_s, QJsonObject{{u"self"_s, self},
                                        {u"results"_s, QString(self + u"/results"_s)},
                                        {u"cancel"_s, QString(self + u"/cancel"_s)}});
    return json;
}

void addLiveProgress(QJsonObject &hunt, const HuntProgress &live)
{
    QJsonObject progress = hunt.value(u"progress"_s).toObject();
    progress.insert(u"nodesPerSecond"_s, qRound(live.nodesPerSecond * 10) / 10.0);
    progress.insert(u"sinceLastOutcomeMs"_s, live.sinceLastOutcomeMs);
    progress.insert(u"unfinished"_s, live.unfinished.toJson());
    hunt.insert(u"progress"_s, progress);
}

Result<ScheduleSpec> parseScheduleSpec(const HuntRequest &hunt, const QJsonObject &object)
{
    auto bad = [](const QString &message) {
        return makeError(ErrorCode::InvalidArgument, message);
    };
    auto duration = [&](const QJsonValue &value, const QString &name) -> Result<qint64> {
        if (!value.isString()) {
            return bad(u"'%1' must be a duration string such as \"30s\""_s.arg(name));
        }
        const Result<qint64> ms = parseDurationMs(value.toString());
        if (!ms) {
            return bad(u"'%1': %2"_s.arg(name, ms.error().message));
        }
        return ms;
    };
    ScheduleSpec spec = ScheduleSpec::forRequest(hunt, 0); // everyMs: read below
    const Result<qint64> every = duration(object.value(u"every"_s), u"every"_s);
    if (!every) {
        return every.error();
    }
    spec.everyMs = *every;
    const QJsonValue spread = object.value(u"spread"_s);
    if (spread.isDouble() && spread.toDouble() == 0) {
        spec.spreadMs = 0;
    } else if (!spread.isUndefined() && !spread.isNull()) {
        const Result<qint64> ms = duration(spread, u"spread"_s);
        if (!ms) {
            return ms.error();
        }
        spec.spreadMs = *ms;
    }
    if (const QJsonValue deadline = object.value(u"deadline"_s);
        !deadline.isUndefined() && !deadline.isNull()) {
        const Result<qint64> ms = duration(deadline, u"deadline"_s);
        if (!ms) {
            return ms.error();
        }
        spec.deadlineMs = *ms;
    }
    const QJsonValue retention = object.value(u"retention"_s);
    if (!retention.isUndefined() && !retention.isNull()) {
        const QJsonObject r = retention.toObject();
        if (!retention.isObject() || r.isEmpty()) {
            return bad(u"'retention' must be an object {\"keep\": N, \"maxAge\": \"7d\"}"_s);
        }
        for (auto it = r.begin(); it != r.end(); ++it) {
            if (it.key() != u"keep"_s && it.key() != u"maxAge"_s) {
                return bad(u"unknown retention field '%1' (known: keep, maxAge)"_s.arg(it.key()));
            }
        }
        if (!r.contains(u"keep"_s)) {
            spec.retention.keepRounds = 0; // only an age given: no count limit
        } else {
            const double keep = r.value(u"keep"_s).toDouble(-1);
            if (keep != double(qint64(keep)) || keep < 1 || keep > RetentionPolicy::MaxKeepRounds) {
                return bad(u"retention 'keep' must be a whole number from 1 to %1"_s.arg(
                    RetentionPolicy::MaxKeepRounds));
            }
            spec.retention.keepRounds = int(keep);
        }
        if (r.contains(u"maxAge"_s)) {
            const Result<qint64> age = duration(r.value(u"maxAge"_s), u"retention.maxAge"_s);
            if (!age) {
                return age.error();
            }
            spec.retention.maxAgeMs = *age;
        }
    }
    const QJsonValue rounds = object.value(u"rounds"_s);
    if (!rounds.isUndefined() && !rounds.isNull()) {
        const double n = rounds.toDouble(-1);
        if (!rounds.isDouble() || n != double(qint64(n)) || n < 0 || n > 1e9) {
            return bad(u"'rounds' must be a whole number (0 = no end)"_s);
        }
        spec.maxRounds = int(n);
    }
    Result<AlertRuleList> conditions = alertRulesFromJson(object.value(u"conditions"_s));
    if (!conditions) {
        return conditions.error();
    }
    spec.conditions = std::move(conditions).value();
    Result<NodeDownRule> nodeDown = NodeDownRule::fromJson(object.value(u"nodeDown"_s));
    if (!nodeDown) {
        return nodeDown.error();
    }
    spec.nodeDown = *nodeDown;
    if (object.contains(u"nodesFrom"_s)) {
        Result<NodeSource> source = NodeSource::fromJson(object.value(u"nodesFrom"_s));
        if (!source) {
            return source.error();
        }
        spec.nodesFrom = std::move(source).value();
    }
    const QJsonValue webhook = object.value(u"webhook"_s);
    if (!webhook.isUndefined() && !webhook.isNull()) {
        const Result<QUrl> url = parseWebhookUrl(webhook.toString());
        if (!webhook.isString() || !url || url->isEmpty()) {
            return bad(url ? u"'webhook' must be an http:// or https:// URL"_s
                           : url.error().message);
        }
        spec.webhook = url->toString();
    }
    return spec;
}

QJsonObject scheduleJson(const Schedule &schedule)
{
    QJsonObject json = schedule.toJson();
    const QString self = u"/api/v1/schedules/"_s + schedule.id;
    json.insert(u"links"_s, QJsonObject{{u"self"_s, self},
                                        {u"history"_s, QString(self + u"/history?node=NODE"_s)},
                                        {u"alerts"_s, QString(self + u"/alerts"_s)}});
    return json;
}

QHttpServerResponse createSchedule(Scheduler &scheduler, const ScheduleSpec &spec)
{
    return createdResponse(scheduler.create(spec));
}

QHttpServerResponse createdResponse(const Result<Schedule> &created)
{
    if (!created) {
        return errorResponse(created.error());
    }
    const QString self = u"/api/v1/schedules/"_s + created->id;
    const QString firstHunt = created->rounds.isEmpty() ? QString() : created->rounds.first().hunt;
    QJsonObject body = scheduleJson(*created);
    body.insert(u"success"_s, u"Schedule created: round 1 is being processed, then one round "
                              "every %1"_s.arg(body.value(u"every"_s).toString()));
    body.insert(u"schedule"_s, created->id);
    body.insert(u"hunt"_s, firstHunt);
    body.insert(u"status"_s, self);
    if (const QStringList warnings = created->spec.warnings(); !warnings.isEmpty()) {
        body.insert(u"warnings"_s, QJsonArray::fromStringList(warnings));
    }
    QHttpServerResponse response = jsonResponse(body, 201);
    response.setHeader("Location", self.toUtf8());
    return response;
}

} // namespace Artemis
