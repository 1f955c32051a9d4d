#pragma once

#include <QByteArray>
#include <QHttpServerResponse>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include "core/base/result.h"

namespace Artemis {

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
