#pragma once

#include <optional>

#include <QJsonObject>
#include <QJsonValue>
#include <QList>

#include "core/fleet/fleetvalues.h"

namespace Artemis {

// A numeric path's values as a distribution: what the faces show instead of a list of tiny
// groups when a path has many distinct numbers (disk.root.used_pct over 2,000 nodes has ~200).
//
// Rules:
// - A path gets a distribution when more than DistributionMinDistinct distinct values are
//   numeric (jsonNumber) and numbers are at least DistributionMinNumericShare of the values.
//   Paths with fewer distinct values keep their groups (versions, flags, counts of CPUs).
// - count/min/max/p50/p90/p99 are FleetValues::stats (nearest-rank percentiles, every node).
// - Outliers are FleetValues' numeric outliers (modified z-score |M| > 3.5), most extreme
//   first, each marked `high` or `low` against the median; they are listed on top and are not
//   counted in the buckets, so one runaway value does not squash the histogram into one bar.
// - Buckets: up to DistributionBuckets equal-width bins over [lo, hi], the smallest and largest
//   number that is not an outlier; a value v lands in bin floor((v - lo) / width), the largest
//   value in the last bin. Every non-outlier numeric node is in exactly one bin.
// Pure functions over a FleetValues; cheap (one pass over the distinct values).

constexpr int DistributionMinDistinct = 20;
constexpr double DistributionMinNumericShare = 0.9;
constexpr int DistributionBuckets = 20;

struct DistributionBucket
{
    double lo = 0;
    double hi = 0;
    int nodes = 0;
};

struct DistributionOutlier
{
    QString node;
    QJsonValue value;
    double number = 0;
    double score = 0;
    bool high = true; // above the median (false: below)
};

struct ValueDistribution
{
    int count = 0; // numeric nodes, outliers included
    double min = 0;
    double max = 0;
    double p50 = 0;
    double p90 = 0;
    double p99 = 0;
    QList<DistributionBucket> buckets;
    QList<DistributionOutlier> outliers; // as FleetValues::outliers (cut at maxOutliers)
    int outlierCount = 0;                // before that cut
};

// nullopt when the path keeps its groups (see the rules above).
std::optional<ValueDistribution> distributionOf(const FleetValues &values,
                                                int buckets = DistributionBuckets);

// {"count", "min", "max", "p50", "p90", "p99", "buckets": [{"lo", "hi", "nodes"}],
//  "outliers": [{"node", "value", "number", "score", "side": "high"|"low"}], "outlierCount"}
QJsonObject toJson(const ValueDistribution &distribution);
// Reads toJson's output back; nullopt when `json` is not an object with a "buckets" array.
std::optional<ValueDistribution> distributionFromJson(const QJsonValue &json);

} // namespace Artemis
