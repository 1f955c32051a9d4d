#include "headless/rest/reply.h"

#include <QJsonDocument>
#include <QTcpSocket>
#include <QVariant>

#include "core/base/errorstatus.h"
#include "headless/rest/httperrors.h"

namespace Artemis {

namespace {

constexpr char ContextProperty[] = "artemisAnswerContext";

// Per socket, a child of it: the request being answered (see beginAnswer()). Found through a
// property of the socket: without Q_OBJECT, findChild() would match any child.
class AnswerContext final : public QObject
{
public:
    explicit AnswerContext(QTcpSocket *socket) : QObject(socket)
    {
        socket->setProperty(ContextProperty, QVariant::fromValue<QObject *>(this));
    }

    static AnswerContext *of(QTcpSocket *socket)
    {
        return socket ? static_cast<AnswerContext *>(
                   socket->property(ContextProperty).value<QObject *>())
                      : nullptr;
    }

    QByteArray origin;
    std::function<void(int)> record; // empty once recorded
};

} // namespace

Reply Reply::json(int status, const QJsonObject &body)
{
    Reply reply;
    reply.status = status;
    reply.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return reply;
}

Reply Reply::text(int status, QByteArray contentType, QByteArray text)
{
    Reply reply;
    reply.status = status;
    reply.contentType = std::move(contentType);
    reply.body = std::move(text);
    return reply;
}

Reply Reply::error(int status, const QJsonValue &details)
{
    return json(status, errorBody(statusTitle(status), details));
}

Reply Reply::error(const Error &error)
{
    return json(httpStatusFor(error.code), errorBody(error));
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 507:
        return "Insufficient Storage";
    default:
        return "Unknown";
    }
}

QByteArray serialize(const Reply &reply)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(reply.status) + ' '
                     + reasonPhrase(reply.status) + "\r\nContent-Type: " + reply.contentType;
    out += reply.chunked ? QByteArray("\r\nTransfer-Encoding: chunked\r\n")
                         : "\r\nContent-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
    for (const auto &[name, value] : reply.headers) {
        out += name + ": " + value + "\r\n";
    }
    out += "\r\n";
    if (!reply.chunked) {
        out += reply.body;
    }
    return out;
}

void beginAnswer(QTcpSocket *socket, const QByteArray &allowedOrigin,
                 std::function<void(int status)> recordStatus)
{
    if (!socket) {
        return;
    }
    AnswerContext *context = AnswerContext::of(socket);
    if (!context) {
        context = new AnswerContext(socket); // a child of the socket
    }
    context->origin = allowedOrigin;
    context->record = std::move(recordStatus);
}

void recordAnswer(QTcpSocket *socket, int status)
{
    AnswerContext *context = AnswerContext::of(socket);
    if (!context || !context->record) {
        return;
    }
    const std::function<void(int)> record = std::exchange(context->record, {});
    record(status);
}

bool writeReply(QTcpSocket *socket, Reply reply)
{
    if (!socket || socket->state() != QAbstractSocket::ConnectedState) {
        return false;
    }
    if (const AnswerContext *context = AnswerContext::of(socket);
        context && !context->origin.isEmpty()) {
        reply.addHeader("Access-Control-Allow-Origin", context->origin);
        reply.addHeader("Vary", "Origin");
    }
    recordAnswer(socket, reply.status);
    socket->write(serialize(reply));
    return true;
}

} // namespace Artemis
