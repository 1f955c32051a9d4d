#include "core/engine/localexecutor.h"

#include <sys/resource.h>

#include "core/fetch/fetcher.h"

namespace Artemis {

namespace {
// Connections kept between scheduled rounds, over all fetch threads: one file descriptor each
// and QNAM's memory per connection (measured in bench/reuse-bench.sh; see docs/architecture.md).
// The descriptors come out of the soft RLIMIT_NOFILE (serve raises it to the hard limit): a
// quarter of it stays for the hunts' own connections, the store and REST clients (1024 -> 512
// kept, 20000 -> 14744).
constexpr long MaxKeptConnections = 16384;

int keptConnectionBudget()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return 0;
    }
    if (limit.rlim_cur == RLIM_INFINITY) {
        return int(MaxKeptConnections);
    }
    const long soft = long(limit.rlim_cur);
    return int(std::clamp<long>(soft * 3 / 4 - 256, 0, MaxKeptConnections));
}
} // namespace

LocalExecutor::LocalExecutor(int threads, QObject *parent)
    : LocalExecutor(threads, TargetPolicyPtr(), parent)
{
}

LocalExecutor::LocalExecutor(int threads, TargetPolicyPtr policy, QObject *parent)
    : Executor(parent)
{
    qRegisterMetaType<QList<Artemis::Outcome>>();
    threads = std::clamp(threads, 1, 64);
    const int keptPerThread = keptConnectionBudget() / threads;
    for (int i = 0; i < threads; ++i) {
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("fetch-%1").arg(i));
        // Owned by its thread: deleted there when the thread finishes.
        auto *fetcher = new Fetcher;
        fetcher->setTargetPolicy(policy);
        fetcher->setKeptConnectionLimit(keptPerThread);
        fetcher->moveToThread(thread.get());
        connect(thread.get(), &QThread::finished, fetcher, &QObject::deleteLater);
        connect(fetcher, &Fetcher::outcomesReady, this, &Executor::outcomesReady,
                Qt::QueuedConnection);
        connect(fetcher, &Fetcher::retryStateChanged, this, &Executor::retryStateChanged,
                Qt::QueuedConnection);
        thread->start();
        m_fetchers.push_back(fetcher);
        m_threads.push_back(std::move(thread));
    }
}

LocalExecutor::~LocalExecutor()
{
    for (const auto &thread : m_threads) {
        thread->quit();
    }
    for (const auto &thread : m_threads) {
        thread->wait();
    }
}

void LocalExecutor::beginHunt(quint64 key, const FetchOptions &options)
{
    // Each thread gets its share of the hunt's concurrency; the HuntRun enforces the total.
    for (Fetcher *fetcher : m_fetchers) {
        QMetaObject::invokeMethod(
            fetcher, [fetcher, key, options] { fetcher->beginHunt(key, options); },
            Qt::QueuedConnection);
    }
}

void LocalExecutor::submit(quint64 key, const QList<Target> &targets)
{
    const size_t n = m_fetchers.size();
    if (n == 1) {
        Fetcher *fetcher = m_fetchers.front();
        QMetaObject::invokeMethod(
            fetcher, [fetcher, key, targets] { fetcher->fetch(key, targets); },
            Qt::QueuedConnection);
        return;
    }
    // Same host:port -> same thread, so the per-host cap is exact.
    std::vector<QList<Target>> parts(n);
    for (const Target &target : targets) {
        parts[qHash(target.hostPort()) % n].append(target);
    }
    for (size_t i = 0; i < n; ++i) {
        if (parts[i].isEmpty()) {
            continue;
        }
        Fetcher *fetcher = m_fetchers[i];
        QMetaObject::invokeMethod(
            fetcher, [fetcher, key, part = std::move(parts[i])] { fetcher->fetch(key, part); },
            Qt::QueuedConnection);
    }
}

void LocalExecutor::cancel(quint64 key)
{
    for (Fetcher *fetcher : m_fetchers) {
        QMetaObject::invokeMethod(
            fetcher, [fetcher, key] { fetcher->cancel(key); }, Qt::QueuedConnection);
    }
}

void LocalExecutor::endHunt(quint64 key)
{
    for (Fetcher *fetcher : m_fetchers) {
        QMetaObject::invokeMethod(
            fetcher, [fetcher, key] { fetcher->endHunt(key); }, Qt::QueuedConnection);
    }
}

} // namespace Artemis
