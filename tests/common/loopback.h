#pragma once

#include <QHostAddress>
#include <QString>
#include <QTcpServer>

namespace Artemis::Test {

// A loopback port nobody listens on (taken from the kernel, then closed): connecting to it is
// refused at once, without a server. Another process may take it later; tests use it at once.
inline quint16 closedLoopbackPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

// "127.0.0.1:PORT" of such a port: a node whose fetch is refused.
inline QString closedPortNode()
{
    return QStringLiteral("127.0.0.1:%1").arg(closedLoopbackPort());
}

// "http://127.0.0.1:PORT" of such a port: a service URL that refuses connections.
inline QString closedPortUrl()
{
    return QStringLiteral("http://127.0.0.1:%1").arg(closedLoopbackPort());
}

} // namespace Artemis::Test
