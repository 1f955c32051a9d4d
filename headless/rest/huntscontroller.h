#pragma once

#include <QHash>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QObject>
#include <QString>

namespace Artemis {

class HuntCatalog;
class HuntEngine;
class Router;
class Scheduler;

// The hunts resource of the versioned API:
//   POST   /api/v1/hunts                 {"nodes": [...], "url", "options": {...}} -> 202;
//          with "every" (and "spread", "retention", "rounds") a schedule -> 201
//   GET    /api/v1/hunts?limit&before&state  newest first
//   GET    /api/v1/hunts/{id}            state, counts, progress, timings
//   POST   /api/v1/hunts/{id}/cancel     -> 202
//   DELETE /api/v1/hunts/{id}            removes a finished hunt (409 while active)
// Results live in HuntResultsController; what a hunt's state is, is the catalog's rule
// (core/service/huntcatalog.h). Lives on the server's thread; borrows the engine and the catalog.
class HuntsController
{
public:
    // Not owned; `scheduler` may be null (then "every" is refused).
    HuntsController(HuntEngine *engine, HuntCatalog *catalog, Scheduler *scheduler = nullptr);
    ~HuntsController();
    HuntsController(const HuntsController &) = delete;
    HuntsController &operator=(const HuntsController &) = delete;
    [[nodiscard]] bool registerRoutes(Router &router);

private:
    QHttpServerResponse create(const QHttpServerRequest &request);
    QHttpServerResponse list(const QHttpServerRequest &request);
    QHttpServerResponse show(const QString &id);
    QHttpServerResponse cancel(const QString &id);
    QHttpServerResponse remove(const QString &id);

    HuntEngine *m_engine;   // not owned
    HuntCatalog *m_catalog; // not owned
    Scheduler *m_scheduler; // not owned; may be null
    // Rendered GET answers of settled hunts (HuntCatalog::isSettled): they no longer change.
    QHash<QString, QByteArray> m_settledBodies;
    QMetaObject::Connection m_removed; // drops a removed hunt's body; ends with this
    QMetaObject::Connection m_started; // drops a resumed hunt's (interrupted) body; ditto
};

} // namespace Artemis
