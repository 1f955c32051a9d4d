#include "core/rules/schedule.h"

#include <algorithm>
#include <limits>

#include <QJsonArray>
#include <QUrl>

#include "core/base/duration.h"
#include "core/base/huntid.h"
#include "core/base/plural.h"
#include "core/hunt/huntinfo.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

QJsonObject commonJson(const Schedule &s)
{
    QJsonObject retention{{u"keep"_s, s.spec.retention.keepRounds}};
    if (s.spec.retention.maxAgeMs > 0) {
        retention.insert(u"maxAge"_s, formatDurationMs(s.spec.retention.maxAgeMs));
        retention.insert(u"maxAgeMs"_s, s.spec.retention.maxAgeMs);
    }
    QJsonArray rounds;
    for (const ScheduleRound &r : s.rounds) {
        rounds.append(QJsonObject{
            {u"hunt"_s, r.hunt}, {u"round"_s, r.round}, {u"startedAt"_s, isoOrEmpty(r.startedAt)}});
    }
    QJsonObject json{
        {u"id"_s, s.id},
        {u"url"_s, s.spec.url},
        {u"every"_s, formatDurationMs(s.spec.everyMs)},
        {u"everyMs"_s, s.spec.everyMs},
        {u"spreadMs"_s, s.spec.effectiveSpreadMs()},
        {u"deadlineMs"_s, s.spec.effectiveDeadlineMs()},
        {u"retention"_s, retention},
        {u"maxRounds"_s, s.spec.maxRounds},
        {u"origin"_s, s.spec.origin},
        {u"createdAt"_s, isoOrEmpty(s.createdAt)},
        {u"roundsStarted"_s, s.roundsStarted},
        {u"skipped"_s, s.skipped},
        {u"lastSkippedAt"_s, isoOrEmpty(s.lastSkippedAt)},
        {u"lastRoundAt"_s, isoOrEmpty(s.lastRoundAt)},
        {u"nextRunAt"_s, isoOrEmpty(s.nextRunAt)},
        {u"completed"_s, s.completed},
        {u"rounds"_s, rounds},
    };
    if (!s.lastSkipReason.isEmpty()) {
        json.insert(u"lastSkipReason"_s, s.lastSkipReason);
    }
    // The creation's warnings stay on the schedule: a face listing it later still tells them.
    if (const QStringList warnings = s.spec.warnings(); !warnings.isEmpty()) {
        json.insert(u"warnings"_s, QJsonArray::fromStringList(warnings));
    }
    if (!s.lastError.isEmpty()) {
        json.insert(u"lastError"_s, s.lastError);
    }
    if (s.spec.spreadMs >= 0) {
        json.insert(u"spreadMsGiven"_s, s.spec.spreadMs);
    }
    if (s.spec.deadlineMs > 0) {
        json.insert(u"deadlineMsGiven"_s, s.spec.deadlineMs);
    }
    if (!s.spec.extract.isEmpty()) {
        json.insert(u"extract"_s, extractsToJson(s.spec.extract));
    }
    if (!s.spec.conditions.isEmpty()) {
        json.insert(u"conditions"_s, alertRulesToJson(s.spec.conditions));
    }
    json.insert(u"nodeDown"_s, s.spec.nodeDown.toJson());
    if (s.spec.nodesFrom) {
        QJsonObject source = s.spec.nodesFrom->toJson();
        s.sourceStatus.addToJson(source);
        source.insert(u"nodes"_s, int(s.spec.nodes.size())); // the last good list's
        json.insert(u"nodesFrom"_s, source);
    }
    return json;
}

} // namespace

ScheduleSpec ScheduleSpec::forRequest(const HuntRequest &request, qint64 everyMs)
{
    ScheduleSpec spec;
    spec.nodes = request.nodes;
    spec.labels = request.labels;
    spec.url = request.url;
    spec.options = request.options;
    spec.origin = request.origin;
    spec.extract = request.extract;
    spec.everyMs = everyMs;
    return spec;
}

