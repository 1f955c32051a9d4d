#pragma once

#include <QString>

class QProcess;

namespace Artemis::Test {

// Children started through this die with the test process (PR_SET_PDEATHSIG), even if the test
// crashes. Call before QProcess::start().
void killWithParent(QProcess &process);
// The same, and RLIMIT_NOFILE (soft and hard) set to `openFiles` in the child.
void killWithParent(QProcess &process, int openFiles);

// The path of program `name` in PATH, else in /usr/bin or /usr/sbin (daemons such as
// redis-server and stunnel4 live there, and /usr/sbin is not in every PATH); empty if absent.
QString findProgram(const QString &name);

} // namespace Artemis::Test
