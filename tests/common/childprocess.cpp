#include "tests/common/childprocess.h"

#include <csignal>
#include <sys/prctl.h>

#include <QProcess>

namespace Artemis::Test {

void killWithParent(QProcess &process)
{
    process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
}

} // namespace Artemis::Test
