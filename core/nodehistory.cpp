#include "core/nodehistory.h"

#include "core/huntinfo.h"
#include "core/resultstore.h"

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

Result<QList<NodeHistoryEntry>> nodeHistory(const ResultStore &store,
                                            const QList<ScheduleRound> &rounds,
                                            const QString &node, const JsonPath &path, int limit)
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
