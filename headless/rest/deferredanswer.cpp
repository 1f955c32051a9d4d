#include "headless/rest/deferredanswer.h"

#include <QJsonDocument>
#include <QtConcurrent>

#include "headless/rest/httperrors.h"

namespace Artemis {

DeferredAnswer::DeferredAnswer(QTcpSocket *socket) : QObject(socket), m_socket(socket) {}

void DeferredAnswer::start(QTcpSocket *socket, QThreadPool *pool, Work work)
{
    auto *answer = new DeferredAnswer(socket); // a child of the socket
    connect(&answer->m_watcher, &QFutureWatcher<Reply>::finished, answer, [answer] {
        answer->write(answer->m_watcher.result());
        answer->deleteLater();
    });
    answer->m_watcher.setFuture(QtConcurrent::run(pool, std::move(work)));
}

QPointer<DeferredAnswer> DeferredAnswer::pending(QTcpSocket *socket)
{
    return new DeferredAnswer(socket); // a child of the socket
}

void DeferredAnswer::answer(const Reply &reply)
{
    write(reply);
    deleteLater();
}

namespace {
constexpr char OriginProperty[] = "artemisAllowedOrigin";
}

QByteArray DeferredAnswer::corsHeaders(QTcpSocket *socket)
{
    const QByteArray origin =
        socket ? socket->property(OriginProperty).toByteArray() : QByteArray();
    return origin.isEmpty() ? QByteArray()
                            : "Access-Control-Allow-Origin: " + origin + "\r\nVary: Origin\r\n";
}

void DeferredAnswer::setAllowedOrigin(QTcpSocket *socket, const QByteArray &origin)
{
    if (socket) {
        socket->setProperty(OriginProperty, origin.isEmpty() ? QVariant() : QVariant(origin));
    }
}

void DeferredAnswer::write(const Reply &reply)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        return;
    }
    const bool text = !reply.contentType.isEmpty();
    const QByteArray body =
        text ? reply.text : QJsonDocument(reply.body).toJson(QJsonDocument::Compact);
    const QByteArray type = text ? reply.contentType : QByteArray("application/json");
    QByteArray extra;
    for (const auto &[name, value] : reply.headers) {
        extra += name + ": " + value + "\r\n";
    }
    extra += corsHeaders(m_socket);
    m_socket->write("HTTP/1.1 " + QByteArray::number(reply.status) + ' '
                    + reasonPhrase(reply.status) + "\r\nContent-Type: " + type
                    + "\r\nContent-Length: " + QByteArray::number(body.size())
                    + "\r\nCache-Control: no-store\r\n" + extra + "\r\n");
    m_socket->write(body);
}

} // namespace Artemis
