#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QChildEvent>
#include <QSocketNotifier>
#include <QSslServer>
#include <QString>
#include <QStringList>
#include <QTcpServer>
#include <QTimer>

#include "headless/rest/requestscanner.h"

class QTcpSocket;

namespace Artemis {

// What the service admits before any request reaches QtHttpServer (which, in 6.4, reads a
// whole body before a handler could look at its size, and has no connection cap or timeout).
struct ConnectionLimits
{
    qint64 maxBodyBytes = 10 * 1024 * 1024; // a larger declared Content-Length: 413, body unread
    int maxConnections = 1024;              // open at once; the next one is refused at accept
    qint64 idleTimeoutMs = 30000;           // idle or stalled connections are closed after
    qint64 bodyTimeoutMs = 10000; // a body must be whole this long after its head ends (408)
    qint64 maxBodyMemory = 64 * 1024 * 1024; // declared bodies in progress, all connections (503)
    QByteArray token; // non-empty: pathNeedsToken() paths need it when their head is complete (401)
    QStringList allowedOrigins; // --allow-origin: a 401 to a page there says so (CORS)
    static constexpr qint64 MaxHeadBytes = RequestScanner::MaxHeadBytes;
};

// The bytes of request bodies that may be in memory at once, over all connections of a server:
// a head's declared Content-Length is reserved when it is admitted and released when its body is
// complete or its connection ends. Lives on the server's thread; shared by its connections.
class BodyBudget
{
public:
    explicit BodyBudget(qint64 limit) : m_limit(limit) {}
    bool reserve(qint64 bytes); // false: over the limit, nothing reserved
    void release(qint64 bytes) { m_used -= bytes; }
    qint64 used() const { return m_used; }
    qint64 limit() const { return m_limit; }

private:
    qint64 m_limit;
    qint64 m_used = 0;
};

// The admission rules of one listening server (GatedServer below): accepts connections itself,
// counts those open, refuses one over the cap at accept (plain HTTP gets a 503 first), and
// watches each connection handed to QtHttpServer (RequestScanner with the token check and the
// shared BodyBudget, idle timer, body deadline, one answer in flight).
// Accepting is ours because Qt 6.4 cannot recover from EMFILE: its socket engine keeps only the
// first error it ever sets, so once an accept() has said EAGAIN (any quiet moment), a later
// EMFILE reads as "temporary", Qt neither pauses nor reports it, and its read notifier spins on
// the listening socket at full CPU for as long as descriptors are short. Here accept() errors
// pause the listening socket's notifier and retry after 200 ms; the backlog holds the waiting
// connections meanwhile. Lives on the server's thread.
class ConnectionGate
{
public:
    using Incoming = std::function<void(qintptr)>; // the server's incomingConnection()
    ConnectionGate(QTcpServer *server, ConnectionLimits limits, bool tls);
    ~ConnectionGate();

    void startAccepting(Incoming incoming); // after listen(): Qt's own accepting is paused
    bool admit(qintptr descriptor);         // false: refused, the descriptor is closed
    void childEvent(QChildEvent *event);    // counts the socket objects made for admitted ones
    void setAdopting(bool adopting) { m_adopting = adopting; }
    void watch(QTcpSocket *socket); // it goes to QtHttpServer now
    int openConnections() const { return m_open; }

private:
    void acceptReady();
    void resumeAccepting();

    QTcpServer *m_server; // owner of this gate
    Incoming m_incoming;
    std::unique_ptr<QSocketNotifier> m_notifier; // on the listening socket
    ConnectionLimits m_limits;
    std::shared_ptr<BodyBudget> m_budget; // shared with the connections, which may outlive us
    bool m_tls;
    bool m_adopting = false;
    int m_open = 0;
    qint64 m_refusedLogged = -1; // msecs since epoch of the last "refused" log line
    QTimer m_resume;             // accepting again after an accept() error
};

// A QTcpServer (or QSslServer) with a ConnectionGate, for QAbstractHttpServer::bind().
template <class Base> class GatedServer final : public Base
{
public:
    GatedServer(ConnectionLimits limits, QObject *parent = nullptr)
        : Base(parent), m_gate(this, limits, std::is_same_v<Base, QSslServer>)
    {
    }

    // QTcpServer::listen(), then accepting through the gate.
    bool listenGated(const QHostAddress &address, quint16 port)
    {
        if (!Base::listen(address, port)) {
            return false;
        }
        m_gate.startAccepting([this](qintptr descriptor) { incomingConnection(descriptor); });
        return true;
    }

    QTcpSocket *nextPendingConnection() override
    {
        QTcpSocket *socket = Base::nextPendingConnection();
        Base::pauseAccepting(); // Qt's nextPendingConnection() turns its own accepting back on
        if (socket) {
            m_gate.watch(socket);
        }
        return socket;
    }
    int openConnections() const { return m_gate.openConnections(); }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        if (m_gate.admit(descriptor)) {
            m_gate.setAdopting(true);
            Base::incomingConnection(descriptor);
            m_gate.setAdopting(false);
        }
    }
    void childEvent(QChildEvent *event) override
    {
        m_gate.childEvent(event);
        Base::childEvent(event);
    }

private:
    ConnectionGate m_gate;
};

} // namespace Artemis
