#include "tests/common/fakenode.h"

#include <algorithm>

#include <QHostAddress>
#include <QPointer>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <sys/socket.h>

using namespace Qt::StringLiterals;

namespace Artemis::Test {

namespace {

constexpr qsizetype MaxHeaderBytes = 64 * 1024;
constexpr qint64 HugeChunkBytes = 64 * 1024;
// Refill the socket's write buffer only below this, so a slow reader never makes us buffer
// the whole huge body.
constexpr qint64 HugeHighWater = 256 * 1024;
constexpr qint64 ResetDeclaredLength = 1000;
constexpr qint64 ResetSentBodyBytes = 300;
// Give the partial body time to reach the client before the RST, so the client sees "data,
// then reset" rather than only the reset.
constexpr int ResetDelayMs = 50;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK"_ba;
    case 204:
        return "No Content"_ba;
    case 301:
        return "Moved Permanently"_ba;
    case 302:
        return "Found"_ba;
    case 400:
        return "Bad Request"_ba;
    case 401:
        return "Unauthorized"_ba;
    case 403:
        return "Forbidden"_ba;
    case 404:
        return "Not Found"_ba;
    case 408:
        return "Request Timeout"_ba;
    case 429:
        return "Too Many Requests"_ba;
    case 431:
        return "Request Header Fields Too Large"_ba;
    case 500:
        return "Internal Server Error"_ba;
    case 501:
        return "Not Implemented"_ba;
    case 502:
        return "Bad Gateway"_ba;
    case 503:
        return "Service Unavailable"_ba;
    case 504:
        return "Gateway Timeout"_ba;
    default:
        return "Status"_ba;
    }
}

// Bytes [from, from + length) of the Huge body of `total` bytes: {"data":"aaa...a"}.
QByteArray hugeSlice(qint64 from, qint64 length, qint64 total)
{
    static const QByteArray prefix = R"({"data":")"_ba;
    static const QByteArray suffix = R"("})"_ba;
    QByteArray slice(length, 'a');
    if (total < prefix.size() + suffix.size()) {
        return slice;
    }
    for (qint64 i = from; i < std::min<qint64>(from + length, prefix.size()); ++i) {
        slice[i - from] = prefix.at(i);
    }
    const qint64 suffixStart = total - suffix.size();
    for (qint64 i = std::max(from, suffixStart); i < from + length; ++i) {
        slice[i - from] = suffix.at(i - suffixStart);
    }
    return slice;
}

bool hasToken(const QByteArray &headerValue, const QByteArray &token)
{
    const QList<QByteArray> parts = headerValue.split(',');
    return std::any_of(parts.cbegin(), parts.cend(), [&token](const QByteArray &part) {
        return part.trimmed().compare(token, Qt::CaseInsensitive) == 0;
    });
}

} // namespace

struct FakeNode::Connection
{
    QByteArray buffer; // received, not yet parsed
    bool busy = false; // answering (or refusing to answer) the current request
    bool closeAfterResponse = false;
    bool closing = false; // no further requests will be read
    qint64 hugeTotal = 0;
    qint64 hugeSent = 0;
    bool hugeChunked = false;
    bool streaming = false;
};

FakeNode::FakeNode(QObject *parent)
    : QObject(parent),
      m_server(new QTcpServer(this)),
      m_jsonBody(R"({"node":"fake","cpu":12.5,"mem":{"used":"80%","total":1024}})"_ba)
{
    connect(m_server, &QTcpServer::newConnection, this, &FakeNode::acceptConnections);
}

FakeNode::~FakeNode()
{
    // The sockets are children and die in ~QObject; cut them off from this half-destroyed
    // object first so that their disconnected() does not reach dropConnection().
    for (const auto &entry : m_connections) {
        entry.first->disconnect(this);
        entry.first->abort();
    }
    m_connections.clear();
    m_server->close();
}

bool FakeNode::start()
{
    if (m_server->isListening()) {
        return true;
    }
    return m_server->listen(QHostAddress(QHostAddress::LocalHost), 0);
}

bool FakeNode::start(const QHostAddress &address, quint16 port)
{
    if (m_server->isListening()) {
        return true;
    }
    Q_ASSERT(address.isLoopback());
    return m_server->listen(address, port);
}

quint16 FakeNode::port() const
{
    return m_server->serverPort();
}

QString FakeNode::node() const
{
    const QHostAddress address =
        m_server->isListening() ? m_server->serverAddress() : QHostAddress(QHostAddress::LocalHost);
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u'[' + address.toString() + u']'
                             : address.toString();
    return (m_tls ? u"https://"_s : QString()) + host + u':' + QString::number(port());
}

