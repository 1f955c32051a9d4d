#pragma once

#include <memory>
#include <optional>

#include <QString>
#include <QStringList>

#include "core/base/result.h"
#include "core/engine/huntengine.h"
#include "core/net/targetpolicy.h"
#include "core/watch/alertsink.h"
#include "core/watch/scheduler.h"

namespace Artemis {

class DataDirLock;
class Executor;
class HuntCatalog;
class LocalExecutor;
class ResultStore;

struct LocalStackConfig
{
    QString dataDir;
    // Names this process in the data dir's lock ("artemis-headless serve", "artemis").
    QString command;
    // Take the data dir's lock (core/base/datadirlock.h). Off only for tests that build two stacks
    // on purpose.
    bool lock = true;
    int threads = 2; // fetch threads of the local executor
    // Limits and the target policy. A null policy gets the service's default one (built-in
    // denials of link-local and metadata addresses), so that serve, hunt and the GUI refuse
    // the same targets.
    EngineConfig engine;
    std::optional<SchedulerConfig> scheduler = SchedulerConfig{}; // nullopt: no schedules
    // Where the schedules' alerts go besides each schedule's webhook (serve --alertmanager).
    AlertSinkConfig alerts;
    // Fetch elsewhere (distributed mode: the RedisExecutor); not owned, must outlive the
    // stack. Null: a LocalExecutor with `threads` threads and the policy.
    Executor *executor = nullptr;
};

// The local stack every face runs on, built one way: the data dir's lock, then the store
// (opened: hunts a dead process left running become interrupted), the executor, the engine,
// the hunt catalog and the scheduler (not yet loaded: call scheduler()->load() when the face is
// ready for rounds to start). serve, hunt, the GUI in local mode and the test fixtures use it.
//
// Lives on the thread that opened it (the main thread); owns everything but an external
// executor. Destruction stops the schedules, stores running hunts as interrupted and releases
// the lock, in that order.
class LocalStack
{
public:
    // Errors: Locked (another live process holds the data dir; the message names it), Io.
    static Result<std::unique_ptr<LocalStack>> open(LocalStackConfig config);
    ~LocalStack();
    LocalStack(const LocalStack &) = delete;
    LocalStack &operator=(const LocalStack &) = delete;

    ResultStore *store() const { return m_store.get(); }
    HuntEngine *engine() const { return m_engine.get(); }
    HuntCatalog *catalog() const { return m_catalog.get(); }
    Scheduler *scheduler() const { return m_scheduler.get(); } // null without schedules
    AlertSink *alertSink() const { return m_alertSink.get(); } // null without schedules
    DataDirLock *lock() const { return m_lock.get(); }         // null when not locked
    TargetPolicyPtr policy() const { return m_config.engine.policy; }
    const LocalStackConfig &config() const { return m_config; }
    // Hunts that open() found left running by a dead process and marked interrupted.
    const QStringList &interrupted() const { return m_interrupted; }

    // Stops the schedules and stores running and queued hunts as interrupted (SIGTERM).
    void shutdown();

private:
    explicit LocalStack(LocalStackConfig config);

    LocalStackConfig m_config;
    QStringList m_interrupted;
    std::unique_ptr<DataDirLock> m_lock;
    std::unique_ptr<ResultStore> m_store;
    std::unique_ptr<LocalExecutor> m_executor;
    std::unique_ptr<HuntEngine> m_engine;
    std::unique_ptr<HuntCatalog> m_catalog;
    std::unique_ptr<Scheduler> m_scheduler;
    std::unique_ptr<AlertSink> m_alertSink; // fed by m_scheduler's alertsEvaluated
};

} // namespace Artemis
