#pragma once

class QProcess;

namespace Artemis::Test {

// Children started through this die with the test process (PR_SET_PDEATHSIG), even if the test
// crashes. Call before QProcess::start().
void killWithParent(QProcess &process);

} // namespace Artemis::Test
