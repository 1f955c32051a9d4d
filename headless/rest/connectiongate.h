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
    static constexpr qint64 MaxHeadBytes = 64 * 1024; // request line + headers
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

// Follows the requests on one connection from the bytes the client sends, so that one can be
// refused as soon as its head is complete: a Content-Length over the limit (413), an unusable
// Content-Length (400), a body without Content-Length (411: chunked bodies are not taken), a
// head over MaxHeadBytes (431), or whatever the admission function refuses (token, budget).
// Bytes that are not HTTP are left to QtHttpServer (it closes such connections). After a
// refusal the scanner is done: the connection closes. Pure; not thread-safe.
class RequestScanner
{
public:
    struct Refusal
    {
        int status = 400;
        QString reason;
    };
    struct Step
    {
        std::optional<Refusal> refusal;
        bool expectsContinue = false; // a head with `Expect: 100-continue` was accepted
    };

    // What a whole head says, for the admission function.
    struct Head
    {
        QByteArray method;        // "POST"
        QString path;             // percent-decoded, as QHttpServerRequest::url().path()
        QByteArray authorization; // the Authorization header
        QByteArray origin;        // the Origin header
        qint64 bodyBytes = 0;     // declared Content-Length (0: none)
    };
    // Called for every head that passed the scanner's own checks, in order, before any byte of
    // its body is taken; a refusal ends the connection as the scanner's own do.
    using Admission = std::function<std::optional<Refusal>(const Head &)>;

    explicit RequestScanner(qint64 maxBodyBytes, Admission admission = {})
        : m_maxBody(maxBodyBytes), m_admission(std::move(admission))
    {
    }

    // The next bytes the client sent, in order.
    Step feed(QByteArrayView bytes);

    bool inHead() const { return m_state == State::Head && !m_head.isEmpty(); }
    bool inBody() const { return m_state == State::Body; }
    bool idle() const { return m_state == State::Head && m_head.isEmpty(); }
    bool done() const { return m_state == State::Done; }
    int completed() const { return m_completed; } // requests whose body fully arrived

private:
    enum class State { Head, Body, Done };
    Step endOfHead(); // m_head holds a whole head

    qint64 m_maxBody;
    Admission m_admission;
    State m_state = State::Head;
    QByteArray m_head;
    qint64 m_bodyLeft = 0;
    int m_completed = 0;
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