int ScheduleSpec::effectiveDeadlineMs() const
{
    if (deadlineMs > 0) {
        return int(std::min<qint64>(deadlineMs, std::numeric_limits<int>::max()));
    }
    if (everyMs < MinDefaultDeadlineEveryMs) {
        return 0; // none: such intervals exist only in tests, whose clocks are not the wall's
    }
    const qint64 margin = std::max<qint64>(200, everyMs / 20);
    return int(std::min<qint64>(everyMs - margin, std::numeric_limits<int>::max()));
}

QStringList ScheduleSpec::warnings() const
{
    // Backoff before retry i (1-based) is up to min(cap, base * 2^(i-1)) (FetchOptions).
    qint64 backoff = 0;
    for (int i = 1; i < options.attempts; ++i) {
        backoff += std::min<qint64>(options.backoffCapMs, qint64(options.backoffBaseMs)
                                                              << std::min(i - 1, 20));
    }
    const qint64 worst =
        effectiveSpreadMs() + qint64(options.timeoutMs) * options.attempts + backoff;
    QStringList out;
    if (effectiveDeadlineMs() > 0 && worst > effectiveDeadlineMs()) {
        out.append(u"a node's worst case (%1: %2 start spread + %3 x %4 attempts + %5 backoff) "
                   "is past the round deadline (%6): nodes that slow end as timeouts at the "
                   "deadline; lower timeoutMs or attempts, or give a longer 'every'"_s.arg(
                       durationText(worst), durationText(effectiveSpreadMs()),
                       durationText(options.timeoutMs), QString::number(options.attempts),
                       durationText(backoff), durationText(effectiveDeadlineMs())));
    }
    if (deadlineMs > everyMs) {
        out.append(u"the round deadline (%1) is longer than 'every' (%2): a slow round makes the "
                   "next one be skipped"_s.arg(durationText(deadlineMs), durationText(everyMs)));
    }
    return out;
}

int ScheduleSpec::effectiveSpreadMs() const
{
    const qint64 wanted = spreadMs >= 0 ? spreadMs : std::min(everyMs / 10, DefaultSpreadCapMs);
    return int(std::clamp<qint64>(wanted, 0, everyMs / 2));
}

QJsonObject Schedule::toJson() const
{
    QJsonObject json = commonJson(*this);
    json.remove(u"spreadMsGiven"_s);
    json.remove(u"deadlineMsGiven"_s);
    json.insert(u"options"_s, spec.options.toJson());
    json.insert(u"nodeCount"_s, int(spec.nodes.size()));
    if (!spec.webhook.isEmpty()) {
        const QUrl url(spec.webhook);
        const QString origin = url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery
                                            | QUrl::RemoveFragment | QUrl::RemoveUserInfo)
                                   .toString();
        json.insert(u"webhook"_s, QString(origin + u"/…"_s));
    }
    return json;
}

QJsonObject Schedule::toStoredJson() const
{
    QJsonObject json = commonJson(*this);
    json.insert(u"options"_s, spec.options.toWireJson());
    if (!spec.webhook.isEmpty()) {
        json.insert(u"webhook"_s, spec.webhook);
    }
    return json;
}

