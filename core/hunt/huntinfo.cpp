#include "core/hunt/huntinfo.h"

#include <algorithm>

#include <QJsonArray>
#include <QLocale>

#include "core/base/nodelabels.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {
constexpr std::array<QStringView, 6> StateNames = {u"queued",    u"running",     u"done",
                                                   u"cancelled", u"interrupted", u"failed"};
} // namespace

QString huntStateName(HuntState state)
{
    return StateNames[static_cast<size_t>(state)].toString();
}

std::optional<HuntState> huntStateFromName(QStringView name)
{
    for (size_t i = 0; i < StateNames.size(); ++i) {
        if (StateNames[i] == name) {
            return static_cast<HuntState>(i);
        }
    }
    return std::nullopt;
}

bool isFinished(HuntState state)
{
    return state != HuntState::Queued && state != HuntState::Running;
}

QJsonObject HuntInfo::coverage() const
{
    return QJsonObject{{u"state"_s, huntStateName(state)}, {u"done"_s, done}, {u"total"_s, total}};
}

QJsonObject HuntInfo::withCoverage(QJsonObject json) const
{
    json.insert(u"hunt"_s, id);
    const QJsonObject fields = coverage();
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        json.insert(it.key(), it.value());
    }
    return json;
}

QString HuntInfo::coverageNote() const
{
    if (state == HuntState::Done) {
        return {};
    }
    const QLocale english(QLocale::English);
    const QString progress =
        u"%1 of %2 done"_s.arg(english.toString(done), english.toString(total));
    switch (state) {
    case HuntState::Queued:
        return u"hunt still queued: %1"_s.arg(progress);
    case HuntState::Running:
        return u"hunt still running: %1"_s.arg(progress);
    case HuntState::Cancelled:
        return u"hunt cancelled: %1"_s.arg(progress);
    case HuntState::Interrupted:
        return u"hunt interrupted: %1"_s.arg(progress);
    case HuntState::Failed:
        return u"hunt failed: %1"_s.arg(progress);
    case HuntState::Done:
        break;
    }
    return {};
}

qint64 HuntInfo::elapsedMs() const
{
    if (!startedAt.isValid()) {
        return 0;
    }
    const QDateTime end = finishedAt.isValid() ? finishedAt : QDateTime::currentDateTimeUtc();
    return startedAt.msecsTo(end);
}

QJsonObject HuntInfo::toJson() const
{
    QJsonObject json{
        {u"id"_s, id},
        {u"state"_s, huntStateName(state)},
        {u"url"_s, url},
        {u"options"_s, options.toJson()},
        {u"total"_s, total},
        {u"done"_s, done},
        {u"counts"_s, counts.toJson()},
        {u"createdAt"_s, isoOrEmpty(createdAt)},
        {u"startedAt"_s, isoOrEmpty(startedAt)},
        {u"finishedAt"_s, isoOrEmpty(finishedAt)},
        {u"elapsedMs"_s, elapsedMs()},
        {u"origin"_s, origin},
    };
    if (!duplicates.isEmpty()) {
        json.insert(u"duplicates"_s, QJsonArray::fromStringList(duplicates));
    }
    if (!error.isEmpty()) {
        json.insert(u"error"_s, error);
    }
    if (!schedule.isEmpty()) {
        json.insert(u"schedule"_s, schedule);
        json.insert(u"round"_s, round);
    }
    if (spreadMs > 0) {
        json.insert(u"spreadMs"_s, spreadMs);
    }
    if (deadlineMs > 0) {
        json.insert(u"deadlineMs"_s, deadlineMs);
    }
    if (!extract.isEmpty()) {
        json.insert(u"extract"_s, extractsToJson(extract));
    }
    if (!labelNames.isEmpty()) {
        json.insert(u"labelNames"_s, QJsonArray::fromStringList(labelNames));
    }
    if (labelNameCount > labelNames.size()) {
        json.insert(u"labelNameCount"_s, labelNameCount); // a list cut at MaxLabelNames says so
    }
    return json;
}

Result<HuntInfo> HuntInfo::fromJson(const QJsonObject &json)
{
    HuntInfo info;
    info.id = json.value(u"id"_s).toString();
    const auto state = huntStateFromName(json.value(u"state"_s).toString());
    if (info.id.isEmpty() || !state) {
        return makeError(ErrorCode::Io, u"hunt manifest lacks a valid id or state"_s);
    }
    info.state = *state;
    info.url = json.value(u"url"_s).toString();
    // Stored options are trusted but lack secrets (header values, the basic-auth password):
    // headerNames is dropped, basicAuth comes back with an empty password.
    QJsonObject options = json.value(u"options"_s).toObject();
    options.remove(u"headerNames"_s);
    const Result<FetchOptions> parsed = FetchOptions::fromJson(options);
    if (parsed) {
        info.options = *parsed;
    }
    info.total = json.value(u"total"_s).toInt();
    info.done = json.value(u"done"_s).toInt();
    info.counts = OutcomeCounts::fromJson(json.value(u"counts"_s).toObject());
    for (const QJsonValue &d : json.value(u"duplicates"_s).toArray()) {
        info.duplicates.append(d.toString());
    }
    info.createdAt = parseIso(json.value(u"createdAt"_s));
    info.startedAt = parseIso(json.value(u"startedAt"_s));
    info.finishedAt = parseIso(json.value(u"finishedAt"_s));
    info.error = json.value(u"error"_s).toString();
    info.origin = json.value(u"origin"_s).toString();
    info.schedule = json.value(u"schedule"_s).toString();
    info.round = json.value(u"round"_s).toInt();
    info.spreadMs = std::max(0, json.value(u"spreadMs"_s).toInt());
    info.deadlineMs = std::max(0, json.value(u"deadlineMs"_s).toInt());
    // Validated when submitted; a manifest edited by hand into a bad list serves no extracts.
    if (Result<ExtractList> extract = extractsFromJson(json.value(u"extract"_s)); extract) {
        info.extract = std::move(extract).value();
    }
    for (const QJsonValue &name : json.value(u"labelNames"_s).toArray()) {
        if (info.labelNames.size() < MaxLabelNames && isValidLabelName(name.toString())) {
            info.labelNames.append(name.toString());
        }
    }
    info.labelNameCount =
        std::max<int>(int(info.labelNames.size()), json.value(u"labelNameCount"_s).toInt());
    return info;
}

} // namespace Artemis
