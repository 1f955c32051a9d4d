#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringView>
#include <QUrl>

#include "core/base/result.h"
#include "core/rules/condition.h"

namespace Artemis {

// One alert rule of a schedule: `{"name": "MemHigh", "expr": "mem.usedPercent < 90", "for": 3}`.
// The expression states what is healthy; a node whose answer makes it false for `forRounds`
// consecutive rounds fires an alert named `name` (core/rules/alertstate.h).
//
// Rules (alertRulesFromJson): the name is an alert name [A-Za-z_][A-Za-z0-9_]*, unique in the
// schedule; the expression parses (core/rules/condition.h); `for` is a whole number from 1 to
// MaxForRounds (default 1); at most MaxAlertRules. Pure values; thread-safe.
struct AlertRule
{
    QString name;
    Condition condition; // parsed; condition.text() is the expression as given
    int forRounds = 1;

    static constexpr int MaxForRounds = 10000;
};
using AlertRuleList = QList<AlertRule>;

inline constexpr int MaxAlertRules = 100;

bool isValidAlertName(QStringView name);

// [{"name", "expr", "for"}...] -> rules; null/undefined -> none. InvalidArgument naming the
// condition (its name or index) and, for an expression, the position, with details
// {"condition": NAME, "index": I, "position": N} (position only for a parse error).
Result<AlertRuleList> alertRulesFromJson(const QJsonValue &json);
QJsonArray alertRulesToJson(const AlertRuleList &rules);

// The built-in condition of every schedule: a node whose outcome is not "ok" (refused, timeout,
// http_error, bad JSON, ...) for `forRounds` consecutive rounds fires an alert named NodeDown
// with the outcome and the error as annotations. The user's conditions are unknown for such a
// node (core/rules/condition.h), so unreachability is told once, here. On by default. JSON:
// {"enabled": true, "for": 1}; `true`/`false` alone set `enabled`; null/undefined: the default.
// The name NodeDown is reserved: a user condition cannot take it.
struct NodeDownRule
{
    bool enabled = true;
    int forRounds = 1;

    static inline const QString Name = QStringLiteral("NodeDown");
    // InvalidArgument naming 'nodeDown' and the field.
    static Result<NodeDownRule> fromJson(const QJsonValue &json);
    QJsonObject toJson() const;
    // The rule the alert book evaluates: `outcome == "ok"` for `for` rounds. Enabled only.
    AlertRule rule() const;
};
bool operator==(const NodeDownRule &a, const NodeDownRule &b);

// The user's conditions, then NodeDown when enabled: what each round evaluates.
AlertRuleList effectiveAlertRules(const AlertRuleList &conditions, const NodeDownRule &nodeDown);

// A schedule's webhook: an absolute http:// or https:// URL with a host; the empty string is
// "none". InvalidArgument otherwise.
Result<QUrl> parseWebhookUrl(const QString &text);

} // namespace Artemis
