#pragma once

#include <QList>
#include <QObject>
#include <QStringList>

class QTcpServer;
class QTcpSocket;

namespace Artemis::Gui {

// A handful of tiny HTTP nodes on 127.0.0.1 (ports picked by the kernel) that answer every
// request with a plausible metrics JSON document, so `artemis --screenshot` can run a real
// demo hunt offline. A few misbehave on purpose (HTTP 503, not JSON) to show failures.
// Lives on the thread that created it; event-driven; the servers and sockets are its children.
class DemoNodes final : public QObject
{
    Q_OBJECT
public:
    explicit DemoNodes(QObject *parent = nullptr);

    // Starts `count` nodes; returns false if a port could not be opened.
    bool start(int count);
    QStringList nodes() const; // "127.0.0.1:PORT", in start order

    static QByteArray bodyFor(int index); // the JSON document node `index` serves

private:
    void answer(QTcpSocket *socket, int index);

    QList<QTcpServer *> m_servers;
};

} // namespace Artemis::Gui
