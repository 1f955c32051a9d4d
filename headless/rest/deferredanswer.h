#pragma once

#include <functional>

#include <QByteArray>
#include <QFutureWatcher>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QTcpSocket>
#include <QThreadPool>
#include <QtConcurrent>

namespace Artemis {

// A JSON answer computed on a thread pool and written to the client when it is ready, for
// requests whose work would block the server's one thread (values and diffs read a whole
// results file: ~0.5 s at 100k nodes). While it runs, the server answers other requests.
//
// Written on the socket by writeReply() (headless/rest/reply.h, as ExportStream's head is), which
// adds the request's CORS headers and records the true status: QtHttpServer 6.4 crashes when a
// kept responder writes to a client that has gone, and its QFuture routes crash likewise. A
// child of the socket: if the client goes away first, the answer is dropped.
// Lives on the server's thread; `pool` must outlive the work (the controller waits for it).
class DeferredAnswer final : public QObject
{
    Q_OBJECT
public:
    struct Reply
    {
        Reply() = default;
        Reply(int status_, QJsonObject body_) : status(status_), body(std::move(body_)) {}
        // `text` sent as is with `contentType` instead of a JSON body (Prometheus text).
        static Reply ofText(int status, QByteArray contentType, QByteArray text)
        {
            Reply reply(status, {});
            reply.contentType = std::move(contentType);
            reply.text = std::move(text);
            return reply;
        }

        int status = 200;
        QJsonObject body;
        QByteArray contentType; // empty: `body` as JSON
        QByteArray text;
        QList<QPair<QByteArray, QByteArray>> headers; // more headers (Location)
    };
    using Work = std::function<Reply()>;

    // Starts `work` on `pool`; the answer goes to `socket` when it returns.
    static void start(QTcpSocket *socket, QThreadPool *pool, Work work);
    // For an answer that comes from asynchronous work on the socket's thread (a network read):
    // call answer() once. Null afterwards, or once the client has gone (nothing is written).
    static QPointer<DeferredAnswer> pending(QTcpSocket *socket);
    void answer(const Reply &reply); // writes the reply, then deletes itself

private:
    explicit DeferredAnswer(QTcpSocket *socket);
    void write(const Reply &reply);

    QPointer<QTcpSocket> m_socket;
    QFutureWatcher<Reply> m_watcher;
};

// Runs `work` on `pool`, then `done(result)` on the socket's thread if the socket still exists
// (a watcher that is the socket's child). For answers that stream after a computation.
template <typename Work, typename Done>
void runThenOnSocket(QTcpSocket *socket, QThreadPool *pool, Work work, Done done)
{
    using T = decltype(work());
    auto *watcher = new QFutureWatcher<T>(socket);
    QObject::connect(watcher, &QFutureWatcher<T>::finished, watcher,
                     [watcher, done = std::move(done)]() mutable {
                         done(watcher->result());
                         watcher->deleteLater();
                     });
    watcher->setFuture(QtConcurrent::run(pool, std::move(work)));
}

} // namespace Artemis
