#include "headless/rest/workerscontroller.h"

#include <QJsonArray>
#include <QJsonObject>

#include "core/broker/redisexecutor.h"
#include "headless/rest/httperrors.h"
#include "headless/rest/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

bool WorkersController::registerRoutes(Router &router)
{
    return router.add(Router::Method::Get, u"/api/v1/workers"_s, Router::Access::Token,
                      [this](const QHttpServerRequest &, const QStringList &) {
                          if (!m_broker) {
                              return jsonResponse(QJsonObject{{u"mode"_s, u"local"_s},
                                                              {u"workers"_s, QJsonArray()}});
                          }
                          QJsonArray workers;
                          for (const Wire::WorkerInfo &worker : m_broker->workers()) {
                              workers.append(worker.toJson());
                          }
                          return jsonResponse(QJsonObject{
                              {u"mode"_s, u"distributed"_s},
                              {u"broker"_s, m_broker->url().toString()},
                              {u"connected"_s, m_broker->isConnected()},
                              {u"workers"_s, workers},
                          });
                      });
}

} // namespace Artemis
