#include "headless/healthcontroller.h"

#include <QJsonObject>

#include "headless/httperrors.h"
#include "headless/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

bool HealthController::registerRoutes(Router &router)
{
    return router.add(Router::Method::Get, u"/healthz"_s, Router::Access::Open,
                      [](const QHttpServerRequest &, const QStringList &) {
                          return jsonResponse(QJsonObject{{u"status"_s, u"ok"_s}});
                      });
}

} // namespace Artemis
