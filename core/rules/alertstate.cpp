#include "core/rules/alertstate.h"

#include <QJsonArray>

#include "core/hunt/huntinfo.h"

using namespace Qt::StringLiterals;

namespace Artemis {

QString alertPhaseName(AlertPhase phase)
{
    switch (phase) {
    case AlertPhase::Ok:
        return u"ok"_s;
    case AlertPhase::Pending:
        return u"pending"_s;
    case AlertPhase::Firing:
        return u"firing"_s;
    case AlertPhase::Resolved:
        return u"resolved"_s;
    }
    return u"ok"_s;
}

QJsonObject NodeAlert::toJson() const
{
    QJsonObject json{{u"condition"_s, condition},
                     {u"node"_s, node},
                     {u"state"_s, alertPhaseName(phase)},
                     {u"failingRounds"_s, failingRounds},
                     {u"since"_s, isoOrEmpty(since)},
                     {u"sinceRound"_s, sinceRound},
                     {u"value"_s, value}};
    if (!outcome.isEmpty()) {
        json.insert(u"outcome"_s, outcome);
    }
    if (!error.isEmpty()) {
        json.insert(u"error"_s, error);
    }
    if (firingSince.isValid()) {
        json.insert(u"firingSince"_s, isoOrEmpty(firingSince));
    }
    if (!labels.isEmpty()) {
        json.insert(u"labels"_s, labelsToJson(labels));
    }
    return json;
}

NodeAlert NodeAlert::fromJson(const QJsonObject &json)
{
    NodeAlert a;
    a.condition = json.value(u"condition"_s).toString();
    a.node = json.value(u"node"_s).toString();
    a.phase = alertPhaseFromName(json.value(u"state"_s).toString()).value_or(AlertPhase::Ok);
    a.failingRounds = std::max(0, json.value(u"failingRounds"_s).toInt());
    a.since = parseIso(json.value(u"since"_s));
    a.sinceRound = json.value(u"sinceRound"_s).toInt();
    a.firingSince = parseIso(json.value(u"firingSince"_s));
    a.value = json.value(u"value"_s).toString();
    a.outcome = json.value(u"outcome"_s).toString();
    a.error = json.value(u"error"_s).toString();
    if (Result<Labels> labels = labelsFromJson(json.value(u"labels"_s)); labels) {
        a.labels = std::move(labels).value();
    }
    return a;
}

void AlertBook::observe(const AlertRuleList &rules, const Outcome &outcome, int round,
                        const QDateTime &at, RoundAlerts *changes)
{
    if (round != m_countsRound) {
        m_roundCounts.clear();
        m_countsRound = round;
    }
    for (const AlertRule &rule : rules) {
        const Condition::Verdict verdict =
            rule.condition.evaluate(outcome.body, outcome.outcome, outcome.latencyMs);
        RuleCounts &counts = m_roundCounts[rule.name];
        if (verdict.unknown) {
            ++counts.unknown;
            continue; // keeps its state (the class comment says why)
        }
        ++(verdict.passed ? counts.passed : counts.failed);
        const QString k = key(rule.name, outcome.node);
        const auto it = m_alerts.find(k);
        if (verdict.passed) {
            if (it == m_alerts.end()) {
                continue;
            }
            if (it->phase == AlertPhase::Firing) {
                it->phase = AlertPhase::Resolved;
                it->since = at;
                it->sinceRound = round;
                it->labels = outcome.labels;
                changes->resolved.append(*it);
            } else {
                m_alerts.erase(it); // pending or resolved: ok again
            }
            continue;
        }
        NodeAlert &alert = it != m_alerts.end() ? *it : *m_alerts.insert(k, NodeAlert{});
        if (alert.phase == AlertPhase::Ok || alert.phase == AlertPhase::Resolved) {
            alert = NodeAlert{};
            alert.condition = rule.name;
            alert.node = outcome.node;
            alert.phase = AlertPhase::Pending;
            alert.since = at;
            alert.sinceRound = round;
        }
        ++alert.failingRounds;
        alert.value = verdict.value;
        alert.outcome = outcomeName(outcome.outcome);
        alert.error = outcome.error;
        alert.labels = outcome.labels;
        if (alert.phase == AlertPhase::Pending && alert.failingRounds >= rule.forRounds) {
            alert.phase = AlertPhase::Firing;
            alert.since = at;
            alert.sinceRound = round;
            alert.firingSince = at;
        }
    }
}

void AlertBook::endRound(int round, RoundAlerts *changes)
{
    m_lastRound = std::max(m_lastRound, round);
    for (const NodeAlert &alert : std::as_const(m_alerts)) {
        if (alert.phase == AlertPhase::Firing) {
            changes->firing.append(alert);
        }
    }
}

QList<NodeAlert> AlertBook::list(int limit) const
{
    QList<NodeAlert> all = m_alerts.values();
    std::sort(all.begin(), all.end(), [](const NodeAlert &a, const NodeAlert &b) {
        return a.node != b.node ? a.node < b.node : a.condition < b.condition;
    });
    if (limit > 0 && all.size() > limit) {
        all.resize(limit);
    }
    return all;
}

void AlertBook::keepOnly(const AlertRuleList &rules)
{
    for (auto it = m_alerts.begin(); it != m_alerts.end();) {
        const bool known = std::any_of(rules.cbegin(), rules.cend(),
                                       [&](const AlertRule &r) { return r.name == it->condition; });
        it = known ? std::next(it) : m_alerts.erase(it);
    }
}

QJsonObject AlertBook::toJson() const
{
    QJsonArray alerts;
    for (const NodeAlert &alert : list()) {
        alerts.append(alert.toJson());
    }
    return QJsonObject{{u"round"_s, m_lastRound},
                       {u"alerts"_s, alerts},
                       {u"verdicts"_s, roundCountsJson(m_roundCounts)}};
}

QJsonObject roundCountsJson(const QHash<QString, RuleCounts> &counts)
{
    QJsonObject json;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        json.insert(it.key(), QJsonObject{{u"passed"_s, it->passed},
                                          {u"failed"_s, it->failed},
                                          {u"unknown"_s, it->unknown}});
    }
    return json;
}

