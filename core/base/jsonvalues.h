#pragma once

#include <optional>

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringView>

#include "core/base/result.h"

namespace Artemis {

// JSON paths and loose numbers: what "compare a value across nodes" needs, kept out of the GUI
// so the REST API and the CLI can offer the same thing.
//
// Path syntax: keys separated by '.', array indexes in brackets, keys that are not plain
// identifiers quoted: `mem.used`, `cpu[0]`, `disks[1].name`, `labels["k8s.io/name"]`.
// The empty path is the whole document. Pure functions; thread-safe.

struct JsonPathSegment
{
    QString key;    // used when index < 0
    int index = -1; // array index when >= 0
    bool operator==(const JsonPathSegment &) const = default;
};
using JsonPath = QList<JsonPathSegment>;

Result<JsonPath> parseJsonPath(QStringView path);
QString jsonPathToString(const JsonPath &path);

// Builders used by tree views: append an object key or an array index to a path string.
QString jsonPathAppendKey(const QString &path, const QString &key);
QString jsonPathAppendIndex(const QString &path, int index);

// The value at `path`, or QJsonValue::Undefined when any step is missing or of the wrong type.
QJsonValue jsonValueAt(const QJsonValue &root, const JsonPath &path);

// "object", "array", "string", "number", "bool", "null" ("undefined" for a missing value).
QString jsonTypeName(const QJsonValue &value);
// Scalars as text (strings unquoted); objects and arrays as compact JSON.
QString jsonValueText(const QJsonValue &value);

// Reads a number from text the way metrics are often written: "42", "-1.5e3", "1,234",
// "80%", "80 %", "1234M", "1.5G", "2GiB", "512kB", "12ms", "1.5s", "250us", "3h", "45°C".
// Sizes (K, M, G, T, P with optional "i" and "B") are powers of 1024, as free/top/df print
// them; durations are normalised to milliseconds; '%' and unknown units keep the number as is.
// Returns nullopt when the text does not start with a number or has trailing junk after it
// that is not a unit (e.g. "1.2.3", "abc", "").
std::optional<double> parseLooseNumber(QStringView text);

// A JSON number as is; a string through parseLooseNumber; anything else nullopt.
std::optional<double> jsonNumber(const QJsonValue &value);

struct NumberSummary
{
    int count = 0;
    double min = 0;
    double median = 0; // mean of the two middle values for an even count
    double max = 0;
    double mean = 0;
};
// nullopt for an empty list.
std::optional<NumberSummary> summarize(QList<double> values);

} // namespace Artemis
