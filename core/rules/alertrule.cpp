#include "core/rules/alertrule.h"

#include <QJsonObject>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

// `for`: absent/null keeps *rounds; false when not a whole number from 1 to MaxForRounds.
bool forRoundsFromJson(const QJsonValue &value, int *rounds)
{
    if (value.isUndefined() || value.isNull()) {
        return true;
    }
    const double n = value.toDouble(-1);
    if (!value.isDouble() || n != double(qint64(n)) || n < 1 || n > AlertRule::MaxForRounds) {
        return false;
    }
    *rounds = int(n);
    return true;
}

QString forRoundsError()
{
    return u"'for' must be a whole number of rounds from 1 to %1"_s.arg(AlertRule::MaxForRounds);
}

} // namespace

bool isValidAlertName(QStringView name)
{
    if (name.isEmpty() || name.size() > 200) {
        return false;
    }
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name[i];
        const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
        if (!letter && !(i > 0 && c >= u'0' && c <= u'9')) {
            return false;
        }
    }
    return true;
}

Result<AlertRuleList> alertRulesFromJson(const QJsonValue &json)
{
    AlertRuleList rules;
    if (json.isUndefined() || json.isNull()) {
        return rules;
    }
    if (!json.isArray()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"'conditions' must be an array of {\"name\", \"expr\", \"for\"}"_s);
    }
    const QJsonArray array = json.toArray();
    if (array.size() > MaxAlertRules) {
        return makeError(ErrorCode::InvalidArgument,
                         u"%1 conditions; at most %2"_s.arg(array.size()).arg(MaxAlertRules));
    }
    QSet<QString> names;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject object = array.at(i).toObject();
        const QString name = object.value(u"name"_s).toString();
        QJsonObject details{{u"index"_s, int(i)}};
        if (!name.isEmpty()) {
            details.insert(u"condition"_s, name);
        }
        const QString which =
            name.isEmpty() ? u"condition %1"_s.arg(i) : u"condition '%1'"_s.arg(name);
        auto bad = [&](const QString &why) {
            return makeError(ErrorCode::InvalidArgument, which + u": "_s + why, details);
        };
        if (!array.at(i).isObject()) {
            return bad(u"must be an object {\"name\", \"expr\", \"for\"}"_s);
        }
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (it.key() != u"name"_s && it.key() != u"expr"_s && it.key() != u"for"_s) {
                return bad(u"unknown field '%1' (known: name, expr, for)"_s.arg(it.key()));
            }
        }
        if (!isValidAlertName(name)) {
            return bad(u"'name' must match [A-Za-z_][A-Za-z0-9_]*"_s);
        }
        if (name == NodeDownRule::Name) {
            return bad(u"'NodeDown' is the built-in condition for unreachable nodes (see "
                       "'nodeDown'): pick another name"_s);
        }
        if (names.contains(name)) {
            return bad(u"the name is given twice"_s);
        }
        names.insert(name);
        const QJsonValue expr = object.value(u"expr"_s);
        if (!expr.isString()) {
            return bad(u"'expr' must be a string"_s);
        }
        Result<Condition> condition = Condition::parse(expr.toString());
        if (!condition) {
            const QJsonObject where = condition.error().details.toObject();
            if (where.contains(u"position"_s)) {
                details.insert(u"position"_s, where.value(u"position"_s));
            }
            return bad(condition.error().message);
        }
        AlertRule rule{name, std::move(condition).value(), 1};
        if (!forRoundsFromJson(object.value(u"for"_s), &rule.forRounds)) {
            return bad(forRoundsError());
        }
        rules.append(std::move(rule));
    }
    return rules;
}

QJsonArray alertRulesToJson(const AlertRuleList &rules)
{
    QJsonArray array;
    for (const AlertRule &rule : rules) {
        array.append(QJsonObject{{u"name"_s, rule.name},
                                 {u"expr"_s, rule.condition.text()},
                                 {u"for"_s, rule.forRounds}});
    }
    return array;
}

Result<NodeDownRule> NodeDownRule::fromJson(const QJsonValue &json)
{
    NodeDownRule rule;
    if (json.isUndefined() || json.isNull()) {
        return rule;
    }
    if (json.isBool()) {
        rule.enabled = json.toBool();
        return rule;
    }
    auto bad = [](const QString &why) {
        return makeError(ErrorCode::InvalidArgument, u"'nodeDown': "_s + why,
                         QJsonObject{{u"field"_s, u"nodeDown"_s}});
    };
    if (!json.isObject()) {
        return bad(u"must be true, false or {\"enabled\": true, \"for\": N}"_s);
    }
    const QJsonObject object = json.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() != u"enabled"_s && it.key() != u"for"_s) {
            return bad(u"unknown field '%1' (known: enabled, for)"_s.arg(it.key()));
        }
    }
    const QJsonValue enabled = object.value(u"enabled"_s);
    if (!enabled.isUndefined() && !enabled.isNull() && !enabled.isBool()) {
        return bad(u"'enabled' must be true or false"_s);
    }
    rule.enabled = enabled.toBool(true);
    if (!forRoundsFromJson(object.value(u"for"_s), &rule.forRounds)) {
        return bad(forRoundsError());
    }
    return rule;
}

QJsonObject NodeDownRule::toJson() const
{
    return QJsonObject{{u"enabled"_s, enabled}, {u"for"_s, forRounds}};
}

AlertRule NodeDownRule::rule() const
{
    static const Condition up = *Condition::parse(u"outcome == \"ok\""_s);
    return AlertRule{Name, up, forRounds};
}

bool operator==(const NodeDownRule &a, const NodeDownRule &b)
{
    return a.enabled == b.enabled && a.forRounds == b.forRounds;
}

AlertRuleList effectiveAlertRules(const AlertRuleList &conditions, const NodeDownRule &nodeDown)
{
    AlertRuleList rules = conditions;
    if (nodeDown.enabled) {
        rules.append(nodeDown.rule());
    }
    return rules;
}

Result<QUrl> parseWebhookUrl(const QString &text)
{
    if (text.isEmpty()) {
        return QUrl();
    }
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s)
        || url.host().isEmpty() || !url.userInfo().isEmpty()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"'webhook' must be an http:// or https:// URL with a host (no user "
                         "info), not '%1'"_s.arg(text));
    }
    return url;
}

} // namespace Artemis
