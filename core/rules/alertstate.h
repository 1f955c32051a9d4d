#pragma once

#include <optional>

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include "core/base/nodelabels.h"
#include "core/base/result.h"
#include "core/fetch/outcome.h"
#include "core/rules/alertrule.h"

namespace Artemis {

// Where one node stands on one alert rule of a schedule. ok -> pending (the condition was false
// for fewer than `for` consecutive rounds) -> firing (for `for` rounds or more) -> resolved (true
// again after firing; for one round) -> ok. A pending node whose condition is true again goes
// straight back to ok. A round whose verdict is unknown (fetch failed, value missing:
// core/rules/condition.h) changes nothing: the node keeps its phase and its count does not advance,
// so an unknown never fires, never counts toward `for`, and a firing node that turns unknown stays
// firing (no resolve-then-refire flapping while it is unreachable; NodeDown tells that).
enum class AlertPhase : quint8 { Ok, Pending, Firing, Resolved };
QString alertPhaseName(AlertPhase phase);

struct NodeAlert
{
    QString condition; // the rule's name
    QString node;
    AlertPhase phase = AlertPhase::Ok;
    int failingRounds = 0; // consecutive rounds the condition was false (kept when resolved)
    QDateTime since;       // when the phase began (the round's end)
    int sinceRound = 0;
    QDateTime firingSince; // Alertmanager's startsAt; invalid until firing
    QString value;         // what the condition read when it last failed (Condition::Verdict)
    QString outcome;       // the node's outcome then (outcomeName), and its error when not ok
    QString error;
    Labels labels; // the node's labels (Outcome::labels)

    QJsonObject toJson() const;
    static NodeAlert fromJson(const QJsonObject &json);
};

// How the nodes of the last evaluated round came out on one rule (core/rules/condition.h verdicts).
struct RuleCounts
{
    int passed = 0;
    int failed = 0;
    int unknown = 0;
};

// What one round changed, for delivery (core/watch/alertsink.h): every alert firing after it (sent
// again each round, as Alertmanager expects) and those that resolved in it.
struct RoundAlerts
{
    QString schedule;
    int round = 0;
    QDateTime at;
    QList<NodeAlert> firing;
    QList<NodeAlert> resolved;
    bool isEmpty() const { return firing.isEmpty() && resolved.isEmpty(); }
};

// The alert states of one schedule. Holds only nodes not ok (memory grows with the failing
// nodes, not the fleet). A value: the Scheduler copies it into a pool task for each round's
// evaluation (implicitly shared until changed) and takes the new one back. Not thread-safe
// itself; copies are independent.
class AlertBook
{
public:
    // One round: every outcome of the round's hunt through observe(), then endRound(). A node
    // without an outcome in the round keeps its state.
    void observe(const AlertRuleList &rules, const Outcome &outcome, int round, const QDateTime &at,
                 RoundAlerts *changes);
    // Fills `changes->firing` with every alert still firing (observe() fills `resolved`).
    void endRound(int round, RoundAlerts *changes);

    // Sorted by node, then condition; at most `limit` (0: all).
    QList<NodeAlert> list(int limit = 0) const;
    int size() const { return int(m_alerts.size()); }
    int lastRound() const { return m_lastRound; }
    // Per rule name, the verdicts of the last round observed.
    const QHash<QString, RuleCounts> &roundCounts() const { return m_roundCounts; }
    // Forgets states of rules no longer in `rules`.
    void keepOnly(const AlertRuleList &rules);

    // alerts.json: {"round": N, "alerts": [...], "verdicts": {...}}.
    QJsonObject toJson() const;
    static AlertBook fromJson(const QJsonObject &json);

private:
    static QString key(const QString &condition, const QString &node)
    {
        return condition + u'\n' + node;
    }
    QHash<QString, NodeAlert> m_alerts;
    int m_lastRound = 0;
    QHash<QString, RuleCounts> m_roundCounts;
    int m_countsRound = 0;
};

// The listing GET /api/v1/schedules/{id}/alerts answers (and the GUI shows): {"schedule",
// "round" (the last evaluated), "conditions" (the rules), "counts" {"pending", "firing",
// "resolved"}, "verdicts" {rule name: {"passed", "failed", "unknown"}} (the last round's, for every
// rule evaluated, NodeDown included), "count", "alerts": [NodeAlert::toJson...]} with only `phase`
// when given, at most `limit` alerts (sorted by node, then condition; "truncated": true when cut).
QJsonObject alertListingJson(const QString &schedule, const AlertBook &book,
                             const AlertRuleList &rules, std::optional<AlertPhase> phase,
                             int limit);
std::optional<AlertPhase> alertPhaseFromName(QStringView name);
// {rule name: {"passed", "failed", "unknown"}}.
QJsonObject roundCountsJson(const QHash<QString, RuleCounts> &counts);

} // namespace Artemis

Q_DECLARE_METATYPE(Artemis::RoundAlerts)
