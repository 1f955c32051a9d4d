#pragma once

#include <QByteArray>
#include <QHttpServerResponse>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include "core/base/result.h"

namespace Artemis {

// The standard reason phrase of a status line ("OK", "Not Found", "Service Unavailable"), for
// every answer the service writes itself (connection gate, deferred answers); "Unknown" for a
// code without one. The one table: status lines never say "200 Error".
QByteArray reasonPhrase(int status);

// Short title of a status ("Invalid request", "Not found", ...): the "error" field.
QString statusTitle(int status);

// Every error body: {"error": title, "details": ...}. `details` is the message, or an object
// holding the message plus structured details (e.g. {"message", "nodes": [...]}).
QJsonObject errorBody(const QString &error, const QJsonValue &details);
// The body errorResponse(error) sends (status: httpStatusFor(error.code)).
QJsonObject errorBody(const Error &error);

QHttpServerResponse errorResponse(int status, const QJsonValue &details);
QHttpServerResponse errorResponse(const Error &error); // status: core/base/errorstatus.h
QHttpServerResponse jsonResponse(const QJsonObject &body, int status = 200);

} // namespace Artemis
