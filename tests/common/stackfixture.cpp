#include "tests/common/stackfixture.h"

#include <QDir>

#include "core/service/huntcatalog.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;

namespace Artemis::Test {

StackFixture::StackFixture() : m_dataDir(m_dir.path()) {}

StackFixture::~StackFixture()
{
    close();
}

Result<void> StackFixture::open(StackOptions options)
{
    close();
    if (!m_dir.isValid()) {
        return makeError(ErrorCode::Io, u"no temporary directory: %1"_s.arg(m_dir.errorString()));
    }
    m_dataDir = options.subdir.isEmpty() ? m_dir.path() : m_dir.filePath(options.subdir);
    LocalStackConfig config;
    config.dataDir = m_dataDir;
    config.command = options.command;
    config.lock = options.lock;
    config.threads = options.threads;
    config.engine = std::move(options.engine);
    config.scheduler = std::move(options.scheduler);
    config.executor = options.executor;
    Result<std::unique_ptr<LocalStack>> opened = LocalStack::open(std::move(config));
    if (!opened) {
        return opened.error();
    }
    m_stack = std::move(opened).value();
    return {};
}

void StackFixture::close()
{
    m_stack.reset();
}

ResultStore *StackFixture::store() const
{
    return m_stack ? m_stack->store() : nullptr;
}

HuntEngine *StackFixture::engine() const
{
    return m_stack ? m_stack->engine() : nullptr;
}

HuntCatalog *StackFixture::catalog() const
{
    return m_stack ? m_stack->catalog() : nullptr;
}

bool StackFixture::huntSettled(const QString &id) const
{
    // find() reads the stored manifest once the hunt has ended, which settles it.
    return m_stack && m_stack->catalog()->find(id) && m_stack->catalog()->isSettled(id);
}

Scheduler *StackFixture::scheduler() const
{
    return m_stack ? m_stack->scheduler() : nullptr;
}

} // namespace Artemis::Test
