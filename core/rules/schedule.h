#pragma once

#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include "core/base/extract.h"
#include "core/base/nodelabels.h"
#include "core/base/result.h"
#include "core/fetch/fetchoptions.h"
#include "core/inventory/nodesource.h"
#include "core/rules/alertrule.h"

namespace Artemis {

// Which rounds of a schedule are kept: at most `keepRounds` (newest), and none older than
// `maxAgeMs` (0 = no age limit). Older rounds' hunts are deleted from the store. A round
// that is still running is never deleted.
struct RetentionPolicy
{
    int keepRounds = 100;
    qint64 maxAgeMs = 0;

    static constexpr int MaxKeepRounds = 100000;
};

// What a schedule repeats, and how often.
struct HuntRequest;

struct ScheduleSpec
{
    QStringList nodes;
    QList<Labels> labels{}; // HuntRequest::labels: empty, or one per node
    // Set: the nodes (and labels) are read from here before every round, and `nodes`/`labels`
    // hold the last good list (Scheduler::createLater makes the first read).
    std::optional<NodeSource> nodesFrom{};
    QString url;
    FetchOptions options;
    qint64 everyMs = 0;
    // Start jitter window of each round (HuntInfo::spreadMs); -1 = the default,
    // min(every / 10, 10 s).
    qint64 spreadMs = -1;
    // Each round's deadline (HuntInfo::deadlineMs); -1 = the default, the interval less
    // max(200 ms, 5 %): the round is over before the next one is due, so none is skipped.
    qint64 deadlineMs = -1;
    RetentionPolicy retention;
    int maxRounds = 0;   // stop after this many rounds have started; 0 = never
    QString origin;      // "api", "cli", "gui"
    ExtractList extract; // given to every round (HuntInfo::extract)
    // Alert rules evaluated on each node's answer after every round (core/rules/alertstate.h), and
    // where firing and resolved alerts go besides serve's --alertmanager (empty = nowhere).
    AlertRuleList conditions;
    QString webhook;       // http(s) URL; may hold a secret path: the API shows its origin only
    NodeDownRule nodeDown; // the built-in NodeDown condition (core/rules/alertrule.h)
    // What each round evaluates: conditions, then NodeDown when enabled.
    AlertRuleList alertRules() const { return effectiveAlertRules(conditions, nodeDown); }

    static constexpr qint64 MaxEveryMs = qint64(365) * 86400000;
    static constexpr qint64 DefaultSpreadCapMs = 10000;
    // The window actually used: spreadMs, or the default, never more than half the interval.
    int effectiveSpreadMs() const;
    int effectiveDeadlineMs() const; // deadlineMs, or the default (0: none)
    // Intervals shorter than this (below the service's minimum: tests) get no default deadline.
    static constexpr qint64 MinDefaultDeadlineEveryMs = 1000;
    // What the caller should know before the first round (the 201 body, the CLI, the GUI):
    // e.g. when one node's worst case (timeout x attempts + backoff, after the start spread)
    // is past the round deadline, so slow nodes will end as timeouts at the deadline.
    QStringList warnings() const;
    // A schedule repeating `request` (nodes, url, options, origin) every `everyMs`; the other
    // fields keep their defaults.
    static ScheduleSpec forRequest(const HuntRequest &request, qint64 everyMs);
};

// One started round: the hunt that ran it.
struct ScheduleRound
{
    QString hunt;
    int round = 0;
    QDateTime startedAt;
};

// A schedule and where it stands. Stored by ScheduleStore as
// DATA_DIR/schedules/<id>/schedule.json (everything but the nodes) + nodes.txt (+ labels.json);
// with nodesFrom, nodes.txt and labels.json hold the last good list read.
struct Schedule
{
    QString id; // hunt-id alphabet (core/base/huntid.h), time-ordered
    ScheduleSpec spec;
    QDateTime createdAt;

    int roundsStarted = 0; // the last round's number
    int skipped = 0;       // rounds not started (previous one still running, busy, ...)
    QDateTime lastSkippedAt;
    QString lastSkipReason;
    QString lastError;             // why the last round could not be submitted, if it failed
    QDateTime lastRoundAt;         // when the last round started
    QDateTime nextRunAt;           // invalid once completed
    QList<ScheduleRound> rounds;   // retained rounds, oldest first
    NodeSourceStatus sourceStatus; // with spec.nodesFrom: how its reads went
    bool completed = false;        // maxRounds reached
    // The "warnings" the JSON read by fromJson carried (none when it had none): the API's form
    // drops the given spread and deadline, so a client cannot compute them again from `spec`.
    // nullopt for a schedule not read from JSON.
    std::optional<QStringList> warningsTold;

    // What to tell about the schedule before its rounds go wrong (ScheduleSpec::warnings): as
    // told by the JSON it was read from, else computed from `spec`.
    QStringList warnings() const { return warningsTold ? *warningsTold : spec.warnings(); }

    // For the API: options without header values (FetchOptions::toJson), no nodes (they can
    // be 100k long; `nodeCount` instead).
    QJsonObject toJson() const;
    // For the store: options with header values (FetchOptions::toWireJson: a round must send
    // the same headers after a restart), no nodes. The file is readable by its owner only.
    QJsonObject toStoredJson() const;
    // Reads toStoredJson()'s form back, or toJson()'s (the API's, without header values);
    // nodes are left empty.
    static Result<Schedule> fromJson(const QJsonObject &json);
};

} // namespace Artemis

Q_DECLARE_METATYPE(Artemis::Schedule)
