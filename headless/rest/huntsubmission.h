#pragma once

#include <QHttpServerResponse>
#include <QJsonObject>

#include "core/base/result.h"
#include "core/engine/huntengine.h"
#include "core/hunt/huntrequestjson.h"
#include "core/rules/schedule.h"

namespace Artemis {

class Scheduler;

// Shared by POST /fetch and POST /api/v1/hunts: submits the hunt and answers 202
// {"success": "Request is being processed", "hunt": ID, "status": "/api/v1/hunts/ID", ...}
// with a Location header, or the error (400 bad/denied nodes, 413 too many, 429 busy).
QHttpServerResponse submitHunt(HuntEngine &engine, const HuntRequest &request);

// The JSON of one hunt as the API shows it: the manifest plus progress and links.
QJsonObject huntJson(const HuntInfo &info);
// A running hunt's live view into huntJson's "progress": "nodesPerSecond" (over the last few
// seconds), "sinceLastOutcomeMs", and "unfinished": {"count", "oldest": [{"node", "state":
// "in-flight" | "retry-wait", "attempt", "ageMs"}]} (core/hunt/unfinishednodes.h).
void addLiveProgress(QJsonObject &hunt, const HuntProgress &live);

// The schedule fields of such a body: "every" (required duration, "30s"), "spread" (duration
// or 0), "deadline" (each round's, a duration; default: every less max(200 ms, 5 %)), "retention"
// {"keep": N, "maxAge": duration}, "rounds" (N, 0 = no end), "conditions" (core/rules/alertrule.h),
// "nodeDown" (core/rules/alertrule.h NodeDownRule), "webhook" (URL); and "nodesFrom"
// (core/inventory/nodesource.h) when the caller passes it in the extra fields (POST
// /api/v1/schedules only: its first read is asynchronous).
inline const QStringList ScheduleFields = {QStringLiteral("every"),    QStringLiteral("spread"),
                                           QStringLiteral("deadline"), QStringLiteral("retention"),
                                           QStringLiteral("rounds"),   QStringLiteral("conditions"),
                                           QStringLiteral("nodeDown"), QStringLiteral("webhook")};
Result<ScheduleSpec> parseScheduleSpec(const HuntRequest &hunt, const QJsonObject &object);

// The JSON of one schedule as the API shows it (Schedule::toJson plus links).
QJsonObject scheduleJson(const Schedule &schedule);

// Shared by POST /api/v1/schedules and POST /api/v1/hunts with "every": creates the schedule
// (round 1 starts at once) and answers 201 {"schedule": ID, "hunt": first round, "status":
// "/api/v1/schedules/ID", ...schedule} with a Location header, or the error.
QHttpServerResponse createSchedule(Scheduler &scheduler, const ScheduleSpec &spec);
// That answer for a creation already tried (Scheduler::createLater).
QHttpServerResponse createdResponse(const Result<Schedule> &created);

} // namespace Artemis
