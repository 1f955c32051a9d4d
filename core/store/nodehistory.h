#pragma once

#include <optional>

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include "core/base/jsonvalues.h"
#include "core/base/result.h"
#include "core/fetch/outcome.h"
#include "core/rules/schedule.h"

namespace Artemis {

class ResultStore;

// One node's outcome in one round of a schedule, and the value at a JSON path in its answer.
struct NodeHistoryEntry
{
    QString hunt;
    int round = 0;
    Outcome outcome;
    QJsonValue value = QJsonValue::Undefined; // at the path; Undefined without a path or match
    std::optional<double> number;             // jsonNumber(value)

    // {hunt, round, fetchedAt, outcome, httpStatus, latencyMs, attempts, error[, value,
    // number]}: the outcome without its body.
    QJsonObject toJson() const;
    static NodeHistoryEntry fromJson(const QJsonObject &json);
};

// The last `limit` outcomes of `node` across `rounds` (oldest first, as a schedule keeps
// them), newest first. Rounds without a result for the node (still running, or pruned
// meanwhile) are left out. `path` may be empty: no values then. Reads through the store's
// per-hunt indexes (one line per round, never a whole results file). Thread-safe.
Result<QList<NodeHistoryEntry>> nodeHistory(const ResultStore &store,
                                            const QList<ScheduleRound> &rounds, const QString &node,
                                            const JsonPath &path, int limit);

} // namespace Artemis