void FakeNode::setTlsConfiguration(const QSslConfiguration &configuration)
{
    Q_ASSERT(!m_server->isListening());
    delete m_server;
    auto *server = new QSslServer(this);
    server->setSslConfiguration(configuration);
    server->setHandshakeTimeout(5000);
    m_server = server;
    m_tls = true;
    // Sockets become pending only once their handshake is done.
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &FakeNode::acceptConnections);
}

void FakeNode::setBehaviour(Behaviour behaviour)
{
    m_behaviour = behaviour;
}

FakeNode::Behaviour FakeNode::behaviour() const
{
    return m_behaviour;
}

void FakeNode::setJsonBody(QByteArray body)
{
    m_jsonBody = std::move(body);
}

QByteArray FakeNode::jsonBody() const
{
    return m_jsonBody;
}

void FakeNode::setDelayMs(int ms)
{
    m_delayMs = std::max(0, ms);
}

void FakeNode::setTrickleIntervalMs(int ms)
{
    m_trickleIntervalMs = std::max(1, ms);
}

void FakeNode::setStatus(int status, QByteArray body, HeaderList extraHeaders)
{
    m_status = status;
    m_statusBody = std::move(body);
    m_statusHeaders = std::move(extraHeaders);
}

void FakeNode::setHugeBytes(qint64 bytes)
{
    m_hugeBytes = std::max<qint64>(0, bytes);
}

void FakeNode::setHugeWithoutContentLength(bool withoutContentLength)
{
    m_hugeWithoutContentLength = withoutContentLength;
}

void FakeNode::setFailuresBeforeSuccess(int n, int failStatus)
{
    m_failuresBeforeSuccess = std::max(0, n);
    m_failStatus = failStatus;
    m_failuresServed = 0;
}

int FakeNode::requestCount() const
{
    return static_cast<int>(m_requestPaths.size());
}

QList<QByteArray> FakeNode::requestPaths() const
{
    return m_requestPaths;
}

QList<QByteArray> FakeNode::requestMethods() const
{
    return m_requestMethods;
}

QList<QHash<QByteArray, QByteArray>> FakeNode::requestHeaders() const
{
    return m_requestHeaders;
}

void FakeNode::clearRequests()
{
    m_requestPaths.clear();
    m_requestMethods.clear();
    m_requestHeaders.clear();
}

int FakeNode::connectionCount() const
{
    return m_connectionCount;
}

int FakeNode::openConnectionCount() const
{
    return static_cast<int>(m_connections.size());
}

FakeNode::Connection *FakeNode::connection(QTcpSocket *socket) const
{
    const auto it = m_connections.find(socket);
    return it == m_connections.end() ? nullptr : it->second.get();
}

void FakeNode::acceptConnections()
{
    while (m_server->hasPendingConnections()) {
        QTcpSocket *socket = m_server->nextPendingConnection();
        socket->setParent(this);
        ++m_connectionCount;
        m_connections.emplace(socket, std::make_unique<Connection>());
        // Context is `this`, not the socket: ~QAbstractSocket emits disconnected(), and by
        // then a lambda must no longer be reachable through the socket's own context.
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::bytesWritten, this, [this, socket] { pumpHuge(socket); });
        connect(socket, &QTcpSocket::disconnected, this,
                [this, socket] { dropConnection(socket); });
        if (socket->state() != QAbstractSocket::ConnectedState) {
            dropConnection(socket);
        }
    }
}

void FakeNode::dropConnection(QTcpSocket *socket)
{
    m_connections.erase(socket);
    socket->deleteLater();
}

void FakeNode::onReadyRead(QTcpSocket *socket)
{
    Connection *c = connection(socket);
    if (!c) {
        return;
    }
    if (c->closing) {
        socket->readAll();
        return;
    }
    c->buffer += socket->readAll();
    if (m_behaviour == Behaviour::PlainTextReply) {
        // Not parsed as HTTP: a TLS handshake never ends in "\r\n\r\n".
        c->buffer.clear();
        m_requestMethods.append(QByteArray());
        m_requestPaths.append(QByteArray());
        m_requestHeaders.append(QHash<QByteArray, QByteArray>());
        c->closeAfterResponse = true;
        writeResponse(socket, 400, {}, {});
        return;
    }
    processBuffer(socket);
}

void FakeNode::scheduleProcessBuffer(QTcpSocket *socket)
{
    // Deferred so that a response finishing inside respond() never re-enters processBuffer().
    QTimer::singleShot(0, socket, [this, socket] { processBuffer(socket); });
}

