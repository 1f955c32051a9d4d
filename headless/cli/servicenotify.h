#pragma once

#include <QByteArray>

namespace Artemis {

// Tells the service manager how the service stands (sd_notify(3) of libsystemd): "READY=1" once
// `serve` answers (a Type=notify unit counts as started only then), "STOPPING=1" when shutdown
// begins, "STATUS=..." for `systemctl status`; several separated by '\n'. A no-op when
// NOTIFY_SOCKET is not set (not started by systemd). Any thread.
void notifyServiceManager(const QByteArray &state);

} // namespace Artemis
