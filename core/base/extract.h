#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include "core/base/result.h"

namespace Artemis {

// Extracted values of a hunt or schedule: `"extract": {"mem_used_bytes": "mem.used"}` names the
// value at a JSON path of each node's body (core/base/jsonvalues.h syntax) so that the fleet can be
// served as Prometheus metrics (core/service/fleetmetrics.h) with that name. Stored in the hunt's
// manifest (HuntInfo::extract) and with a schedule (ScheduleSpec::extract, given to each round).
//
// Rules (validateExtracts):
// - a name is a Prometheus metric name, [a-zA-Z_:][a-zA-Z0-9_:]*;
// - it is not one of the families Artemis serves itself (artemis_node_up,
//   artemis_node_fetch_duration_seconds), and it does not start with "artemis_node_";
// - NAME and NAME_info are not both given (a non-numeric value of NAME is served as
//   NAME_info{value="..."} 1);
// - the path parses (the empty path, the whole body, is allowed);
// - at most MaxExtracts.
// Pure values and functions; thread-safe.

struct Extract
{
    QString name; // metric name
    QString path; // JSON path as given
    bool operator==(const Extract &) const = default;
};
using ExtractList = QList<Extract>; // sorted by name (as a JSON object keeps them)

inline constexpr int MaxExtracts = 100;

bool isValidMetricName(QStringView name);

// Checks the rules above. InvalidArgument naming the first offending name.
Result<void> validateExtracts(const ExtractList &extracts);

// {"NAME": "PATH", ...} -> a validated list; null/undefined -> empty. InvalidArgument when it
// is not such an object or breaks a rule.
Result<ExtractList> extractsFromJson(const QJsonValue &json);
QJsonObject extractsToJson(const ExtractList &extracts);

// CLI `--extract NAME=PATH` values -> a validated list (a name given twice is an error).
Result<ExtractList> parseExtractArguments(const QStringList &arguments);

} // namespace Artemis
