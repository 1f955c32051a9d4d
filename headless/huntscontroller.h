#pragma once

#include <QHash>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QString>

#include "core/huntinfo.h"
#include "core/result.h"

namespace Artemis {

class HuntEngine;
class ResultStore;
class Router;
class Scheduler;

// The hunts resource of the versioned API:
//   POST   /api/v1/hunts                 {"nodes": [...], "url", "options": {...}} -> 202;
//          with "every" (and "spread", "retention", "rounds") a schedule -> 201
//   GET    /api/v1/hunts?limit&before&state  newest first
//   GET    /api/v1/hunts/{id}            state, counts, progress, timings
//   POST   /api/v1/hunts/{id}/cancel     -> 202
//   DELETE /api/v1/hunts/{id}            removes a finished hunt (409 while active)
// Results live in HuntResultsController. Lives on the server's thread; borrows engine and store.
class HuntsController
{
public:
    // Not owned; `scheduler` may be null (then "every" is refused).
    HuntsController(HuntEngine *engine, ResultStore *store, Scheduler *scheduler = nullptr);
    [[nodiscard]] bool registerRoutes(Router &router);

    // Live manifest of an active hunt, else the stored one (finished ones are cached: they no
    // longer change). Shared with the results controller.
    Result<HuntInfo> findHunt(const QString &id);
    // Drops a deleted hunt from the caches (e.g. a schedule's pruned round).
    void forget(const QString &id);

private:
    QHttpServerResponse create(const QHttpServerRequest &request);
    QHttpServerResponse list(const QHttpServerRequest &request);
    QHttpServerResponse show(const QString &id);
    QHttpServerResponse cancel(const QString &id);
    QHttpServerResponse remove(const QString &id);

    HuntEngine *m_engine;  // not owned
    ResultStore *m_store;  // not owned
    Scheduler *m_scheduler; // not owned; may be null
    QHash<QString, HuntInfo> m_finished; // cache of finished manifests
    QHash<QString, QByteArray> m_finishedBodies; // their rendered GET answers
};

} // namespace Artemis
