#include "headless/rest/fleetmetricscontroller.h"

#include "core/base/errorstatus.h"
#include "core/service/huntcatalog.h"
#include "core/watch/scheduler.h"
#include "headless/rest/deferredanswer.h"
#include "headless/rest/httperrors.h"
#include "headless/rest/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

FleetMetricsController::FleetMetricsController(HuntCatalog *catalog, Scheduler *scheduler)
    : m_catalog(catalog), m_scheduler(scheduler), m_cache(catalog)
{
    m_pool.setMaxThreadCount(2);
    QObject::connect(catalog, &HuntCatalog::huntFinished, &m_cache,
                     &FleetMetricsCache::onHuntFinished);
    QObject::connect(catalog, &HuntCatalog::huntRemoved, &m_cache, &FleetMetricsCache::forget);
}

FleetMetricsController::~FleetMetricsController()
{
    m_pool.waitForDone(); // the work reads the store, which outlives this controller
}

bool FleetMetricsController::registerRoutes(Router &router)
{
    bool ok = router.addStreaming(
        Router::Method::Get, u"/api/v1/hunts/<arg>/metrics"_s, Router::Access::Token,
        [this](const QHttpServerRequest &, const QStringList &args,
               QHttpServerResponder &responder) {
            return answer(fleetMetricsForHunt(*m_catalog, args[0], &m_cache), responder);
        });
    if (m_scheduler) {
        ok = router.addStreaming(Router::Method::Get, u"/api/v1/schedules/<arg>/metrics"_s,
                                 Router::Access::Token,
                                 [this](const QHttpServerRequest &, const QStringList &args,
                                        QHttpServerResponder &responder) {
                                     return answer(fleetMetricsForSchedule(*m_scheduler, *m_catalog,
                                                                           args[0], &m_cache),
                                                   responder);
                                 })
             && ok;
    }
    return ok;
}

std::optional<QHttpServerResponse>
FleetMetricsController::answer(const Result<FleetMetricsTask> &task,
                               QHttpServerResponder &responder)
{
    if (!task) {
        return errorResponse(task.error());
    }
    DeferredAnswer::start(responder.socket(), &m_pool, [work = *task] {
        const Result<QByteArray> text = work();
        if (!text) {
            return DeferredAnswer::Reply(httpStatusFor(text.error().code), errorBody(text.error()));
        }
        return DeferredAnswer::Reply::ofText(200, PrometheusTextContentType, *text);
    });
    return std::nullopt;
}

} // namespace Artemis
