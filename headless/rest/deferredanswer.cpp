#include "headless/rest/deferredanswer.h"

#include <QtConcurrent>

#include "headless/rest/reply.h"

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

void DeferredAnswer::write(const Reply &reply)
{
    Artemis::Reply out = reply.contentType.isEmpty()
                             ? Artemis::Reply::json(reply.status, reply.body)
                             : Artemis::Reply::text(reply.status, reply.contentType, reply.text);
    out.addHeader("Cache-Control", "no-store");
    out.headers.append(reply.headers);
    writeReply(m_socket, std::move(out));
}

} // namespace Artemis
