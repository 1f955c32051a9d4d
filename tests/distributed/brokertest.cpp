#include "brokertest.h"

#include <QJsonArray>

#include <memory>
#include <optional>

#include "tests/common/childprocess.h"
#include "tests/common/httpclient.h"
#include "tests/common/wait.h"

using namespace Qt::StringLiterals;

namespace Artemis::Test {

std::unique_ptr<QProcess> startWorker(const QString &binary, const QString &broker,
                                      const QString &name, const QStringList &args,
                                      WorkerStderr stderrMode)
{
    auto worker = std::make_unique<QProcess>();
    if (stderrMode == WorkerStderr::Forwarded) {
        worker->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    }
    killWithParent(*worker);
    worker->start(binary, QStringList{u"worker"_s, u"--broker"_s, broker, u"--name"_s, name,
                                      u"--heartbeat-ms"_s, u"300"_s}
                              + args);
    if (!worker->waitForStarted(10000)) {
        qWarning("cannot start %s: %s", qPrintable(binary), qPrintable(worker->errorString()));
        return nullptr;
    }
    return worker;
}

QJsonObject listedWorker(HttpClient &client, const QString &name)
{
    for (const QJsonValue &worker :
         client.get(u"/api/v1/workers"_s).json().value(u"workers"_s).toArray()) {
        if (worker.toObject().value(u"name"_s).toString() == name) {
            return worker.toObject();
        }
    }
    return {};
}

int listedWorkerCount(HttpClient &client)
{
    return int(client.get(u"/api/v1/workers"_s).json().value(u"workers"_s).toArray().size());
}

RedisReply redisCommand(RedisConnection &connection, const QList<QByteArray> &args, int timeoutMs)
{
    if (!waitUntil([&connection] { return connection.isConnected(); }, timeoutMs)) {
        return {};
    }
    auto reply = std::make_shared<std::optional<RedisReply>>();
    connection.command(args, [reply](const RedisReply &r) { *reply = r; });
    if (!waitUntil([&reply] { return reply->has_value(); }, timeoutMs)) {
        return {};
    }
    return **reply;
}

} // namespace Artemis::Test
