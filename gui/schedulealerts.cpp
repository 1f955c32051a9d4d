#include "gui/schedulealerts.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

ScheduleAlerts ScheduleAlerts::fromBook(const QString &schedule, const AlertBook &book,
                                        const AlertRuleList &rules)
{
    ScheduleAlerts a;
    a.schedule = schedule;
    a.round = book.lastRound();
    a.conditions = rules;
    a.alerts = book.list();
    for (const NodeAlert &alert : std::as_const(a.alerts)) {
        a.pending += alert.phase == AlertPhase::Pending ? 1 : 0;
        a.firing += alert.phase == AlertPhase::Firing ? 1 : 0;
        a.resolved += alert.phase == AlertPhase::Resolved ? 1 : 0;
    }
    return a;
}

Result<ScheduleAlerts> ScheduleAlerts::fromListingJson(const QJsonObject &json,
                                                       const NodeDownRule &nodeDown)
{
    const auto unreadable = [](const QString &why) {
        return makeError(ErrorCode::InvalidArgument,
                         u"The server's alert listing is unreadable: %1"_s.arg(why));
    };
    if (!json.value(u"alerts"_s).isArray() || !json.value(u"conditions"_s).isArray()) {
        return unreadable(u"no 'alerts' and 'conditions' arrays"_s);
    }
    Result<AlertRuleList> rules = alertRulesFromJson(json.value(u"conditions"_s));
    if (!rules) {
        return unreadable(rules.error().message);
    }
    ScheduleAlerts a;
    a.schedule = json.value(u"schedule"_s).toString();
    a.round = std::max(0, json.value(u"round"_s).toInt());
    a.conditions = effectiveAlertRules(*rules, nodeDown);
    const QJsonArray alerts = json.value(u"alerts"_s).toArray();
    a.alerts.reserve(alerts.size());
    for (const QJsonValue &value : alerts) {
        NodeAlert alert = NodeAlert::fromJson(value.toObject());
        if (alert.phase != AlertPhase::Ok && !alert.node.isEmpty()) {
            a.alerts.append(std::move(alert));
        }
    }
    const QJsonObject counts = json.value(u"counts"_s).toObject();
    a.pending = counts.value(u"pending"_s).toInt();
    a.firing = counts.value(u"firing"_s).toInt();
    a.resolved = counts.value(u"resolved"_s).toInt();
    a.truncated = json.value(u"truncated"_s).toBool();
    return a;
}

} // namespace Artemis::Gui
