#include "core/store/nodehistory.h"

#include "core/hunt/huntinfo.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;

namespace Artemis {

QJsonObject NodeHistoryEntry::toJson() const
{
    QJsonObject json{
        {u"hunt"_s, hunt},
        {u"round"_s, round},
        {u"fetchedAt"_s, isoOrEmpty(outcome.fetchedAt)},
        {u"outcome"_s, outcomeName(outcome.outcome)},
        {u"httpStatus"_s, outcome.httpStatus},
        {u"latencyMs"_s, outcome.latencyMs},
        {u"attempts"_s, outcome.attempts},
        {u"error"_s, outcome.error},
    };
    if (!value.isUndefined()) {
        json.insert(u"value"_s, value);
    }
    if (number) {
        json.insert(u"number"_s, *number);
    }
    return json;
}

NodeHistoryEntry NodeHistoryEntry::fromJson(const QJsonObject &json)
{
    NodeHistoryEntry entry;
    entry.hunt = json.value(u"hunt"_s).toString();
    entry.round = json.value(u"round"_s).toInt();
    entry.outcome.outcome =
        outcomeFromName(json.value(u"outcome"_s).toString()).value_or(OutcomeKind::Error);
    entry.outcome.fetchedAt = parseIso(json.value(u"fetchedAt"_s));
    entry.outcome.httpStatus = json.value(u"httpStatus"_s).toInt();
    entry.outcome.latencyMs = json.value(u"latencyMs"_s).toInteger();
    entry.outcome.attempts = json.value(u"attempts"_s).toInt();
    entry.outcome.error = json.value(u"error"_s).toString();
    entry.value = json.value(u"value"_s);
    if (json.contains(u"number"_s)) {
        entry.number = json.value(u"number"_s).toDouble();
    }
    return entry;
}

Result<QList<NodeHistoryEntry>> nodeHistory(const ResultStore &store,
                                            const QList<ScheduleRound> &rounds, const QString &node,
                                            const JsonPath &path, int limit)
{
    QList<NodeHistoryEntry> entries;
    for (auto it = rounds.crbegin(); it != rounds.crend() && entries.size() < limit; ++it) {
        Result<Outcome> found = store.findResult(it->hunt, node);
        if (!found) {
            if (found.error().code == ErrorCode::NotFound) {
                continue;
            }
            return found.error();
        }
        NodeHistoryEntry entry;
        entry.hunt = it->hunt;
        entry.round = it->round;
        entry.outcome = std::move(found).value();
        if (!path.isEmpty() && entry.outcome.outcome == OutcomeKind::Ok) {
            entry.value = jsonValueAt(entry.outcome.body, path);
            entry.number = jsonNumber(entry.value);
        }
        entry.outcome.body = QJsonValue::Null; // not part of the history; can be large
        entries.append(std::move(entry));
    }
    return entries;
}

} // namespace Artemis
