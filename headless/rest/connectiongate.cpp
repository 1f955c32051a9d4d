#include "headless/rest/connectiongate.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

#include <QDateTime>
#include <QSslSocket>
#include <QTcpSocket>

#include "core/base/logging.h"
#include "headless/rest/reply.h"
#include "headless/rest/requestguard.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

// A refusal: the error body, and the connection closes after it.
QByteArray refusal(int status, const QString &reason, const QByteArray &allowOrigin = {})
{
    Reply reply = Reply::error(status, reason);
    if (status == 401) {
        reply.addHeader("WWW-Authenticate", "Bearer");
    } else if (status == 503) {
        reply.addHeader("Retry-After", "1");
    }
    if (!allowOrigin.isEmpty()) {
        reply.addHeader("Access-Control-Allow-Origin", allowOrigin);
        reply.addHeader("Vary", "Origin");
    }
    reply.addHeader("Connection", "close");
    return serialize(reply);
}

// One connection handed to QtHttpServer: sees every byte before it does (its readyRead slot
// is connected first), refuses a request whose head breaks the limits or lacks the token before
// its body is read, holds the body budget and deadline of the body in progress, lets
// QtHttpServer take the next pipelined request only once the answer before it is written out
// (hold/release), and closes the connection when it idles or stalls. A child of the socket.
class ConnectionWatch final : public QObject
{
public:
    ConnectionWatch(QTcpSocket *socket, const ConnectionLimits &limits,
                    std::shared_ptr<BodyBudget> budget)
        : QObject(socket),
          m_socket(socket),
          m_scanner(limits.maxBodyBytes,
                    [this](const RequestScanner::Head &head) { return admit(head); }),
          m_token(limits.token),
          m_allowedOrigins(limits.allowedOrigins),
          m_budget(std::move(budget)),
          m_timeoutMs(int(std::min<qint64>(limits.idleTimeoutMs, INT_MAX))),
          m_bodyTimeoutMs(int(std::min<qint64>(limits.bodyTimeoutMs, INT_MAX)))
    {
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, &ConnectionWatch::onTimeout);
        // A deadline reported to the client: precise (a coarse timer may fire 5 % early).
        m_bodyDeadline.setSingleShot(true);
        m_bodyDeadline.setTimerType(Qt::PreciseTimer);
        connect(&m_bodyDeadline, &QTimer::timeout, this, &ConnectionWatch::onBodyDeadline);
        connect(socket, &QIODevice::readyRead, this, &ConnectionWatch::onReadyRead);
        connect(socket, &QIODevice::bytesWritten, this, &ConnectionWatch::onBytesWritten);
        m_timer.start(m_timeoutMs); // a connection that never sends anything
        if (socket->bytesAvailable() > 0) {
            // Bytes that came with the handshake: readyRead was emitted before anyone listened.
            QMetaObject::invokeMethod(socket, &QIODevice::readyRead, Qt::QueuedConnection);
        }
    }

    ~ConnectionWatch() override { releaseBody(); }

