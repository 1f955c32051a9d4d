#pragma once

class QProcess;

namespace Artemis::Test {

// Children started through this die with the test process (PR_SET_PDEATHSIG), even if the test
// crashes. Call before QProcess::start().
void killWithParent(QProcess &process);
// The same, and RLIMIT_NOFILE (soft and hard) set to `openFiles` in the child.
void killWithParent(QProcess &process, int openFiles);

} // namespace Artemis::Test
