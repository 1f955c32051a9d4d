// Misbehaving clients against the real server: partial headers that stall, disconnects in the
// middle of a request or of a streamed response, garbage, bad JSON. The server must neither
// crash nor stop answering others.
#include <QtTest>

#include <QRandomGenerator>
#include <QTcpSocket>

#include "restservice.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Test;

class TestRestRobustness : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void stalledPartialHeadersDoNotBlockOthers();
    void disconnectMidRequest();
    void disconnectMidResponse();
    void malformedBodiesAndBadJson();
    void thousandGarbageRequests();

private:
    QTcpSocket *connectRaw();
    bool healthy();

    std::unique_ptr<RestService> m_service;
    std::vector<std::unique_ptr<QTcpSocket>> m_sockets;
};

void TestRestRobustness::init()
{
    m_service = std::make_unique<RestService>();
}

void TestRestRobustness::cleanup()
{
    m_sockets.clear();
    m_service.reset();
}

QTcpSocket *TestRestRobustness::connectRaw()
{
    auto socket = std::make_unique<QTcpSocket>();
    QSignalSpy connected(socket.get(), &QTcpSocket::connected);
    socket->connectToHost(QHostAddress::LocalHost, m_service->port());
    if (socket->state() != QAbstractSocket::ConnectedState && !connected.wait(5000)) {
        qWarning("raw connect failed");
    }
    m_sockets.push_back(std::move(socket));
    return m_sockets.back().get();
}

bool TestRestRobustness::healthy()
{
    HttpClient client(m_service->base());
    const HttpReply reply = client.send("GET", u"/healthz"_s, {}, {}, 3000);
    return reply.status == 200 && reply.json().value(u"status"_s).toString() == u"ok"_s;
}

void TestRestRobustness::stalledPartialHeadersDoNotBlockOthers()
{
    for (int i = 0; i < 20; ++i) {
        QTcpSocket *socket = connectRaw();
        socket->write("POST /api/v1/hunts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Len");
        socket->flush();
    }
    QTcpSocket *bodyStall = connectRaw();
    bodyStall->write("POST /fetch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nnode=");
    QElapsedTimer clock;
    clock.start();
    QVERIFY(healthy());
    QVERIFY2(clock.elapsed() < 2000, "a stalled client delayed another client");
}

void TestRestRobustness::disconnectMidRequest()
{
    for (int i = 0; i < 50; ++i) {
        QTcpSocket *socket = connectRaw();
        socket->write(i % 2 == 0
                          ? QByteArray("POST /api/v1/hunts HTTP/1.1\r\nContent-Length: 5000\r\n"
                                       "\r\n{\"nodes\": [\"10.0.0.1")
                          : QByteArray("GET /api/v1/hun"));
        socket->flush();
        socket->abort();
    }
    QVERIFY(healthy());
    QCOMPARE(m_service->store()->listHunts()->size(), 0);
}

