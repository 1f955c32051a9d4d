#include "headless/rest/healthcontroller.h"

#include <QJsonObject>

#include "core/service/huntcatalog.h"
#include "headless/rest/httperrors.h"
#include "headless/rest/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

bool HealthController::registerRoutes(Router &router)
{
    bool ok = router.add(Router::Method::Get, u"/healthz"_s, Router::Access::Open,
                         [](const QHttpServerRequest &, const QStringList &) {
                             return jsonResponse(QJsonObject{{u"status"_s, u"ok"_s}});
                         });
    ok = ok
         && router.add(Router::Method::Get, u"/readyz"_s, Router::Access::Open,
                       [this](const QHttpServerRequest &, const QStringList &) {
                           const StorageHealth health = m_catalog->checkStorage();
                           QJsonObject storage{{u"writable"_s, health.writable},
                                               {u"freeBytes"_s, health.freeBytes},
                                               {u"totalBytes"_s, health.totalBytes}};
                           if (!health.writable) {
                               storage.insert(u"error"_s, health.error);
                           }
                           const QJsonObject body{
                               {u"status"_s, health.writable ? u"ready"_s : u"not ready"_s},
                               {u"storage"_s, storage}};
                           return jsonResponse(body, health.writable ? 200 : 503);
                       });
    return ok;
}

} // namespace Artemis
