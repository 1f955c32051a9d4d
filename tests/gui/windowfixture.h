#pragma once

#include <memory>

#include <QSettings>
#include <QSize>

#include "core/base/result.h"
#include "gui/localbackend.h"
#include "gui/mainwindow.h"
#include "gui/remotebackend.h"
#include "tests/common/stackfixture.h"

namespace Artemis {
class RestServer;
}

namespace Artemis::Test {

// The GUI tests' one set-up: a stack (StackFixture) with a MainWindow over its LocalBackend and
// a RemoteBackend, settings in the stack's temporary dir, and on demand the same stack served
// over REST on loopback for the remote mode. open() in init(), close() in cleanup().
struct WindowFixture
{
    WindowFixture();
    ~WindowFixture();
    WindowFixture(const WindowFixture &) = delete;
    WindowFixture &operator=(const WindowFixture &) = delete;

    // `pollMs` > 0 sets the remote backend's poll interval; `size` valid resizes the window.
    Result<void> open(const StackOptions &options, QSize size = {}, int pollMs = 100);
    // In the order that is safe: the window, the server, the stack's schedules and hunts, the
    // backends, the stack, the settings.
    void close();
    // RestServer for the stack on 127.0.0.1 (the one `server`); its URL, or "" if it did not
    // listen.
    QString serve();

    std::unique_ptr<StackFixture> stack;
    std::unique_ptr<Gui::LocalBackend> local;
    std::unique_ptr<Gui::RemoteBackend> remote;
    std::unique_ptr<RestServer> server;
    std::unique_ptr<QSettings> settings;
    std::unique_ptr<Gui::MainWindow> window;
};

} // namespace Artemis::Test