void TestRestRobustness::disconnectMidResponse()
{
    // A hunt with results big enough that the stream is still going when the client leaves.
    HuntInfo info;
    info.id = u"01J00000000000000000000001"_s;
    info.state = HuntState::Done;
    info.url = u"/metric"_s;
    info.total = 5000;
    info.done = 5000;
    info.createdAt = QDateTime::currentDateTimeUtc();
    QStringList nodes;
    QList<Outcome> outcomes;
    for (int i = 0; i < info.total; ++i) {
        Outcome o;
        o.node = u"10.1.%1.%2:80"_s.arg(i / 250).arg(i % 250);
        o.outcome = OutcomeKind::Ok;
        o.body = QJsonObject{{u"padding"_s, QString(1000, u'y')}};
        nodes.append(o.node);
        outcomes.append(o);
    }
    QVERIFY(m_service->store()->createHunt(info, nodes));
    QVERIFY(m_service->store()->appendResults(info.id, outcomes));

    for (int i = 0; i < 5; ++i) {
        QTcpSocket *socket = connectRaw();
        QSignalSpy readyRead(socket, &QTcpSocket::readyRead);
        socket->write(
            "GET /api/v1/hunts/" + info.id.toUtf8()
            + "/results HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/x-ndjson\r\n\r\n");
        QVERIFY(readyRead.wait(5000));
        QVERIFY(socket->readAll().startsWith("HTTP/1.1 200"));
        socket->abort(); // leaves with megabytes still to come
    }
    // Also a client that asks for a page and leaves before reading it.
    for (int i = 0; i < 5; ++i) {
        QTcpSocket *socket = connectRaw();
        socket->write("GET /api/v1/hunts/" + info.id.toUtf8()
                      + "/results?limit=1000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        socket->flush();
        socket->abort();
    }
    QVERIFY(healthy());
    // And the full stream still works for a patient client.
    HttpClient client(m_service->base());
    const HttpReply all = client.get(u"/api/v1/hunts/%1/results"_s.arg(info.id),
                                     {{"Accept", "application/x-ndjson"}});
    QCOMPARE(all.status, 200);
    QCOMPARE(all.body.count('\n'), 5000);
}

void TestRestRobustness::malformedBodiesAndBadJson()
{
    HttpClient client(m_service->base());
    const QList<QByteArray> bodies = {
        "{",
        "}{",
        "null",
        "\"nodes\"",
        "{\"nodes\": {}}",
        "{\"nodes\": [], \"url\": \"m\"}",
        "{\"nodes\": [\"a:1\"], \"url\": 5}",
        "{\"nodes\": [\"a:1\"], \"url\": \"m\", \"extra\": 1}",
        QByteArray("\xff\xfe\x00\x01", 4),
        QByteArray(3000, '['),
        // Found by fuzzing (tests/fuzz/regressions/huntrequest): a number beyond qint64 was
        // converted before the range check (undefined behaviour).
        "{\"nodes\": [\"a:1\"], \"url\": \"m\", \"options\": {\"timeoutMs\": 1e41}}",
        "{\"nodes\": [\"a:1\"], \"url\": \"m\", \"options\": {\"attempts\": -1e300}}",
    };
    for (const QByteArray &body : bodies) {
        const HttpReply reply =
            client.send("POST", u"/api/v1/hunts"_s, body, {{"Content-Type", "application/json"}});
        QCOMPARE(reply.status, 400);
        QVERIFY(reply.json().contains(u"error"_s));
        QVERIFY(reply.json().contains(u"details"_s));
    }
    const HttpReply binary =
        client.send("POST", u"/fetch"_s, QByteArray(2, '\x01') + "node=\xff%%%&url");
    QCOMPARE(binary.status, 400);
    QCOMPARE(m_service->store()->listHunts()->size(), 0);
    QVERIFY(healthy());
}

void TestRestRobustness::thousandGarbageRequests()
{
    QRandomGenerator random(42);
    const QList<QByteArray> shapes = {
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\n",
        "POST /fetch HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        "POST /fetch HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "GET /%%%%%%% HTTP/1.1\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: \x01\x02\r\nX: " + QByteArray(9000, 'h') + "\r\n\r\n",
        "\r\n\r\n\r\n",
    };
    constexpr int Total = 1000;
    constexpr int Batch = 50;
    for (int done = 0; done < Total; done += Batch) {
        std::vector<std::unique_ptr<QTcpSocket>> batch;
        for (int i = 0; i < Batch; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->connectToHost(QHostAddress::LocalHost, m_service->port());
            QByteArray payload =
                (done + i) % 3 == 0 ? QByteArray() : shapes[(done + i) % shapes.size()];
            if (payload.isEmpty()) {
                payload.resize(1 + random.bounded(512));
                for (char &c : payload) {
                    c = char(random.bounded(256));
                }
            }
            socket->write(payload);
            batch.push_back(std::move(socket));
        }
        // Let the server read everything, then hang up.
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(batch.begin(), batch.end(),
                                             [](const auto &s) {
                                                 return s->bytesToWrite() == 0
                                                        && s->state()
                                                               != QAbstractSocket::ConnectingState;
                                             }),
                                 5000);
        for (auto &socket : batch) {
            socket->abort();
        }
    }
    QVERIFY(healthy());
    HttpClient client(m_service->base());
    QCOMPARE(client.get(u"/api/v1/hunts"_s).status, 200);
}

QTEST_GUILESS_MAIN(TestRestRobustness)
#include "tst_restrobustness.moc"