void FakeNode::processBuffer(QTcpSocket *socket)
{
    // Answering may close the socket and drop its Connection synchronously, so look it up
    // again for every request.
    for (;;) {
        Connection *c = connection(socket);
        if (!c || c->busy || c->closing) {
            return;
        }
        // RFC 9112 2.2: ignore empty lines before a request line (robust clients send them).
        while (c->buffer.startsWith("\r\n") || c->buffer.startsWith('\n')) {
            c->buffer.remove(0, c->buffer.startsWith('\n') ? 1 : 2);
        }
        const qsizetype headerEnd = c->buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            if (c->buffer.size() > MaxHeaderBytes) {
                c->closeAfterResponse = true;
                writeResponse(socket, 431, {}, {});
            }
            return;
        }

        const QList<QByteArray> lines = c->buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
        if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")) {
            c->closeAfterResponse = true;
            writeResponse(socket, 400, {}, {});
            return;
        }
        QHash<QByteArray, QByteArray> headers;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray &line = lines.at(i);
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (headers.contains(name)) {
                headers[name] += ", "_ba + value;
            } else {
                headers.insert(name, value);
            }
        }
        if (headers.contains("transfer-encoding"_ba)) {
            c->closeAfterResponse = true; // chunked request bodies are not supported
            writeResponse(socket, 501, {}, {});
            return;
        }
        qint64 contentLength = 0;
        if (headers.contains("content-length"_ba)) {
            bool ok = false;
            contentLength = headers.value("content-length"_ba).toLongLong(&ok);
            if (!ok || contentLength < 0) {
                c->closeAfterResponse = true;
                writeResponse(socket, 400, {}, {});
                return;
            }
        }
        const qsizetype requestEnd = headerEnd + 4 + contentLength;
        if (c->buffer.size() < requestEnd) {
            return;
        }
        c->buffer.remove(0, requestEnd);

        const QByteArray connectionHeader = headers.value("connection"_ba);
        c->closeAfterResponse = requestLine.at(2) == "HTTP/1.0"
                                    ? !hasToken(connectionHeader, "keep-alive"_ba)
                                    : hasToken(connectionHeader, "close"_ba);
        const QByteArray path = requestLine.at(1);
        m_requestMethods.append(requestLine.at(0));
        m_requestPaths.append(path);
        m_requestHeaders.append(headers);

        const QPointer<FakeNode> self(this);
        Q_EMIT requestReceived(path);
        if (!self || !connection(socket)) {
            return;
        }
        respond(socket);
    }
}

void FakeNode::respond(QTcpSocket *socket)
{
    Connection *c = connection(socket);
    switch (m_behaviour) {
    case Behaviour::Json:
        writeJson(socket);
        return;
    case Behaviour::Slow:
        c->busy = true;
        QTimer::singleShot(m_delayMs, socket, [this, socket] {
            Connection *conn = connection(socket);
            if (!conn) {
                return;
            }
            conn->busy = false;
            writeJson(socket);
            scheduleProcessBuffer(socket);
        });
        return;
    case Behaviour::Hang:
        c->busy = true; // forever; later requests on this connection are read but never parsed
        return;
    case Behaviour::ResetMidBody:
        startReset(socket);
        return;
    case Behaviour::Status:
        writeResponse(socket, m_status, m_statusHeaders, m_statusBody);
        return;
    case Behaviour::Garbage:
        writeResponse(socket, 200, {{"Content-Type"_ba, "application/json"_ba}},
                      "<html>not json</html>"_ba);
        return;
    case Behaviour::Huge:
        startHuge(socket);
        return;
    case Behaviour::FlakyThenJson:
        if (m_failuresServed < m_failuresBeforeSuccess) {
            ++m_failuresServed;
            writeResponse(socket, m_failStatus, {{"Content-Type"_ba, "application/json"_ba}},
                          R"({"error":"flaky"})"_ba);
        } else {
            writeJson(socket);
        }
        return;
    case Behaviour::CloseImmediately:
        closeConnection(socket);
        return;
    case Behaviour::Trickle:
        startTrickle(socket);
        return;
    case Behaviour::PlainTextReply:
        return; // answered in onReadyRead(), before any parsing
    }
}

void FakeNode::writeJson(QTcpSocket *socket)
{
    writeResponse(socket, 200, {{"Content-Type"_ba, "application/json"_ba}}, m_jsonBody);
}

