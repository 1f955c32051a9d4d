#include "headless/cli/servicenotify.h"

#include <systemd/sd-daemon.h>

namespace Artemis {

void notifyServiceManager(const QByteArray &state)
{
    // unset_environment 0: the variable stays for later calls (STOPPING after READY).
    sd_notify(0, state.constData());
}

} // namespace Artemis
