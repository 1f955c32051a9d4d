#include "headless/rest/httperrors.h"

#include "core/base/errorstatus.h"

using namespace Qt::StringLiterals;

namespace Artemis {

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
