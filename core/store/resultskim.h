#pragma once

#include <optional>

#include <QByteArrayView>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include "core/base/jsonvalues.h"
#include "core/fetch/outcome.h"

namespace Artemis {

// Reads what "fleet answers" needs from one results.ndjson line — the node, the outcome and the
// value at one path of the body — without building the line's document. QJsonDocument spends
// most of its time allocating the containers of a body that is then thrown away; the skimmer
// walks the bytes, validating the JSON grammar as it goes (strings, escapes, numbers, nesting),
// and parses only the value at the path.
//
// Pure function; thread-safe.

struct SkimmedResult
{
    QString node;
    std::optional<OutcomeKind> kind; // nullopt: missing or unknown outcome name
    QJsonValue value;                // at the path in "body"; Undefined when absent
};

// False when the line is not a well-formed JSON object. Matches QJsonDocument's leniencies
// (unknown escapes like "\q", "1.") so a line counts as corrupt here exactly when
// ResultIndex::parseLine rejects it as invalid JSON. Duplicate keys: the first wins.
bool skimResultLine(QByteArrayView line, const JsonPath &path, SkimmedResult &out);

// More of a line for metrics (core/service/fleetmetrics.h): the node, the outcome, latencyMs,
// attempts, the "labels" object and the values at several paths of the body.
struct SkimmedRecord
{
    QString node;
    std::optional<OutcomeKind> kind;
    double latencyMs = 0;
    double attempts = 0;
    QJsonObject labels;       // the "labels" object's string entries; empty when absent
    QList<QJsonValue> values; // one per path; Undefined when absent
};

// The same rules as skimResultLine.
bool skimResultRecord(QByteArrayView line, const QList<JsonPath> &paths, SkimmedRecord &out);

} // namespace Artemis
