#pragma once

#include <functional>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QSet>
#include <QString>

#include "core/base/extract.h"
#include "core/base/jsonvalues.h"
#include "core/base/result.h"
#include "core/fetch/outcome.h"
#include "core/hunt/huntinfo.h"

namespace Artemis {

class FleetMetricsCache;
class HuntCatalog;
class ResultStore;
class Scheduler;

// A finished hunt's nodes as Prometheus metrics (text exposition format 0.0.4), what
// GET /api/v1/hunts/{id}/metrics and GET /api/v1/schedules/{id}/metrics serve:
//
//   artemis_node_up{node="..."} 1                   1 when the outcome is ok, else 0
//   artemis_node_fetch_duration_seconds{...} 0.012  the last attempt (nodes with an attempt)
//   NAME{...} 80                                    an extract whose value reads as a number
//   NAME_info{...,value="1.2.3"} 1                  an extract whose value does not
//
// Rules:
// - Each node counts once: its first record in results.ndjson wins. Samples are in file order,
//   grouped by family, with one # HELP and one # TYPE (gauge) line per family that has samples
//   (artemis_node_up and artemis_node_fetch_duration_seconds always have theirs).
// - Labels: `node`, then `schedule` (a schedule's round), then the node's own labels
//   (Outcome::labels) in name order. A node label named node, schedule or value is renamed
//   exported_NAME (as Prometheus renames clashing target labels); a name that is not a valid
//   label name has its other characters replaced by '_'; a name taken already is dropped.
//   Label values are escaped (\\, \", \n).
// - Extracts are read from ok nodes only; a path absent from a body gives no sample. Numbers:
//   JSON numbers, number-like strings as jsonNumber() reads them ("80%" -> 80, "1.5G" ->
//   1610612736, "12ms" -> 12), and "NaN", "Inf", "+Inf", "-Inf" (any case). A value that is
//   none of these (text, bool, null, object, array: as jsonValueText) becomes NAME_info with
//   the text as `value` (cut at MaxInfoValueChars). An extract whose name ends in "_info" is
//   always served that way, under its own name: `"version_info": "version"` keeps "1.2" a
//   label. Numbers are written as integers when whole (below 2^53), else in the shortest
//   round-trip form; NaN, +Inf and -Inf as Prometheus spells them.
//
// FleetMetricsBuilder is a plain value (one thread). renderFleetMetrics blocks on the disk
// (parsing on the global pool): run it on a worker, never on a server or GUI thread.

struct FleetMetricsSettings
{
    ExtractList extract;
    QString schedule; // value of the `schedule` label; empty: no such label
};

class FleetMetricsBuilder
{
public:
    explicit FleetMetricsBuilder(FleetMetricsSettings settings);

    // One node, reduced to its label set and rendered values (any thread; see addNode).
    struct NodeSeries
    {
        QString node;
        QByteArray labels; // node="a",schedule="s",dc="fra1" (no braces)
        bool up = false;
        double seconds = -1; // < 0: no attempt, no duration sample
        // Per extract, in extract order: kind and rendered text (number, or escaped value).
        enum class Kind : quint8 { None, Number, Info };
        QList<std::pair<Kind, QByteArray>> values;
    };

    // A stored results line (Outcome::toJson's shape) -> its series; nullopt when the line is
    // not a valid record. Thread-safe (const, uses only the settings).
    std::optional<NodeSeries> seriesOfLine(QByteArrayView line) const;
    // Adds a node unless it was added before (first record wins). Returns false for a repeat.
    bool addNode(NodeSeries series);
    bool addLine(QByteArrayView line); // false for a bad line or a repeat
    void add(const Outcome &outcome);  // through its stored line
    void reserve(qsizetype nodes);

    // The exposition text; the builder is empty afterwards.
    QByteArray finish();

    const QList<JsonPath> &paths() const { return m_paths; }

    static constexpr qsizetype MaxInfoValueChars = 1024;

private:
    FleetMetricsSettings m_settings;
    QList<JsonPath> m_paths;    // parsed extract paths, in extract order
    QList<bool> m_alwaysInfo;   // per extract: its name ends in "_info"
    QByteArray m_scheduleLabel; // ,schedule="..." or empty
    QSet<QString> m_seen;
    QList<NodeSeries> m_nodes;
};

// Prometheus text helpers (exposed for tests).
QByteArray prometheusNumber(double value);
QByteArray prometheusLabelValue(QStringView value); // escaped, without quotes

// Renders hunt `hunt` (its stored manifest gives extract and schedule) from the store.
// Errors: InvalidArgument (bad id), NotFound, Io.
Result<QByteArray> renderFleetMetrics(const ResultStore &store, const HuntInfo &hunt);

// Which hunt the metrics endpoints serve, decided now on the engine's thread; the returned task
// reads the store and may run on any thread.
//   hunt:     NotFound for an unknown hunt; Conflict while it is queued or running (its metrics
//             are served once it has finished, so a scrape never sees half a round).
//   schedule: NotFound for an unknown schedule; its newest retained round whose hunt has
//             finished (done, cancelled, interrupted or failed); none yet: a text holding only
//             a comment, so a scrape succeeds with no samples.
// With a cache (core/service/fleetmetricscache.h, may be null) the task answers from it, and a
// schedule's scrape marks the schedule for warming.
using FleetMetricsTask = std::function<Result<QByteArray>()>;
Result<FleetMetricsTask> fleetMetricsForHunt(HuntCatalog &catalog, const QString &id,
                                             FleetMetricsCache *cache = nullptr);
Result<FleetMetricsTask> fleetMetricsForSchedule(const Scheduler &scheduler, HuntCatalog &catalog,
                                                 const QString &id,
                                                 FleetMetricsCache *cache = nullptr);

// The Content-Type of the text: text/plain; version=0.0.4; charset=utf-8
inline constexpr char PrometheusTextContentType[] = "text/plain; version=0.0.4; charset=utf-8";

} // namespace Artemis
