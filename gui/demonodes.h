#pragma once

#include <QList>
#include <QObject>
#include <QStringList>

class QTcpServer;
class QTcpSocket;

namespace Artemis::Gui {

// Tiny HTTP nodes on 127.0.0.1 (ports picked by the kernel; `artemis --screenshot` starts
// 2,000, one fd each) that answer every request with a plausible metrics JSON document, so a
// real demo hunt runs offline. Some misbehave on purpose to show what the views lead with: 47
// answer HTTP 503 and one HTML; two minority versions; four nearly full disks
// (disk.root.used_pct, 221 values otherwise: a distribution).
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
