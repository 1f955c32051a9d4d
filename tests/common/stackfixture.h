#pragma once

#include <memory>
#include <optional>

#include <QString>
#include <QTemporaryDir>

#include "core/base/result.h"
#include "core/engine/huntengine.h"
#include "core/service/localstack.h"
#include "core/watch/scheduler.h"

namespace Artemis {
class Executor;
class HuntCatalog;
class ResultStore;
} // namespace Artemis

namespace Artemis::Test {

// What to build the stack with; the defaults are LocalStackConfig's, except that the data dir
// is the fixture's and the lock is named "artemis-test".
struct StackOptions
{
    int threads = 2;
    EngineConfig engine;                                          // null policy: the default
    std::optional<SchedulerConfig> scheduler = SchedulerConfig{}; // nullopt: no schedules
    Executor *executor = nullptr; // external (not owned); null: a LocalExecutor
    bool lock = true;
    QString subdir; // the data dir below the temporary dir; empty: the temporary dir itself
    QString command = QStringLiteral("artemis-test");
};

// The one way tests build the local stack (core/service/localstack.h: lock, store, executor,
// engine, catalog, scheduler), exactly as serve, hunt and the GUI do, in a temporary directory that
// the fixture owns. close() and open() again "restart the process" on the same data dir.
//
// Lives on the test's thread. Destroys the stack before the directory.
class StackFixture
{
public:
    StackFixture();
    ~StackFixture();
    StackFixture(const StackFixture &) = delete;
    StackFixture &operator=(const StackFixture &) = delete;

    // Opens the stack (closing an open one first). Use: QVERIFY2_OK(fixture.open(options)).
    Result<void> open(StackOptions options = {});
    // As the process ending: schedules stop, running hunts become interrupted, lock released.
    void close();
    bool isOpen() const { return bool(m_stack); }

    LocalStack *stack() const { return m_stack.get(); }
    ResultStore *store() const;
    HuntEngine *engine() const;
    HuntCatalog *catalog() const;
    Scheduler *scheduler() const;

    // True once hunt `id` has ended and its final manifest is stored (the catalog serves the
    // stored, settled answer). For QTRY_VERIFY: a huntFinished spy would also catch another
    // hunt's end, such as an earlier test's cancelled one.
    bool huntSettled(const QString &id) const;

    QString dataDir() const { return m_dataDir; }
    // A path inside the temporary dir (next to the data dir when subdir is set).
    QString filePath(const QString &name) const { return m_dir.filePath(name); }

private:
    QTemporaryDir m_dir;
    QString m_dataDir;
    std::unique_ptr<LocalStack> m_stack;
};

// For QVERIFY2: an error's message, or nothing for a value.
template <typename T> QByteArray errorText(const Result<T> &result)
{
    return result ? QByteArray() : result.error().message.toUtf8();
}

} // namespace Artemis::Test

// Verifies that a Result holds a value, printing the error's message when it does not.
#define QVERIFY2_OK(expr) \
    do { \
        const auto &artemisResult_ = (expr); \
        QVERIFY2(bool(artemisResult_), ::Artemis::Test::errorText(artemisResult_).constData()); \
    } while (false)
