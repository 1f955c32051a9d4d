#pragma once

#include <memory>
#include <optional>
#include <utility>

#include <QHostAddress>

#include <QObject>
#include <QStringList>
#include <QTextStream>

#include "core/base/result.h"
#include "core/broker/redisurl.h"
#include "core/broker/redisworker.h"

class QHttpServer;

namespace Artemis {

// What `worker` was asked to do, parsed and validated (no side effects).
struct WorkerSettings
{
    RedisUrl broker;
    RedisWorkerConfig worker;
    // --metrics-listen ADDR:PORT: serve GET /metrics there (port 0: any free one). Unset: off.
    std::optional<std::pair<QHostAddress, quint16>> metricsListen;
    // Secret files group or others can read (--strict-permissions makes them errors).
    QStringList permissionWarnings;

    // `arguments` as after the sub-command ({"artemis-headless worker", "--broker", ...}), and
    // with --config FILE that file's common part and [worker] section (flags win).
    static Result<WorkerSettings> parse(const QStringList &arguments);
    static QString helpText();
};

// `artemis-headless worker --broker redis://...`: runs a RedisWorker until interrupt()
// (SIGINT/SIGTERM), which finishes the jobs in hand (within --drain-ms) and then reports
// finished(0). Usage errors and a broker refusing us at start (authentication, database) report
// finished(2). Lives on the main thread; owns the worker.
class WorkerCommand final : public QObject
{
    Q_OBJECT
public:
    // `out`/`err` are not owned and must outlive the command.
    WorkerCommand(QTextStream &out, QTextStream &err, QObject *parent = nullptr);
    ~WorkerCommand() override;

    void start(const QStringList &arguments);
    void interrupt();

Q_SIGNALS:
    void finished(int exitCode);

private:
    void finish(int exitCode);

    QTextStream &m_out;
    QTextStream &m_err;
    std::unique_ptr<RedisWorker> m_worker;
    std::unique_ptr<QHttpServer> m_metrics;
};

} // namespace Artemis
