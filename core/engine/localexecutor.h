#pragma once

#include <memory>
#include <vector>

#include <QList>
#include <QThread>

#include "core/hunt/executor.h"
#include "core/net/targetpolicy.h"

namespace Artemis {

class Fetcher;

// Runs fetches in this process on `threads` fetch threads, each with its own Fetcher and
// QNetworkAccessManager. Targets are spread by host:port, so a per-host cap holds per thread.
// Lives on the engine's thread; owns the threads and stops them on destruction.
class LocalExecutor final : public Executor
{
    Q_OBJECT
public:
    explicit LocalExecutor(int threads, QObject *parent = nullptr);
    // `policy` (may be null): every fetch checks its resolved addresses against it before
    // connecting; a denied address ends the node as outcome `denied`.
    LocalExecutor(int threads, TargetPolicyPtr policy, QObject *parent = nullptr);
    ~LocalExecutor() override;

    int threadCount() const { return int(m_threads.size()); }

    void beginHunt(quint64 key, const FetchOptions &options) override;
    void submit(quint64 key, const QList<Target> &targets) override;
    void cancel(quint64 key) override;
    void endHunt(quint64 key) override;

private:
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<Fetcher *> m_fetchers; // each lives on its thread; deleted there on finish
};

} // namespace Artemis
