#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include "core/base/result.h"
#include "core/rules/alertrule.h"
#include "core/rules/alertstate.h"

namespace Artemis::Gui {

// What the Alerts view shows of one schedule, from either backend: its conditions and every
// node alert not ok (core/rules/alertstate.h) as of the last evaluated round, sorted by node, then
// condition. `counts` cover every alert of the schedule, also when `alerts` was cut
// (`truncated`: the server lists at most RemoteAlertsLimit). A plain value.
struct ScheduleAlerts
{
    QString schedule;
    int round = 0; // the last evaluated round; 0: none yet
    // The rules each round evaluates (ScheduleSpec::alertRules): the schedule's conditions, then
    // the built-in NodeDown when it is on.
    AlertRuleList conditions;
    QList<NodeAlert> alerts;
    int pending = 0;
    int firing = 0;
    int resolved = 0;
    bool truncated = false;

    // In process: the scheduler's book and the rules it evaluates (ScheduleSpec::alertRules;
    // AlertBook::list() sorts: run it off the GUI thread for big books).
    static ScheduleAlerts fromBook(const QString &schedule, const AlertBook &book,
                                   const AlertRuleList &rules);
    // GET /api/v1/schedules/{id}/alerts (core alertListingJson), read with core's parsers
    // (NodeAlert::fromJson, alertRulesFromJson). The listing names the user's conditions only;
    // `nodeDown` is the schedule's (GET /api/v1/schedules/{id}), added as in alertRules().
    // InvalidArgument when it is not such a listing.
    static Result<ScheduleAlerts> fromListingJson(const QJsonObject &json,
                                                  const NodeDownRule &nodeDown);
};

// The most alerts the remote backend asks the service for (its MaxAlertsLimit).
inline constexpr int RemoteAlertsLimit = 100000;

} // namespace Artemis::Gui
