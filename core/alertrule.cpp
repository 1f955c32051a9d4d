#include "core/alertrule.h"

#include <QJsonObject>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Artemis {

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
        const QJsonValue forValue = object.value(u"for"_s);
        if (!forValue.isUndefined() && !forValue.isNull()) {
            const double n = forValue.toDouble(-1);
            if (!forValue.isDouble() || n != double(qint64(n)) || n < 1
                || n > AlertRule::MaxForRounds) {
                return bad(u"'for' must be a whole number of rounds from 1 to %1"_s.arg(
                    AlertRule::MaxForRounds));
            }
            rule.forRounds = int(n);
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