private:
    // A whole head, before any byte of its body is kept (QtHttpServer has not read it yet: our
    // slot runs first). A head also means the body before it, if any, is complete.
    std::optional<RequestScanner::Refusal> admit(const RequestScanner::Head &head)
    {
        releaseBody();
        // A CORS preflight carries no credentials (the browser sends them afterwards).
        const bool preflight = head.method == "OPTIONS" && head.bodyBytes == 0;
        if (!m_token.isEmpty() && !preflight && pathNeedsToken(head.path)
            && !bearerTokenMatches(head.authorization, m_token)) {
            // A page from an --allow-origin origin may read why (and ask for the token).
            if (m_allowedOrigins.contains(QString::fromLatin1(head.origin).toLower())) {
                m_refusalOrigin = head.origin;
            }
            return RequestScanner::Refusal{
                401, u"%1 needs 'Authorization: Bearer TOKEN' with the service's token"_s.arg(
                         head.path.left(100))};
        }
        if (head.bodyBytes > 0) {
            if (!m_budget->reserve(head.bodyBytes)) {
                qCDebug(lcRest, "refusing a body of %lld bytes: %lld of %lld in use",
                        head.bodyBytes, m_budget->used(), m_budget->limit());
                return RequestScanner::Refusal{
                    503, u"the service holds %1 bytes of request bodies, its budget "
                         "(--max-body-memory): retry later"_s.arg(m_budget->limit())};
            }
            m_reserved = head.bodyBytes;
            m_bodyDeadline.start(m_bodyTimeoutMs);
        }
        return std::nullopt;
    }

    void releaseBody()
    {
        m_budget->release(m_reserved);
        m_reserved = 0;
        m_bodyDeadline.stop();
    }

    void onBodyDeadline()
    {
        if (m_closing || !m_scanner.inBody()) {
            return;
        }
        qCDebug(lcRest, "closing a connection from %s: body incomplete after %d ms",
                qPrintable(m_socket->peerAddress().toString()), m_bodyTimeoutMs);
        refuse(408, u"the request body did not arrive within %1 ms of its head "
                    "(--body-timeout)"_s.arg(m_bodyTimeoutMs));
    }

    void onReadyRead()
    {
        if (m_closing) {
            discard(); // lingering after a refusal
            return;
        }
        if (m_holding) {
            // More of what the client pipelined, while an answer is written: scanned (limits and
            // the token apply at once) and kept hidden from QtHttpServer with the rest.
            scan(m_socket->read(m_socket->bytesAvailable()));
            return;
        }
        // QtHttpServer 6.4.2 takes one request per readyRead and leaves what follows in the
        // buffer (it emits readyRead again, queued): the first m_seen bytes were scanned before.
        const qint64 available = m_socket->bytesAvailable();
        const QByteArray bytes = m_socket->peek(available);
        if (!scan(bytes.sliced(std::min<qint64>(m_seen, bytes.size())))) {
            return;
        }
        if (m_answering && available > 0 && !m_socket->isTransactionStarted()) {
            hold();
            return;
        }
        if (m_waiting > 0) {
            --m_waiting; // QtHttpServer answers it in its slot, next
            ++m_handed;
            m_answering = true;
        }
        m_seen = available;
        // What QtHttpServer leaves in the buffer, once its slot has run (it runs after ours).
        QMetaObject::invokeMethod(
            this, [this] { m_seen = m_holding ? 0 : m_socket->bytesAvailable(); },
            Qt::QueuedConnection);
    }

    // Feeds the scanner; false when the connection was refused.
    bool scan(const QByteArray &bytes)
    {
        const bool wasIdle = m_scanner.idle();
        const int completedBefore = m_scanner.completed();
        const RequestScanner::Step step = m_scanner.feed(bytes);
        if (step.refusal) {
            refuse(step.refusal->status, step.refusal->reason, m_refusalOrigin);
            return false;
        }
        if (!m_scanner.inBody()) {
            releaseBody(); // the body is whole: it is QtHttpServer's now
        }
        if (step.expectsContinue && !m_awaitingResponse) {
            // QtHttpServer 6.4 never says it: curl would wait a second before each large body.
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        }
        if (m_scanner.completed() > completedBefore) {
            m_waiting += m_scanner.completed() - completedBefore;
            m_awaitingResponse = true; // the server works on it: not idle
        }
        if (m_scanner.inHead()) {
            if (wasIdle) {
                m_timer.start(m_timeoutMs); // the whole head must arrive within the timeout
            }
        } else if (m_scanner.inBody()) {
            m_timer.start(m_timeoutMs); // the body must keep coming
        } else if (m_awaitingResponse) {
            m_timer.stop();
        } else {
            m_timer.start(m_timeoutMs);
        }
        return true;
    }

    // One answer in flight: what the client sent after the request being answered stays in our
    // own transaction on the socket, which QtHttpServer's slot reads nothing past (it starts one
    // only when none is open), and the socket stops reading from the kernel beyond HoldBytes,
    // so a client that pipelines and never reads gets TCP back-pressure, not more answers.
    void hold()
    {
        m_holding = true;
        m_socket->startTransaction();
        m_socket->read(m_socket->bytesAvailable());
        m_socket->setReadBufferSize(HoldBytes);
    }

    void release()
    {
        m_holding = false;
        m_socket->rollbackTransaction();
        m_socket->setReadBufferSize(0);
        m_seen = m_socket->bytesAvailable(); // all scanned
        QMetaObject::invokeMethod(m_socket, &QIODevice::readyRead, Qt::QueuedConnection);
    }

    void onBytesWritten()
    {
        if (m_closing) {
            shutdownWhenFlushed();
            return;
        }
        m_awaitingResponse = false;
        if (!m_closing && (m_scanner.idle() || m_scanner.inBody())) {
            m_timer.start(m_timeoutMs);
        }
        if (m_answering && m_socket->bytesToWrite() == 0) {
            // Queued: a stream (ExportStream) writes its next chunk in a slot after this one.
            QMetaObject::invokeMethod(
                this,
                [this, handed = m_handed] {
                    if (m_answering && m_handed == handed && m_socket->bytesToWrite() == 0) {
                        m_answering = false;
                        if (m_holding) {
                            release();
                        }
                    }
                },
                Qt::QueuedConnection);
        }
    }

    void onTimeout()
    {
        if (m_closing) {
            m_socket->abort();
            return;
        }
        if (m_scanner.inHead() || m_scanner.inBody()) {
            qCDebug(lcRest, "closing a connection from %s: request incomplete after %d ms",
                    qPrintable(m_socket->peerAddress().toString()), m_timeoutMs);
            refuse(408,
                   u"the request did not arrive within %1 ms (--idle-timeout)"_s.arg(m_timeoutMs));
            return;
        }
        qCDebug(lcRest, "closing a connection from %s: idle for %d ms",
                qPrintable(m_socket->peerAddress().toString()), m_timeoutMs);
        m_closing = true;
        if (m_socket->bytesToWrite() > 0) {
            m_socket->abort(); // the client stopped reading what we sent
        } else {
            m_socket->disconnectFromHost();
        }
    }

    // Answers here and closes: QtHttpServer never sees the rest of this connection. The close
    // lingers: the write side is shut once the answer is out, and what the client still sends
    // is read and dropped for a while, so that its kernel does not discard our answer on a
    // reset (a client sending a large body would never see its 413).
    void refuse(int status, const QString &reason, const QByteArray &allowOrigin = {})
    {
        m_closing = true;
        releaseBody();
        // QtHttpServer's slot (context: the QHttpServer that parents our listening server).
        if (QObject *server = m_socket->parent(); server && server->parent()) {
            QObject::disconnect(m_socket, &QIODevice::readyRead, server->parent(), nullptr);
        }
        discard();
        m_socket->write(refusal(status, reason, allowOrigin));
        m_timer.start(LingerMs); // then the connection is cut
    }

    void discard()
    {
        m_socket->readAll();
        if (m_socket->isTransactionStarted()) {
            m_socket->commitTransaction(); // QtHttpServer's: its buffer would keep every byte
        }
    }

    void shutdownWhenFlushed()
    {
        if (m_shutDown || m_socket->bytesToWrite() > 0) {
            return;
        }
        if (auto *tls = qobject_cast<QSslSocket *>(m_socket); tls && tls->encryptedBytesToWrite()) {
            return;
        }
        m_shutDown = true;
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    }

    static constexpr int LingerMs = 2000;
    static constexpr qint64 HoldBytes = 64 * 1024;

    QTcpSocket *m_socket; // parent
    RequestScanner m_scanner;
    QByteArray m_token;
    QStringList m_allowedOrigins;
    QByteArray m_refusalOrigin; // the 401 goes to a page from an --allow-origin origin
    std::shared_ptr<BodyBudget> m_budget;
    qint64 m_reserved = 0; // of m_budget, for the body in progress
    QTimer m_timer;
    QTimer m_bodyDeadline;
    int m_timeoutMs;
    int m_bodyTimeoutMs;
    bool m_awaitingResponse = false;
    qint64 m_seen = 0;        // bytes at the head of the socket's buffer already scanned
    int m_waiting = 0;        // whole requests in the buffer that QtHttpServer has not taken
    qint64 m_handed = 0;      // requests QtHttpServer has taken
    bool m_answering = false; // the last one taken is not answered (written out) yet
    bool m_holding = false;   // our transaction hides the buffer from QtHttpServer
    bool m_closing = false;
    bool m_shutDown = false;
};

} // namespace