Result<Schedule> Schedule::fromJson(const QJsonObject &json)
{
    Schedule s;
    s.id = json.value(u"id"_s).toString();
    if (!isValidHuntId(s.id)) {
        return makeError(ErrorCode::Io, u"schedule file lacks a valid id"_s);
    }
    s.spec.url = json.value(u"url"_s).toString();
    s.spec.everyMs = qint64(json.value(u"everyMs"_s).toDouble());
    if (s.spec.everyMs <= 0 || s.spec.everyMs > ScheduleSpec::MaxEveryMs) {
        return makeError(ErrorCode::Io, u"schedule %1 has no valid everyMs"_s.arg(s.id));
    }
    s.spec.spreadMs = qint64(json.value(u"spreadMsGiven"_s).toDouble(-1));
    s.spec.deadlineMs = qint64(json.value(u"deadlineMsGiven"_s).toDouble(-1));
    const QJsonObject retention = json.value(u"retention"_s).toObject();
    s.spec.retention.keepRounds =
        std::clamp(retention.value(u"keep"_s).toInt(100), 0, RetentionPolicy::MaxKeepRounds);
    s.spec.retention.maxAgeMs =
        std::max<qint64>(0, qint64(retention.value(u"maxAgeMs"_s).toDouble()));
    s.spec.maxRounds = std::max(0, json.value(u"maxRounds"_s).toInt());
    s.spec.origin = json.value(u"origin"_s).toString();
    Result<ExtractList> extract = extractsFromJson(json.value(u"extract"_s));
    if (!extract) {
        return makeError(ErrorCode::Io, u"schedule %1: %2"_s.arg(s.id, extract.error().message));
    }
    s.spec.extract = std::move(extract).value();
    Result<AlertRuleList> conditions = alertRulesFromJson(json.value(u"conditions"_s));
    if (!conditions) {
        return makeError(ErrorCode::Io, u"schedule %1: %2"_s.arg(s.id, conditions.error().message));
    }
    s.spec.conditions = std::move(conditions).value();
    Result<NodeDownRule> nodeDown = NodeDownRule::fromJson(json.value(u"nodeDown"_s));
    if (!nodeDown) {
        return makeError(ErrorCode::Io, u"schedule %1: %2"_s.arg(s.id, nodeDown.error().message));
    }
    s.spec.nodeDown = *nodeDown;
    s.spec.webhook = json.value(u"webhook"_s).toString();
    if (const QJsonValue from = json.value(u"nodesFrom"_s); !from.isUndefined()) {
        // The status fields sit next to the source's one key: read the key alone.
        QJsonObject key = from.toObject();
        for (const QString &field : key.keys()) {
            if (field != u"file"_s && field != u"http"_s) {
                key.remove(field);
            }
        }
        Result<NodeSource> source = NodeSource::fromJson(key);
        if (!source) {
            return makeError(ErrorCode::Io, u"schedule %1: %2"_s.arg(s.id, source.error().message));
        }
        s.spec.nodesFrom = std::move(source).value();
        s.sourceStatus = NodeSourceStatus::fromJson(from.toObject());
    }
    Result<FetchOptions> options = FetchOptions::fromJson(json.value(u"options"_s).toObject());
    if (!options) {
        return makeError(ErrorCode::Io, u"schedule %1: %2"_s.arg(s.id, options.error().message));
    }
    s.spec.options = std::move(options).value();
    s.createdAt = parseIso(json.value(u"createdAt"_s));
    s.roundsStarted = std::max(0, json.value(u"roundsStarted"_s).toInt());
    s.skipped = std::max(0, json.value(u"skipped"_s).toInt());
    s.lastSkippedAt = parseIso(json.value(u"lastSkippedAt"_s));
    s.lastSkipReason = json.value(u"lastSkipReason"_s).toString();
    s.lastError = json.value(u"lastError"_s).toString();
    s.lastRoundAt = parseIso(json.value(u"lastRoundAt"_s));
    s.nextRunAt = parseIso(json.value(u"nextRunAt"_s));
    s.completed = json.value(u"completed"_s).toBool();
    QStringList warnings;
    for (const QJsonValue &warning : json.value(u"warnings"_s).toArray()) {
        warnings.append(warning.toString());
    }
    s.warningsTold = std::move(warnings);
    for (const QJsonValue &value : json.value(u"rounds"_s).toArray()) {
        const QJsonObject r = value.toObject();
        ScheduleRound round{r.value(u"hunt"_s).toString(), r.value(u"round"_s).toInt(),
                            parseIso(r.value(u"startedAt"_s))};
        if (isValidHuntId(round.hunt)) {
            s.rounds.append(round);
        }
    }
    return s;
}

} // namespace Artemis
