#include "tests/common/childprocess.h"

#include <csignal>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <QProcess>
#include <QStandardPaths>

namespace Artemis::Test {

void killWithParent(QProcess &process)
{
    process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
}

void killWithParent(QProcess &process, int openFiles)
{
    process.setChildProcessModifier([openFiles] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        const rlimit limit{rlim_t(openFiles), rlim_t(openFiles)};
        ::setrlimit(RLIMIT_NOFILE, &limit);
    });
}

QString findProgram(const QString &name)
{
    const QString path = QStandardPaths::findExecutable(name);
    return path.isEmpty() ? QStandardPaths::findExecutable(
               name, {QStringLiteral("/usr/bin"), QStringLiteral("/usr/sbin")})
                          : path;
}

} // namespace Artemis::Test
