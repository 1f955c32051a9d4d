#pragma once

#include <memory>

#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include "core/broker/redisconnection.h"

// Helpers of the tests that run the real `artemis-headless serve --broker` and workers.
namespace Artemis::Test {

class HttpClient;

// Where a started worker's stderr goes: the test's own (Forwarded), or kept for the test to
// read (Captured, readAllStandardError).
enum class WorkerStderr { Forwarded, Captured };

// `artemis-headless worker --broker BROKER --name NAME --heartbeat-ms 300 ARGS...` as a child
// process of the test, killed with the test process. Null when it does not start. `binary` is
// the path of artemis-headless. The one way the tests start a worker.
std::unique_ptr<QProcess> startWorker(const QString &binary, const QString &broker,
                                      const QString &name, const QStringList &args = {},
                                      WorkerStderr stderrMode = WorkerStderr::Forwarded);

// The entry named `name` in GET /api/v1/workers of the coordinator behind `client`, or an empty
// object when it is not listed.
QJsonObject listedWorker(HttpClient &client, const QString &name);

// How many workers are listed in GET /api/v1/workers (0 when it does not answer).
int listedWorkerCount(HttpClient &client);

// `args` on `connection` (opened by the caller), waiting for it to connect and for the reply;
// Type::Failed when either takes longer than `timeoutMs`.
RedisReply redisCommand(RedisConnection &connection, const QList<QByteArray> &args,
                        int timeoutMs = 5000);

} // namespace Artemis::Test