std::optional<AlertPhase> alertPhaseFromName(QStringView name)
{
    for (AlertPhase p :
         {AlertPhase::Ok, AlertPhase::Pending, AlertPhase::Firing, AlertPhase::Resolved}) {
        if (name == alertPhaseName(p)) {
            return p;
        }
    }
    return std::nullopt;
}

QJsonObject alertListingJson(const QString &schedule, const AlertBook &book,
                             const AlertRuleList &rules, std::optional<AlertPhase> phase, int limit)
{
    int counts[4] = {0, 0, 0, 0};
    QJsonArray alerts;
    bool truncated = false;
    for (const NodeAlert &alert : book.list()) {
        ++counts[int(alert.phase)];
        if (phase && alert.phase != *phase) {
            continue;
        }
        if (limit > 0 && alerts.size() >= limit) {
            truncated = true;
            continue;
        }
        alerts.append(alert.toJson());
    }
    QJsonObject json{{u"schedule"_s, schedule},
                     {u"round"_s, book.lastRound()},
                     {u"conditions"_s, alertRulesToJson(rules)},
                     {u"counts"_s, QJsonObject{{u"pending"_s, counts[int(AlertPhase::Pending)]},
                                               {u"firing"_s, counts[int(AlertPhase::Firing)]},
                                               {u"resolved"_s, counts[int(AlertPhase::Resolved)]}}},
                     {u"verdicts"_s, roundCountsJson(book.roundCounts())},
                     {u"count"_s, alerts.size()},
                     {u"alerts"_s, alerts}};
    if (truncated) {
        json.insert(u"truncated"_s, true);
    }
    return json;
}

AlertBook AlertBook::fromJson(const QJsonObject &json)
{
    AlertBook book;
    book.m_lastRound = std::max(0, json.value(u"round"_s).toInt());
    book.m_countsRound = book.m_lastRound;
    const QJsonObject verdicts = json.value(u"verdicts"_s).toObject();
    for (auto it = verdicts.begin(); it != verdicts.end(); ++it) {
        const QJsonObject c = it.value().toObject();
        book.m_roundCounts.insert(it.key(), RuleCounts{c.value(u"passed"_s).toInt(),
                                                       c.value(u"failed"_s).toInt(),
                                                       c.value(u"unknown"_s).toInt()});
    }
    for (const QJsonValue &value : json.value(u"alerts"_s).toArray()) {
        NodeAlert alert = NodeAlert::fromJson(value.toObject());
        if (alert.phase != AlertPhase::Ok && !alert.node.isEmpty() && !alert.condition.isEmpty()) {
            book.m_alerts.insert(key(alert.condition, alert.node), std::move(alert));
        }
    }
    return book;
}

} // namespace Artemis
