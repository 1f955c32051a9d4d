#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include "core/base/jsonvalues.h"
#include "core/base/nodelabels.h"
#include "core/base/result.h"
#include "core/fetch/outcome.h"

namespace Artemis {

class ResultStore;

// "Fleet answers": the values of one JSON path across every node of a hunt, grouped, with
// number statistics and outliers. What the REST API, the CLI and the GUI show when someone asks
// "which version / how much memory does the fleet report, and who is different?".
//
// Rules:
// - Each node counts once: its first record in results.ndjson wins (as HuntEngine::resume).
// - ok + path present -> a value; ok + path absent -> `missing`; any other outcome -> `failed`
//   under its outcome name. A JSON null at the path is a value ("null").
// - Groups: identical values, compared as compact JSON text (so "1" and 1 differ); most common
//   first, ties by that text. share = count / withValue.
// - Minority: a group is rare when its share < minorityShare, common otherwise. Rare groups are
//   minorities when the common groups together hold at least majorityShare of the values,
//   whether or not one of them holds a majority: 95/5 flags nothing (5 % is not rare), 96/4
//   flags the 4 %, 33/33/33/0.5 flags the 0.5 %, 40/30/30 has no rare value; a path where
//   every value is rare (uptimes, a spread of disk percentages) has no minorities: its outliers
//   tell more.
// - Stats: over the values that jsonNumber() reads (numbers and number-like strings such as
//   "15.9G"); each node counts once. Percentiles are nearest-rank: pN is the smallest value
//   with at least N% of the values at or below it (always an observed value; p50 of an even
//   count is the lower middle value). `median` for outliers is the usual middle/mean-of-two.
// - Numeric outliers (Iglewicz & Hoaglin): M = 0.6745 (x - median) / MAD with |M| > 3.5, MAD the
//   median absolute deviation. When MAD is 0 (more than half the values equal), the score is
//   0.7979 (x - median) / meanAD with meanAD the mean absolute deviation from the median; when
//   that is 0 too, there are no numeric outliers. Needs at least 3 numbers. Sorted by |score|
//   descending, then node.
//
// Pure values and functions; FleetValuesBuilder is a plain value (not thread-safe; use one per
// thread). computeFleetValues blocks (it reads the whole results file, parsing on the global
// QThreadPool): call it from a worker (QtConcurrent::run), never from a GUI or server thread.

struct FleetValuesOptions
{
    int maxGroups = 20;          // groups rendered by toJson (all are kept in FleetValues)
    int groupOffset = 0;         // the first group toJson renders (paging through groups)
    int maxNodesPerGroup = 100;  // nodes rendered per group by toJson
    int maxOutliers = 100;       // outliers kept
    double minorityShare = 0.05; // see "Minority" above
    double majorityShare = 0.5;
    // Label names (["dc", "rack"]): FleetValues::byLabel also holds the answer per combination
    // of their values (groupBy=label:dc,label:rack), each slice with these same rules. Empty =
    // no slices.
    QStringList groupByLabels{};
};

struct ValueGroup
{
    QJsonValue value;
    QString text; // compact JSON text of value: the grouping key
    int count = 0;
    double share = 0;  // count / withValue
    QStringList nodes; // every node with this value, in file order
    bool minority = false;
    std::optional<double> number; // jsonNumber(value)
};

struct ValueStats
{
    int count = 0; // nodes whose value is numeric
    double min = 0;
    double p50 = 0;
    double p90 = 0;
    double p99 = 0;
    double max = 0;
    double mean = 0;
};

struct ValueOutlier
{
    QString node;
    QJsonValue value;
    double number = 0;
    double score = 0; // modified z-score (or its meanAD fallback)
};

struct LabelSlice;
struct ValueDistribution; // core/fleet/valuedistribution.h

struct FleetValues
{
    QString path;              // as given (jsonPathToString)
    int nodes = 0;             // distinct nodes seen
    int withValue = 0;         // ok and the path is present
    int missing = 0;           // ok but the path is absent
    QMap<QString, int> failed; // outcome name -> nodes, every outcome but ok (only those seen)
    QList<ValueGroup> groups;  // all distinct values, most common first
    QList<int> minorities;     // indexes into groups of the minority groups
    std::optional<ValueStats> stats;
    QList<ValueOutlier> outliers; // at most maxOutliers
    int outlierCount = 0;         // before the maxOutliers cut
    int skippedLines = 0;         // torn/corrupt lines of results.ndjson (computeFleetValues)
    int duplicates = 0;           // records of a node already seen (ignored)
    // Distinct values in all: groups.size(), or toJson's groupCount when read back from a page
    // of groups (fleetValuesFromJson); groupOffset is that page's first group.
    int groupCount = 0;
    int groupOffset = 0;
    // A numeric path with many distinct values (core/fleet/valuedistribution.h), else null.
    std::shared_ptr<const ValueDistribution> distribution;
    // With FleetValuesOptions::groupByLabels: those labels, and one slice per combination of
    // their values seen. Slices lacking fewer of the labels come first, then most nodes, then by
    // values; so the nodes with none of the labels form the last slice.
    QStringList groupLabels;
    std::vector<LabelSlice> byLabel;
    // When no node has the path (core/fleet/pathsuggest.h): what to say, and the nearest paths the
    // hunt does have with how many nodes have each. Empty otherwise.
    QStringList warnings;
    QList<QPair<QString, int>> suggestions;
};

struct LabelSlice
{
    // The slice's value of each groupLabels name it has; a name absent here is a label these
    // nodes lack ({"dc": "fra1"} of groupBy dc,rack: nodes in fra1 without a rack label).
    Labels labels;
    FleetValues values; // over this slice's nodes only
};

// Accumulates outcomes one by one (tests, the GUI's in-memory results, the store scan).
class FleetValuesBuilder
{
public:
    explicit FleetValuesBuilder(JsonPath path, FleetValuesOptions options = {});

