#include "core/fleet/valuedistribution.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Artemis {

std::optional<ValueDistribution> distributionOf(const FleetValues &values, int buckets)
{
    if (!values.stats || values.withValue <= 0 || buckets < 1) {
        return std::nullopt;
    }
    int distinct = 0;
    for (const ValueGroup &g : values.groups) {
        if (g.number && std::isfinite(*g.number)) {
            ++distinct;
        }
    }
    const ValueStats &s = *values.stats;
    if (distinct <= DistributionMinDistinct
        || double(s.count) < DistributionMinNumericShare * double(values.withValue)) {
        return std::nullopt;
    }

    ValueDistribution d;
    d.count = s.count;
    d.min = s.min;
    d.max = s.max;
    d.p50 = s.p50;
    d.p90 = s.p90;
    d.p99 = s.p99;
    d.outlierCount = values.outlierCount;
    // Scores are per value (equal values score alike), so a value is an outlier when any of its
    // nodes is listed.
    QSet<double> outlying;
    for (const ValueOutlier &o : values.outliers) {
        d.outliers.append(DistributionOutlier{o.node, o.value, o.number, o.score, o.score > 0});
        outlying.insert(o.number);
    }

    double lo = 0;
    double hi = 0;
    bool any = false;
    for (const ValueGroup &g : values.groups) {
        if (!g.number || !std::isfinite(*g.number) || outlying.contains(*g.number)) {
            continue;
        }
        lo = any ? std::min(lo, *g.number) : *g.number;
        hi = any ? std::max(hi, *g.number) : *g.number;
        any = true;
    }
    if (!any) {
        return d;
    }
    const int bins = hi > lo ? buckets : 1;
    const double width = hi > lo ? (hi - lo) / bins : 0;
    for (int i = 0; i < bins; ++i) {
        d.buckets.append(
            DistributionBucket{lo + width * i, i + 1 == bins ? hi : lo + width * (i + 1), 0});
    }
    for (const ValueGroup &g : values.groups) {
        if (!g.number || !std::isfinite(*g.number) || outlying.contains(*g.number)) {
            continue;
        }
        const int bin = width > 0 ? std::min(bins - 1, int((*g.number - lo) / width)) : 0;
        d.buckets[bin].nodes += g.count;
    }
    return d;
}

QJsonObject toJson(const ValueDistribution &d)
{
    QJsonArray buckets;
    for (const DistributionBucket &b : d.buckets) {
        buckets.append(QJsonObject{{u"lo"_s, b.lo}, {u"hi"_s, b.hi}, {u"nodes"_s, b.nodes}});
    }
    QJsonArray outliers;
    for (const DistributionOutlier &o : d.outliers) {
        outliers.append(QJsonObject{
            {u"node"_s, o.node},
            {u"value"_s, o.value},
            {u"number"_s, o.number},
            {u"score"_s, o.score},
            {u"side"_s, o.high ? u"high"_s : u"low"_s},
        });
    }
    return QJsonObject{
        {u"count"_s, d.count},   {u"min"_s, d.min},         {u"max"_s, d.max},
        {u"p50"_s, d.p50},       {u"p90"_s, d.p90},         {u"p99"_s, d.p99},
        {u"buckets"_s, buckets}, {u"outliers"_s, outliers}, {u"outlierCount"_s, d.outlierCount},
    };
}

std::optional<ValueDistribution> distributionFromJson(const QJsonValue &json)
{
    const QJsonObject o = json.toObject();
    if (!o.value(u"buckets"_s).isArray()) {
        return std::nullopt;
    }
    ValueDistribution d;
    d.count = o.value(u"count"_s).toInt();
    d.min = o.value(u"min"_s).toDouble();
    d.max = o.value(u"max"_s).toDouble();
    d.p50 = o.value(u"p50"_s).toDouble();
    d.p90 = o.value(u"p90"_s).toDouble();
    d.p99 = o.value(u"p99"_s).toDouble();
    for (const QJsonValue &item : o.value(u"buckets"_s).toArray()) {
        const QJsonObject b = item.toObject();
        d.buckets.append(DistributionBucket{
            b.value(u"lo"_s).toDouble(), b.value(u"hi"_s).toDouble(), b.value(u"nodes"_s).toInt()});
    }
    for (const QJsonValue &item : o.value(u"outliers"_s).toArray()) {
        const QJsonObject x = item.toObject();
        d.outliers.append(DistributionOutlier{
            x.value(u"node"_s).toString(), x.value(u"value"_s), x.value(u"number"_s).toDouble(),
            x.value(u"score"_s).toDouble(), x.value(u"side"_s).toString() != u"low"_s});
    }
    d.outlierCount = o.value(u"outlierCount"_s).toInt(int(d.outliers.size()));
    return d;
}

} // namespace Artemis
