#pragma once

#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include "core/extract.h"
#include "core/fetchoptions.h"
#include "core/outcome.h"
#include "core/result.h"

namespace Artemis {

enum class HuntState : quint8 { Queued, Running, Done, Cancelled, Interrupted, Failed };

QString huntStateName(HuntState state);
std::optional<HuntState> huntStateFromName(QStringView name);
bool isFinished(HuntState state); // done, cancelled, interrupted, failed

// Times in manifests: ISO 8601 UTC with milliseconds; "" for an invalid time and back.
QString isoOrEmpty(const QDateTime &t);
QDateTime parseIso(const QJsonValue &value);

// The manifest of a hunt (hunt.json): what was asked, where it stands, and its tallies.
// The node list itself lives in nodes.txt next to it, so the manifest stays small.
struct HuntInfo
{
    QString id;
    HuntState state = HuntState::Queued;
    QString url; // the path fetched on every node
    FetchOptions options;
    int total = 0; // unique nodes
    int done = 0;  // nodes with an outcome
    OutcomeCounts counts;
    QStringList duplicates; // nodes given more than once
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString error;  // why a hunt failed (e.g. the disk filled up)
    QString origin; // "cli", "api", "fetch", "gui", ...
    // A round of a schedule (core/scheduler.h): the schedule's id and the round's number
    // (1, 2, ...); empty / 0 for a hunt started on its own.
    QString schedule;
    int round = 0;
    // Start jitter: each node's first attempt waits a fixed share of this window (a hash of
    // the node), so rounds do not hit every node at the same instant. 0 = all at once.
    int spreadMs = 0;
    // A deadline for the whole hunt (a schedule's round deadline), from its start: when it
    // passes, nodes still in flight or waiting to retry end as `timeout` naming the deadline,
    // and the hunt is done, so a slow node never makes the next round be skipped. 0 = none.
    int deadlineMs = 0;
    // Named values of each node's body, served as Prometheus metrics (core/fleetmetrics.h).
    ExtractList extract;
    // The label names its nodes carry, sorted, at most MaxLabelNames of them, and how many there
    // are in all: a face offers them (a labels column, a group-by choice) without reading every
    // result. Set once when the hunt is created.
    static constexpr int MaxLabelNames = 100;
    QStringList labelNames;
    int labelNameCount = 0;

    qint64 elapsedMs() const; // started -> finished (or now)
    QJsonObject toJson() const;
    static Result<HuntInfo> fromJson(const QJsonObject &json);

    // What an answer built from this hunt covers, for every answer that reads its results
    // (values, diff, result pages, exports): {"state", "done", "total"}.
    QJsonObject coverage() const;
    // `json` (an answer built from this hunt) with "hunt": id and the coverage fields.
    QJsonObject withCoverage(QJsonObject json) const;
    // The same for people: "" when the hunt is done (its answers cover every node), else e.g.
    // "hunt still running: 1,990 of 2,000 done" or "hunt cancelled: 1,200 of 2,000 done". The CLI
    // prints it first, the GUI and the web page show it as a banner.
    QString coverageNote() const;
};

} // namespace Artemis

Q_DECLARE_METATYPE(Artemis::HuntInfo)
