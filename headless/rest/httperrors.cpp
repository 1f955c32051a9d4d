#include "headless/rest/httperrors.h"

#include "core/base/errorstatus.h"

using namespace Qt::StringLiterals;

namespace Artemis {

QString statusTitle(int status)
{
    switch (status) {
    case 400:
        return u"Invalid request"_s;
    case 401:
        return u"Unauthorized"_s;
    case 403:
        return u"Forbidden"_s;
    case 404:
        return u"Not found"_s;
    case 405:
        return u"Method not allowed"_s;
    case 409:
        return u"Conflict"_s;
    case 413:
        return u"Payload too large"_s;
    case 415:
        return u"Unsupported media type"_s;
    case 429:
        return u"Too many requests"_s;
    case 503:
        return u"Service unavailable"_s;
    default:
        return status >= 500 ? u"Internal error"_s : u"Error"_s;
    }
}

QJsonObject errorBody(const QString &error, const QJsonValue &details)
{
    return QJsonObject{{u"error"_s, error}, {u"details"_s, details}};
}

QHttpServerResponse errorResponse(int status, const QJsonValue &details)
{
    return jsonResponse(errorBody(statusTitle(status), details), status);
}

QJsonObject errorBody(const Error &error)
{
    QJsonValue details = error.message;
    if (error.details.isArray()) {
        details = QJsonObject{{u"message"_s, error.message}, {u"nodes"_s, error.details}};
    } else if (error.details.isObject()) {
        QJsonObject object = error.details.toObject();
        object.insert(u"message"_s, error.message);
        details = object;
    }
    return errorBody(statusTitle(httpStatusFor(error.code)), details);
}

QHttpServerResponse errorResponse(const Error &error)
{
    return jsonResponse(errorBody(error), httpStatusFor(error.code));
}

QHttpServerResponse jsonResponse(const QJsonObject &body, int status)
{
    return QHttpServerResponse(body, static_cast<QHttpServerResponder::StatusCode>(status));
}

} // namespace Artemis
