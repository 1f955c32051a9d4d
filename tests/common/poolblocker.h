#pragma once

#include <QSemaphore>
#include <QThreadPool>

namespace Artemis::Test {

// Holds every thread of the global pool, where HuntRun writes results and manifests: while it
// is held, a hunt the engine has finished cannot get its last writes onto the disk (the state
// HuntCatalog presents as `running`). Released on destruction or release().
class PoolBlocker
{
public:
    PoolBlocker()
    {
        QThreadPool *pool = QThreadPool::globalInstance();
        m_threads = pool->maxThreadCount();
        for (int i = 0; i < m_threads; ++i) {
            pool->start([this] {
                m_started.release();
                m_gate.acquire();
            });
        }
        m_started.acquire(m_threads); // every thread is held now
    }
    ~PoolBlocker() { release(); }
    PoolBlocker(const PoolBlocker &) = delete;
    PoolBlocker &operator=(const PoolBlocker &) = delete;

    void release()
    {
        m_gate.release(m_threads - m_released);
        m_released = m_threads;
    }

private:
    int m_threads = 0;
    int m_released = 0;
    QSemaphore m_started;
    QSemaphore m_gate;
};

} // namespace Artemis::Test
