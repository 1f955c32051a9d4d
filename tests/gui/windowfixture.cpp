#include "tests/gui/windowfixture.h"

#include <QHostAddress>

#include "headless/rest/restserver.h"

using namespace Qt::StringLiterals;

namespace Artemis::Test {

WindowFixture::WindowFixture() = default;

WindowFixture::~WindowFixture()
{
    close();
}

Result<void> WindowFixture::open(const StackOptions &options, QSize size, int pollMs)
{
    close();
    stack = std::make_unique<StackFixture>();
    if (Result<void> opened = stack->open(options); !opened) {
        return opened;
    }
    local = std::make_unique<Gui::LocalBackend>(stack->stack());
    remote = std::make_unique<Gui::RemoteBackend>();
    if (pollMs > 0) {
        remote->setPollIntervalMs(pollMs);
    }
    settings =
        std::make_unique<QSettings>(stack->filePath(u"settings.ini"_s), QSettings::IniFormat);
    window = std::make_unique<Gui::MainWindow>(local.get(), remote.get(), settings.get());
    if (size.isValid()) {
        window->resize(size);
    }
    window->show();
    return {};
}

void WindowFixture::close()
{
    window.reset();
    server.reset();
    if (stack && stack->isOpen()) {
        stack->stack()->shutdown();
    }
    remote.reset();
    local.reset();
    if (stack) {
        stack->close();
    }
    settings.reset();
    stack.reset();
}

QString WindowFixture::serve()
{
    server = std::make_unique<RestServer>(stack->stack(), RestServerConfig{});
    const quint16 port = server->listen(QHostAddress::LocalHost, 0);
    return port == 0 ? QString() : u"http://127.0.0.1:%1"_s.arg(port);
}

} // namespace Artemis::Test
