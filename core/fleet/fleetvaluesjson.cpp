// FleetValues as JSON (the API's values answer) and back (the GUI's remote Compare). The values
// themselves are computed in core/fleet/fleetvalues.cpp.
#include <QJsonArray>
#include <QJsonObject>

#include "core/fleet/fleetvalues.h"
#include "core/fleet/valuedistribution.h"

using namespace Qt::StringLiterals;

namespace Artemis {

QJsonObject toJson(const FleetValues &values, const FleetValuesOptions &options)
{
    QJsonObject failed;
    for (auto it = values.failed.cbegin(); it != values.failed.cend(); ++it) {
        failed.insert(it.key(), it.value());
    }
    QJsonArray groups;
    const qsizetype groupFirst =
        std::clamp<qsizetype>(options.groupOffset, 0, values.groups.size());
    const qsizetype groupLimit =
        std::min<qsizetype>(values.groups.size(), groupFirst + std::max(0, options.maxGroups));
    for (qsizetype i = groupFirst; i < groupLimit; ++i) {
        const ValueGroup &g = values.groups[i];
        QJsonArray nodes;
        const qsizetype nodeLimit =
            std::min<qsizetype>(g.nodes.size(), std::max(0, options.maxNodesPerGroup));
        for (qsizetype j = 0; j < nodeLimit; ++j) {
            nodes.append(g.nodes[j]);
        }
        groups.append(QJsonObject{
            {u"value"_s, g.value},
            {u"count"_s, g.count},
            {u"share"_s, g.share},
            {u"nodes"_s, nodes},
            {u"minority"_s, g.minority},
        });
    }
    QJsonValue stats = QJsonValue::Null;
    if (values.stats) {
        const ValueStats &s = *values.stats;
        stats = QJsonObject{
            {u"count"_s, s.count}, {u"min"_s, s.min}, {u"p50"_s, s.p50},   {u"p90"_s, s.p90},
            {u"p99"_s, s.p99},     {u"max"_s, s.max}, {u"mean"_s, s.mean},
        };
    }
    QJsonArray outliers;
    for (const ValueOutlier &o : values.outliers) {
        outliers.append(QJsonObject{
            {u"node"_s, o.node},
            {u"value"_s, o.value},
            {u"number"_s, o.number},
            {u"score"_s, o.score},
        });
    }
    QJsonObject json{
        {u"path"_s, values.path},
        {u"nodes"_s, values.nodes},
        {u"withValue"_s, values.withValue},
        {u"missing"_s, values.missing},
        {u"failed"_s, failed},
        {u"groups"_s, groups},
        {u"groupCount"_s, int(values.groups.size())},
        {u"stats"_s, stats},
        {u"outliers"_s, outliers},
    };
    if (groupFirst > 0) {
        json.insert(u"groupOffset"_s, int(groupFirst));
    }
    if (values.distribution) {
        json.insert(u"distribution"_s, toJson(*values.distribution));
    }
    if (!values.groupLabels.isEmpty()) {
        QJsonArray slices;
        for (const LabelSlice &slice : values.byLabel) {
            QJsonObject object = toJson(slice.values, options);
            object.remove(u"path"_s);
            // "labels": every groupBy name, null where these nodes lack it; with one name also
            // "label", its value alone (the single-label answer, kept as it was).
            QJsonObject labels;
            for (const QString &name : values.groupLabels) {
                labels.insert(name, slice.labels.contains(name) ? QJsonValue(slice.labels[name])
                                                                : QJsonValue());
            }
            if (values.groupLabels.size() == 1) {
                object.insert(u"label"_s, labels.begin().value());
            }
            object.insert(u"labels"_s, labels);
            slices.append(object);
        }
        json.insert(u"groupBy"_s, labelGroupByText(values.groupLabels));
        json.insert(u"byLabel"_s, slices);
    }
    if (!values.warnings.isEmpty()) {
        QJsonArray suggestions;
        for (const auto &[path, nodes] : values.suggestions) {
            suggestions.append(QJsonObject{{u"path"_s, path}, {u"nodes"_s, nodes}});
        }
        json.insert(u"warnings"_s, QJsonArray::fromStringList(values.warnings));
        json.insert(u"suggestions"_s, suggestions);
    }
    return json;
}

Result<FleetValues> fleetValuesFromJson(const QJsonObject &json)
{
    if (!json.value(u"groups"_s).isArray() || !json.value(u"nodes"_s).isDouble()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"not a fleet values object (no \"groups\" or \"nodes\")"_s);
    }
    FleetValues values;
    values.path = json.value(u"path"_s).toString();
    values.nodes = json.value(u"nodes"_s).toInt();
    values.withValue = json.value(u"withValue"_s).toInt();
    values.missing = json.value(u"missing"_s).toInt();
    const QJsonObject failed = json.value(u"failed"_s).toObject();
    for (auto it = failed.begin(); it != failed.end(); ++it) {
        values.failed.insert(it.key(), it.value().toInt());
    }
    for (const QJsonValue &item : json.value(u"groups"_s).toArray()) {
        const QJsonObject g = item.toObject();
        ValueGroup group;
        group.value = g.value(u"value"_s);
        group.text = compactJsonText(group.value);
        group.count = g.value(u"count"_s).toInt();
        group.share = g.value(u"share"_s).toDouble();
        for (const QJsonValue &node : g.value(u"nodes"_s).toArray()) {
            group.nodes.append(node.toString());
        }
        group.minority = g.value(u"minority"_s).toBool();
        group.number = jsonNumber(group.value);
        if (group.minority) {
            values.minorities.append(int(values.groups.size()));
        }
        values.groups.append(std::move(group));
    }
    if (const QJsonValue s = json.value(u"stats"_s); s.isObject()) {
        const QJsonObject o = s.toObject();
        ValueStats stats;
        stats.count = o.value(u"count"_s).toInt();
        stats.min = o.value(u"min"_s).toDouble();
        stats.p50 = o.value(u"p50"_s).toDouble();
        stats.p90 = o.value(u"p90"_s).toDouble();
        stats.p99 = o.value(u"p99"_s).toDouble();
        stats.max = o.value(u"max"_s).toDouble();
        stats.mean = o.value(u"mean"_s).toDouble();
        values.stats = stats;
    }
    for (const QJsonValue &item : json.value(u"outliers"_s).toArray()) {
        const QJsonObject o = item.toObject();
        values.outliers.append(ValueOutlier{o.value(u"node"_s).toString(), o.value(u"value"_s),
                                            o.value(u"number"_s).toDouble(),
                                            o.value(u"score"_s).toDouble()});
    }
    values.outlierCount = int(values.outliers.size());
    values.groupCount = json.value(u"groupCount"_s).toInt(int(values.groups.size()));
    values.groupOffset = json.value(u"groupOffset"_s).toInt();
    if (std::optional<ValueDistribution> d = distributionFromJson(json.value(u"distribution"_s))) {
        values.distribution = std::make_shared<const ValueDistribution>(std::move(*d));
    }
    for (const QJsonValue &warning : json.value(u"warnings"_s).toArray()) {
        values.warnings.append(warning.toString());
    }
    for (const QJsonValue &item : json.value(u"suggestions"_s).toArray()) {
        const QJsonObject o = item.toObject();
        values.suggestions.append({o.value(u"path"_s).toString(), o.value(u"nodes"_s).toInt()});
    }
    const Result<QStringList> groupBy = parseLabelGroupBy({json.value(u"groupBy"_s).toString()});
    if (!groupBy) {
        return groupBy.error();
    }
    values.groupLabels = *groupBy;
    if (!values.groupLabels.isEmpty()) {
        for (const QJsonValue &item : json.value(u"byLabel"_s).toArray()) {
            QJsonObject object = item.toObject();
            Labels labels;
            const QJsonObject names = object.value(u"labels"_s).toObject();
            for (auto it = names.begin(); it != names.end(); ++it) {
                if (it.value().isString()) {
                    labels.insert(it.key(), it.value().toString());
                }
            }
            object.insert(u"path"_s, values.path);
            Result<FleetValues> slice = fleetValuesFromJson(object);
            if (!slice) {
                return slice.error();
            }
            values.byLabel.push_back(LabelSlice{std::move(labels), std::move(slice).value()});
        }
    }
    return values;
}

} // namespace Artemis
