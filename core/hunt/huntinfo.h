#pragma once

#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include "core/base/extract.h"
#include "core/base/isotime.h"
#include "core/base/result.h"
#include "core/fetch/fetchoptions.h"
#include "core/fetch/outcome.h"
#include "core/hunt/unfinishednodes.h"

namespace Artemis {

enum class HuntState : quint8 { Queued, Running, Done, Cancelled, Interrupted, Failed };

QString huntStateName(HuntState state);
std::optional<HuntState> huntStateFromName(QStringView name);
bool isFinished(HuntState state); // done, cancelled, interrupted, failed

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
    // A round of a schedule (core/watch/scheduler.h): the schedule's id and the round's number
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
    // Named values of each node's body, served as Prometheus metrics (core/service/fleetmetrics.h).
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

// What a hunt is asked to do (HuntEngine::submit; JSON both ways in core/huntrequestjson.h).
struct HuntRequest
{
    QStringList nodes; // may hold ranges ("node[01-20]:9100", core/inventory/noderange.h)
    QString url;
    FetchOptions options;
    QString origin;     // "cli", "api", "fetch", "gui"
    QString schedule{}; // set by the Scheduler for its rounds (HuntInfo::schedule)
    int round = 0;
    int spreadMs = 0;   // start jitter window (HuntInfo::spreadMs)
    int deadlineMs = 0; // the whole hunt's deadline (HuntInfo::deadlineMs); 0: none
    ExtractList
        extract{}; // named values served as metrics (core/base/extract.h, HuntInfo::extract)
    QList<Labels> labels{}; // empty, or one per node (a range's nodes all get its labels)
};

// A batch of progress for one hunt: counts so far plus the outcomes new since the last batch.
struct HuntProgress
{
    QString id;
    HuntState state = HuntState::Running;
    int done = 0;
    int total = 0;
    OutcomeCounts counts;
    QList<Outcome> newOutcomes;
    double nodesPerSecond = 0;     // over the last few seconds (RateWindow), 0 when stalled
    UnfinishedSnapshot unfinished; // the nodes still waited on, oldest first (bounded)
    qint64 sinceLastOutcomeMs = 0; // how long no node has finished
};

} // namespace Artemis

Q_DECLARE_METATYPE(Artemis::HuntInfo)
