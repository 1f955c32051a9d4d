#pragma once

#include <functional>

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QPair>

#include "core/base/result.h"

class QTcpSocket;

namespace Artemis {

// One answer the service writes itself on a socket: a status, headers and either a whole body
// or the head of a chunked stream (ExportStream writes the chunks). The connection gate's
// refusals, deferred answers and streams are all written by serialize()/writeReply() below, so
// the status line, reason phrase and header order are made in one place. Plain value.
struct Reply
{
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;      // ignored when `chunked`
    Headers headers;      // more headers, in order (Cache-Control, Location, Retry-After...)
    bool chunked = false; // head only: `Transfer-Encoding: chunked`, the body follows in chunks

    void addHeader(QByteArray name, QByteArray value)
    {
        headers.append(qMakePair(std::move(name), std::move(value)));
    }

    static Reply json(int status, const QJsonObject &body);
    static Reply text(int status, QByteArray contentType, QByteArray text);
    // The error body of headless/rest/httperrors.h with its status: `status` and `details`, or
    // the status an Error's code maps to (core/base/errorstatus.h).
    static Reply error(int status, const QJsonValue &details);
    static Reply error(const Error &error);
};

// The standard reason phrase of a status line ("OK", "Not Found", "Service Unavailable"); the
// one table, for every status line the service writes itself. "Unknown" for a code without one.
QByteArray reasonPhrase(int status);

// The bytes of `reply`: status line, Content-Type, Content-Length (or Transfer-Encoding), its
// headers, the blank line and the body (none when chunked).
QByteArray serialize(const Reply &reply);

// What the Router knows about the request being answered on a socket, for answers written
// later on it: the --allow-origin origin (the answer then carries Access-Control-Allow-Origin)
// and how to record the answer's status in the service's metrics. Set before a handler runs.
void beginAnswer(QTcpSocket *socket, const QByteArray &allowedOrigin,
                 std::function<void(int status)> recordStatus);
// Records `status` as the answer to the request begun on `socket`; once per request (later
// calls do nothing). writeReply() calls it; so does the Router for QtHttpServer's answers.
void recordAnswer(QTcpSocket *socket, int status);

// Writes `reply` on `socket` with the CORS headers of beginAnswer() and records its status.
// False, and nothing written or recorded, when the client has gone.
bool writeReply(QTcpSocket *socket, Reply reply);

} // namespace Artemis
