#pragma once

#include <optional>

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QString>

namespace Artemis {

class HuntCatalog;
class HuntEngine;
class Router;
class Scheduler;

// The schedules resource of the versioned API (core/watch/scheduler.h):
//   POST   /api/v1/schedules             {"nodes", "url", "options", "every": "30s", "spread",
//                                         "retention": {"keep", "maxAge"}, "rounds"} -> 201;
//                                         or "nodesFrom" {"file"|"http"} instead of "nodes"
//                                         (answered once the first read is done)
//   GET    /api/v1/schedules             every schedule, oldest first
//   GET    /api/v1/schedules/{id}        state, skipped rounds, next run, recent rounds with
//                                         their hunts' state and counts
//   DELETE /api/v1/schedules/{id}        stops it; its rounds stay as ordinary hunts
//   GET    /api/v1/schedules/{id}/history?node=N&path=a.b[0]&limit=N
//                                        one node's last N outcomes and the value at a path
//   GET    /api/v1/schedules/{id}/alerts?state=firing&limit=N
//                                        each node's state per condition (not ok ones only)
// Lives on the server's thread; borrows the scheduler, the engine and the catalog.
class SchedulesController
{
public:
    SchedulesController(Scheduler *scheduler, HuntEngine *engine,
                        HuntCatalog *catalog); // not owned
    [[nodiscard]] bool registerRoutes(Router &router);

    static constexpr int RoundsShown = 100; // newest rounds listed by GET {id}
    static constexpr int DefaultHistoryLimit = 50;
    static constexpr int DefaultAlertsLimit = 1000;
    static constexpr int MaxAlertsLimit = 100000;

private:
    std::optional<QHttpServerResponse> create(const QHttpServerRequest &request,
                                              QHttpServerResponder &responder);
    QHttpServerResponse list();
    QHttpServerResponse show(const QString &id);
    QHttpServerResponse remove(const QString &id);
    QHttpServerResponse history(const QString &id, const QHttpServerRequest &request);
    QHttpServerResponse alerts(const QString &id, const QHttpServerRequest &request);

    Scheduler *m_scheduler; // not owned
    HuntEngine *m_engine;   // not owned
    HuntCatalog *m_catalog; // not owned
};

} // namespace Artemis