void FakeNode::writeResponse(QTcpSocket *socket, int status, const HeaderList &headers,
                             const QByteArray &body)
{
    const Connection *c = connection(socket);
    if (!c) {
        return;
    }
    QByteArray response = "HTTP/1.1 "_ba + QByteArray::number(status) + ' ' + reasonPhrase(status)
                          + "\r\nServer: artemis-fakenode\r\nContent-Length: "_ba
                          + QByteArray::number(body.size()) + "\r\nConnection: "_ba
                          + (c->closeAfterResponse ? "close"_ba : "keep-alive"_ba) + "\r\n"_ba;
    for (const auto &header : headers) {
        response += header.first + ": "_ba + header.second + "\r\n"_ba;
    }
    response += "\r\n"_ba + body;
    socket->write(response);
    finishResponse(socket);
}

void FakeNode::finishResponse(QTcpSocket *socket)
{
    const Connection *c = connection(socket);
    if (c && c->closeAfterResponse) {
        closeConnection(socket);
    }
}

void FakeNode::closeConnection(QTcpSocket *socket)
{
    if (Connection *c = connection(socket)) {
        c->closing = true;
        c->busy = true;
    }
    // Flushes what is queued, then sends FIN; may emit disconnected() synchronously.
    socket->disconnectFromHost();
}

void FakeNode::startReset(QTcpSocket *socket)
{
    Connection *c = connection(socket);
    c->busy = true;
    c->closing = true;
    const QByteArray head = "HTTP/1.1 200 OK\r\nServer: artemis-fakenode\r\n"
                            "Content-Type: application/json\r\nContent-Length: "_ba
                            + QByteArray::number(ResetDeclaredLength) + "\r\n\r\n"_ba;
    socket->write(head + hugeSlice(0, ResetSentBodyBytes, ResetDeclaredLength));
    socket->flush();
    QTimer::singleShot(ResetDelayMs, socket, [socket] {
        // SO_LINGER with a zero timeout turns close() into an RST instead of a FIN.
        const linger lingerOption{1, 0};
        ::setsockopt(static_cast<int>(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER,
                     &lingerOption, sizeof(lingerOption));
        socket->abort();
    });
}

void FakeNode::startTrickle(QTcpSocket *socket)
{
    Connection *c = connection(socket);
    c->busy = true; // forever
    socket->write("HTTP/1.1 200 OK\r\nServer: artemis-fakenode\r\n"
                  "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n["_ba);
    auto *timer = new QTimer(socket); // dies with the connection
    connect(timer, &QTimer::timeout, socket, [socket] { socket->write("1,"_ba); });
    timer->start(m_trickleIntervalMs);
}

void FakeNode::startHuge(QTcpSocket *socket)
{
    Connection *c = connection(socket);
    c->busy = true;
    c->streaming = true;
    c->hugeTotal = m_hugeBytes;
    c->hugeSent = 0;
    c->hugeChunked = m_hugeWithoutContentLength;
    QByteArray head = "HTTP/1.1 200 OK\r\nServer: artemis-fakenode\r\n"
                      "Content-Type: application/json\r\nConnection: "_ba
                      + (c->closeAfterResponse ? "close"_ba : "keep-alive"_ba) + "\r\n"_ba;
    if (c->hugeChunked) {
        head += "Transfer-Encoding: chunked\r\n"_ba;
    } else {
        head += "Content-Length: "_ba + QByteArray::number(c->hugeTotal) + "\r\n"_ba;
    }
    socket->write(head + "\r\n"_ba);
    pumpHuge(socket);
}

void FakeNode::pumpHuge(QTcpSocket *socket)
{
    Connection *c = connection(socket);
    if (!c || !c->streaming) {
        return;
    }
    while (socket->bytesToWrite() < HugeHighWater && c->hugeSent < c->hugeTotal) {
        const qint64 length = std::min(HugeChunkBytes, c->hugeTotal - c->hugeSent);
        const QByteArray data = hugeSlice(c->hugeSent, length, c->hugeTotal);
        if (c->hugeChunked) {
            socket->write(QByteArray::number(length, 16) + "\r\n"_ba + data + "\r\n"_ba);
        } else {
            socket->write(data);
        }
        c->hugeSent += length;
    }
    if (c->hugeSent < c->hugeTotal) {
        return; // continue on bytesWritten()
    }
    if (c->hugeChunked) {
        socket->write("0\r\n\r\n"_ba);
    }
    c->streaming = false;
    c->busy = false;
    if (c->closeAfterResponse) {
        closeConnection(socket);
        return;
    }
    scheduleProcessBuffer(socket);
}

} // namespace Artemis::Test
