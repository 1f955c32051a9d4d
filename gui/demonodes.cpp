#include "gui/demonodes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {
constexpr int FailingEvery = 43; // node i with i % 43 == 5 answers 503 (47 of 2,000)
constexpr int FailingOffset = 5;
constexpr int GarbageIndex = 11; // answers HTML
// disk.root.used_pct: 221 values 40.0..62.0 over the fleet, and these nodes nearly full.
constexpr int FullDiskEvery = 500;
constexpr int FullDiskOffset = 77;
} // namespace

DemoNodes::DemoNodes(QObject *parent) : QObject(parent) {}

bool DemoNodes::start(int count)
{
    for (int i = 0; i < count; ++i) {
        auto *server = new QTcpServer(this);
        if (!server->listen(QHostAddress::LocalHost, 0)) {
            return false;
        }
        connect(server, &QTcpServer::newConnection, this, [this, server, i] {
            while (QTcpSocket *socket = server->nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this,
                        [this, socket, i] { answer(socket, i); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        m_servers.append(server);
    }
    return true;
}

QStringList DemoNodes::nodes() const
{
    QStringList out;
    for (const QTcpServer *server : m_servers) {
        out.append(u"127.0.0.1:%1"_s.arg(server->serverPort()));
    }
    return out;
}

QByteArray DemoNodes::bodyFor(int index)
{
    // Deterministic but varied numbers, written the way real exporters write them.
    const int used = 35 + (index * 37) % 60;
    const double usedPct = index % FullDiskEvery == FullDiskOffset
                               ? 97.5 + (index % 3) * 0.5
                               : 40 + ((index * 37) % 221) * 0.1;
    const double cpu = 5.0 + (index * 53) % 90 + (index % 4) * 0.25;
    const int cores = 4 << (index % 3);
    QJsonArray perCore;
    for (int c = 0; c < std::min(cores, 4); ++c) {
        perCore.append(double((index * 17 + c * 29) % 100));
    }
    const QJsonObject doc{
        {u"host"_s, u"node-%1"_s.arg(index + 1, 4, 10, QChar(u'0'))},
        // Two minorities (2 % and 0.3 %) beside the fleet's version.
        {u"version"_s, index % 50 == 0    ? u"1.4.2"_s
                       : index % 333 == 1 ? u"1.5.1-rc1"_s
                                          : u"1.5.0"_s},
        {u"uptime"_s, u"%1d"_s.arg(1 + (index * 7) % 40)},
        {u"cpu"_s, QJsonObject{{u"cores"_s, cores}, {u"usage"_s, cpu}, {u"perCore"_s, perCore}}},
        {u"mem"_s, QJsonObject{{u"used"_s, u"%1%"_s.arg(used)},
                               {u"total"_s, u"%1G"_s.arg(8 << (index % 3))},
                               {u"free"_s, u"%1M"_s.arg(512 + (index * 211) % 3000)}}},
        {u"load"_s, QJsonArray{0.2 + (index % 7) * 0.3, 0.4 + (index % 5) * 0.2, 0.5}},
        {u"disk"_s,
         QJsonObject{{u"/"_s, QJsonObject{{u"used"_s, u"%1%"_s.arg(20 + (index * 13) % 75)},
                                          {u"size"_s, u"500G"_s}}},
                     {u"root"_s, QJsonObject{{u"used_pct"_s, usedPct}}}}},
        {u"latency"_s, u"%1ms"_s.arg(3 + (index * 11) % 40)},
        {u"healthy"_s, index % 9 != 3},
    };
    return QJsonDocument(doc).toJson(QJsonDocument::Compact);
}

void DemoNodes::answer(QTcpSocket *socket, int index)
{
    // The request so far rides on the socket as a dynamic property.
    const QByteArray buffer = socket->property("artemisBuffer").toByteArray() + socket->readAll();
    if (!buffer.contains("\r\n\r\n")) {
        socket->setProperty("artemisBuffer", buffer);
        return;
    }
    socket->setProperty("artemisBuffer", QByteArray());
    QByteArray status = "200 OK";
    QByteArray type = "application/json";
    QByteArray body = bodyFor(index);
    if (index % FailingEvery == FailingOffset) {
        status = "503 Service Unavailable";
        body = R"({"error":"maintenance"})";
    } else if (index == GarbageIndex) {
        type = "text/html";
        body = "<html><body>It works!</body></html>";
    }
    socket->write("HTTP/1.1 " + status + "\r\nContent-Type: " + type
                  + "\r\nConnection: close\r\nContent-Length: " + QByteArray::number(body.size())
                  + "\r\n\r\n" + body);
    socket->disconnectFromHost();
}

} // namespace Artemis::Gui
