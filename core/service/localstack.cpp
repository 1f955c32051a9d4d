#include "core/service/localstack.h"

#include "core/base/datadirlock.h"
#include "core/engine/localexecutor.h"
#include "core/service/huntcatalog.h"
#include "core/store/resultstore.h"

namespace Artemis {

LocalStack::LocalStack(LocalStackConfig config) : m_config(std::move(config)) {}

LocalStack::~LocalStack()
{
    shutdown();
    m_alertSink.reset();
    m_scheduler.reset();
    m_catalog.reset();
    m_engine.reset();
    m_executor.reset();
    m_store.reset();
    m_lock.reset(); // last: nothing touches the data dir after this
}

Result<std::unique_ptr<LocalStack>> LocalStack::open(LocalStackConfig config)
{
    if (!config.engine.policy) {
        config.engine.policy = std::make_shared<const TargetPolicy>();
    }
    std::unique_ptr<LocalStack> stack(new LocalStack(std::move(config)));
    const LocalStackConfig &c = stack->m_config;
    if (c.lock) {
        Result<std::unique_ptr<DataDirLock>> lock = DataDirLock::acquire(c.dataDir, c.command);
        if (!lock) {
            return lock.error();
        }
        stack->m_lock = std::move(lock).value();
    }
    stack->m_store = std::make_unique<ResultStore>(c.dataDir);
    Result<QStringList> opened = stack->m_store->open();
    if (!opened) {
        return opened.error();
    }
    stack->m_interrupted = std::move(opened).value();
    Executor *executor = c.executor;
    if (!executor) {
        stack->m_executor = std::make_unique<LocalExecutor>(c.threads, c.engine.policy);
        executor = stack->m_executor.get();
    }
    stack->m_engine = std::make_unique<HuntEngine>(stack->m_store.get(), executor, c.engine);
    stack->m_catalog = std::make_unique<HuntCatalog>(stack->m_engine.get(), stack->m_store.get());
    if (c.scheduler) {
        stack->m_scheduler = std::make_unique<Scheduler>(stack->m_engine.get(), *c.scheduler);
        stack->m_alertSink =
            std::make_unique<AlertSink>(c.alerts, c.engine.policy, c.scheduler->resolver);
        QObject::connect(stack->m_scheduler.get(), &Scheduler::alertsEvaluated,
                         stack->m_alertSink.get(), &AlertSink::deliver);
    }
    return stack;
}

void LocalStack::shutdown()
{
    if (m_scheduler) {
        m_scheduler->stop();
    }
    if (m_engine) {
        m_engine->shutdown();
    }
}

} // namespace Artemis
