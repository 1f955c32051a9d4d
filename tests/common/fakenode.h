#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>

#include <memory>
#include <unordered_map>

class QHostAddress;
class QSslConfiguration;
class QTcpServer;
class QTcpSocket;

namespace Artemis::Test {

// An in-process fake HTTP/1.1 node for network tests. It listens on 127.0.0.1 (or on another
// loopback address a test names) on a port the kernel picks, and answers every request according
// to the current Behaviour: good JSON, slowly, never, with a reset, with a status, with garbage,
// with a huge body, flaky, by closing the connection, trickling a body forever, or with plain
// HTTP where TLS was expected.
//
// Thread: lives on the thread that created it and is purely event-driven (no sleeps, no
// blocking waits), so the client under test may run on the same thread.
// Ownership: the listening server and every accepted socket are children of the FakeNode;
// destroying it closes all connections.
//
// Settings apply to requests parsed after the change; a request already being answered keeps
// the behaviour it started with. Connections are kept alive (several requests per connection,
// answered in order) unless the client sends `Connection: close` or speaks HTTP/1.0 without
// `Connection: keep-alive`.
class FakeNode final : public QObject
{
    Q_OBJECT
public:
    enum class Behaviour {
        Json,             // 200, Content-Type application/json, jsonBody()
        Slow,             // Json after delayMs() (timer-driven)
        Hang,             // read the request, never answer, keep the socket open
        ResetMidBody,     // headers with Content-Length 1000, part of the body, then a TCP RST
        Status,           // status(), its body and extra headers
        Garbage,          // 200, Content-Type application/json, body "<html>not json</html>"
        Huge,             // hugeBytes() of JSON-ish body, streamed in chunks
        FlakyThenJson,    // the first n requests get failStatus, later ones Json
        CloseImmediately, // close the connection once the request is read, no response
        Trickle,          // 200 headers (Content-Length 100000) and "[" at once, then "1," every
                          // trickleIntervalMs(), forever: only a whole-attempt deadline stops it
        PlainTextReply,   // whatever arrives first (a TLS ClientHello, too) gets a plain-text
                          // "HTTP/1.1 400" and a close: a TLS client sees no handshake
    };
    Q_ENUM(Behaviour)

    using HeaderList = QList<QPair<QByteArray, QByteArray>>;

    explicit FakeNode(QObject *parent = nullptr);
    ~FakeNode() override;

    // Listens on 127.0.0.1:0. Returns false on failure. Calling it again while listening is a
    // no-op that returns true.
    bool start();
    // Listens on `address` (a loopback address: 127.0.0.2 works on Linux) and `port` (0: the
    // kernel picks), e.g. a second node on the port of the first, for tests that pin a name to
    // one address or another. Same rules as start().
    bool start(const QHostAddress &address, quint16 port = 0);
    quint16 port() const;
    // "127.0.0.1:PORT" ("https://127.0.0.1:PORT" when serving TLS; its own address when started
    // on another).
    QString node() const;

    // Serve HTTPS instead of HTTP, with this configuration (certificate and private key).
    // Call before start(). A client that rejects the certificate never reaches a request.
    void setTlsConfiguration(const QSslConfiguration &configuration);

    void setBehaviour(Behaviour behaviour);
    Behaviour behaviour() const;

    // Default: {"node":"fake","cpu":12.5,"mem":{"used":"80%","total":1024}}
    void setJsonBody(QByteArray body);
    QByteArray jsonBody() const;

    void setDelayMs(int ms);           // Slow; default 500
    void setTrickleIntervalMs(int ms); // Trickle; default 100

    // Status: e.g. setStatus(429, {}, {{"Retry-After", "1"}}). Content-Length is always set.
    void setStatus(int status, QByteArray body = {}, HeaderList extraHeaders = {});

    // Huge: the body is `{"data":"aaa...a"}` (only 'a's below 11 bytes), exactly `bytes` long,
    // generated chunk by chunk and never held in memory at once. Sent with Content-Length, or
    // with `Transfer-Encoding: chunked` after setHugeWithoutContentLength(true).
    void setHugeBytes(qint64 bytes); // default 4 MiB
    void setHugeWithoutContentLength(bool withoutContentLength);

    // FlakyThenJson: the next n requests (counted over all connections) get failStatus with
    // body {"error":"flaky"}; after that, Json. Calling it restarts the count.
    void setFailuresBeforeSuccess(int n, int failStatus = 503);

    // What the node saw. A request counts once its headers and its Content-Length body are in.
    int requestCount() const;
    QList<QByteArray> requestPaths() const; // request targets in order, e.g. "/metric?x=1"
    QList<QByteArray> requestMethods() const;
    QList<QHash<QByteArray, QByteArray>> requestHeaders() const; // names lower-cased
    void clearRequests();

    int connectionCount() const;     // connections accepted since start()
    int openConnectionCount() const; // connections currently open

Q_SIGNALS:
    // Emitted when a request has been parsed, before it is answered. Don't delete the FakeNode
    // from a slot connected to it.
    void requestReceived(const QByteArray &path);

private:
    struct Connection;

    void acceptConnections();
    void onReadyRead(QTcpSocket *socket);
    void dropConnection(QTcpSocket *socket);
    void processBuffer(QTcpSocket *socket);
    void scheduleProcessBuffer(QTcpSocket *socket);
    void respond(QTcpSocket *socket);
    void writeResponse(QTcpSocket *socket, int status, const HeaderList &headers,
                       const QByteArray &body);
    void writeJson(QTcpSocket *socket);
    void startReset(QTcpSocket *socket);
    void startHuge(QTcpSocket *socket);
    void startTrickle(QTcpSocket *socket);
    void pumpHuge(QTcpSocket *socket);
    void finishResponse(QTcpSocket *socket);
    void closeConnection(QTcpSocket *socket);
    Connection *connection(QTcpSocket *socket) const;

    QTcpServer *m_server; // child (a QSslServer after setTlsConfiguration)
    bool m_tls = false;
    // Open connections; the sockets are children of this object.
    std::unordered_map<QTcpSocket *, std::unique_ptr<Connection>> m_connections;

    Behaviour m_behaviour = Behaviour::Json;
    QByteArray m_jsonBody;
    int m_delayMs = 500;
    int m_trickleIntervalMs = 100;
    int m_status = 200;
    QByteArray m_statusBody;
    HeaderList m_statusHeaders;
    qint64 m_hugeBytes = 4 * 1024 * 1024;
    bool m_hugeWithoutContentLength = false;
    int m_failuresBeforeSuccess = 0;
    int m_failStatus = 503;
    int m_failuresServed = 0;

    QList<QByteArray> m_requestPaths;
    QList<QByteArray> m_requestMethods;
    QList<QHash<QByteArray, QByteArray>> m_requestHeaders;
    int m_connectionCount = 0;
};

} // namespace Artemis::Test