    void add(const Outcome &outcome);
    // The same for a record already reduced to what matters: `value` is the value at the path
    // (QJsonValue::Undefined when absent); it is ignored unless kind is Ok.
    void addValue(const QString &node, OutcomeKind kind, const QJsonValue &value);
    // addValue with the grouping key already computed (text == compactJsonText(value)), so
    // parallel readers can do that work off the merging thread.
    void addKeyed(const QString &node, OutcomeKind kind, const QJsonValue &value, QString text);
    // addKeyed for a node whose labels are `labels` (only the options.groupByLabels names are
    // read); the same as addKeyed without groupByLabels.
    void addLabelled(const QString &node, OutcomeKind kind, const QJsonValue &value, QString text,
                     const Labels &labels);
    void reserve(qsizetype nodes) { m_seen.reserve(nodes); }

    const JsonPath &path() const { return m_path; }
    FleetValues finish(); // the builder is empty afterwards

private:
    struct Group
    {
        QJsonValue value;
        QString text;
        QStringList nodes;
    };

    JsonPath m_path;
    FleetValuesOptions m_options;
    QSet<QString> m_seen;
    QHash<QString, qsizetype> m_groupIndex; // text -> index into m_groups
    QList<Group> m_groups;
    FleetValues m_result;
    // groupByLabels: one builder per combination of label values seen, found by m_sliceIndex
    // (sliceKey of the combination).
    std::vector<std::unique_ptr<FleetValuesBuilder>> m_slices;
    QList<Labels> m_sliceLabels;
    QHash<QString, qsizetype> m_sliceIndex;
};

// The compact JSON text of a value, used as the grouping key: strings quoted and escaped as in
// JSON, numbers in their shortest round-trip form, objects/arrays as compact JSON.
QString compactJsonText(const QJsonValue &value);

// Reads every stored outcome of a hunt once. Errors: NotFound (no such hunt), InvalidArgument
// (bad id), Io.
Result<FleetValues> computeFleetValues(const ResultStore &store, const QString &huntId,
                                       const JsonPath &path,
                                       const FleetValuesOptions &options = {});

// {"path", "nodes", "withValue", "missing", "failed": {OUTCOME: N},
//  "groups": [{"value", "count", "share", "nodes": [...], "minority": bool}], "groupCount",
//  "stats": {"count", "min", "p50", "p90", "p99", "max", "mean"} | null,
//  "outliers": [{"node", "value", "number", "score"}],
//  "warnings": [TEXT], "suggestions": [{"path", "nodes"}]} (the last two only when set)
// "distribution": {...} (core/fleet/valuedistribution.h) only for a numeric path with many values.
// groups: options.maxGroups from options.groupOffset; nodes: the first options.maxNodesPerGroup of
// each
// (`count` always tells the full number); groupCount: all distinct values.
QJsonObject toJson(const FleetValues &values, const FleetValuesOptions &options = {});

// Reads toJson's output back (the GUI's remote backend). Groups and nodes are only what the JSON
// carries (toJson cuts them at maxGroups/maxNodesPerGroup); `number` and `text` are recomputed;
// outlierCount is the number of outliers given. InvalidArgument when `json` is not such an
// object (no "groups" array or no "nodes" count).
Result<FleetValues> fleetValuesFromJson(const QJsonObject &json);

} // namespace Artemis