bool BodyBudget::reserve(qint64 bytes)
{
    if (bytes > m_limit - m_used) {
        return false;
    }
    m_used += bytes;
    return true;
}

ConnectionGate::ConnectionGate(QTcpServer *server, ConnectionLimits limits, bool tls)
    : m_server(server),
      m_limits(std::move(limits)),
      m_budget(std::make_shared<BodyBudget>(m_limits.maxBodyMemory)),
      m_tls(tls)
{
    m_resume.setSingleShot(true);
    m_resume.setInterval(200);
    QObject::connect(&m_resume, &QTimer::timeout, server, [this] { resumeAccepting(); });
}

void ConnectionGate::resumeAccepting()
{
    if (m_notifier) {
        m_notifier->setEnabled(true);
    }
}

ConnectionGate::~ConnectionGate() = default;

void ConnectionGate::startAccepting(Incoming incoming)
{
    m_incoming = std::move(incoming);
    m_server->pauseAccepting();
    m_notifier =
        std::make_unique<QSocketNotifier>(m_server->socketDescriptor(), QSocketNotifier::Read);
    QObject::connect(m_notifier.get(), &QSocketNotifier::activated, m_server,
                     [this] { acceptReady(); });
}

void ConnectionGate::acceptReady()
{
    // A bounded batch per wake-up, so that a flood of connections cannot starve the requests.
    for (int i = 0; i < 64; ++i) {
        const int descriptor =
            ::accept4(int(m_server->socketDescriptor()), nullptr, nullptr, SOCK_CLOEXEC);
        if (descriptor >= 0) {
            m_incoming(descriptor);
            continue;
        }
        const int error = errno;
        if (error == EINTR || error == ECONNABORTED) {
            continue;
        }
        if (error == EAGAIN || error == EWOULDBLOCK) {
            return;
        }
        // EMFILE, ENFILE, ENOBUFS, ENOMEM: the backlog waits while descriptors are short.
        m_notifier->setEnabled(false);
        m_resume.start();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (m_refusedLogged < 0 || now - m_refusedLogged > 10000) {
            m_refusedLogged = now;
            qCWarning(lcRest, "cannot accept a connection (%s, %d open): retrying every %d ms",
                      strerror(error), m_open, int(m_resume.interval()));
        }
        return;
    }
}

bool ConnectionGate::admit(qintptr descriptor)
{
    if (m_open < m_limits.maxConnections) {
        return true;
    }
    if (!m_tls) {
        static const QByteArray busy =
            refusal(503, u"the service has its %1 connections open (--max-connections)"_s.arg(
                             m_limits.maxConnections));
        // Best effort: the socket buffer of a fresh connection takes this whole.
        [[maybe_unused]] const ssize_t sent = ::send(
            int(descriptor), busy.constData(), size_t(busy.size()), MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    ::close(int(descriptor));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_refusedLogged < 0 || now - m_refusedLogged > 10000) {
        m_refusedLogged = now;
        qCWarning(lcRest, "refusing connections: %d open (--max-connections %d)", m_open,
                  m_limits.maxConnections);
    }
    return false;
}

void ConnectionGate::childEvent(QChildEvent *event)
{
    if (event->type() != QEvent::ChildAdded || !m_adopting) {
        return;
    }
    ++m_open;
    QObject::connect(event->child(), &QObject::destroyed, m_server, [this] { --m_open; });
}

void ConnectionGate::watch(QTcpSocket *socket)
{
    new ConnectionWatch(socket, m_limits, m_budget); // a child of the socket
}

} // namespace Artemis
