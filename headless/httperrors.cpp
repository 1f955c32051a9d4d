#include "headless/httperrors.h"

using namespace Qt::StringLiterals;

namespace Artemis {

int httpStatus(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
    case ErrorCode::InvalidNode:
    case ErrorCode::Denied: // the issue asks for 400 naming the denied node
        return 400;
    case ErrorCode::TooLarge:
        return 413;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::Busy:
        return 429;
    case ErrorCode::Io:
        return 500;
    case ErrorCode::Unavailable:
        return 503;
    }
    return 500;
}

QString statusTitle(int status)
{
    switch (status) {
    case 400:
        return u"Invalid request"_s;
    case 401:
        return u"Unauthorized"_s;
    case 404:
        return u"Not found"_s;
    case 405:
        return u"Method not allowed"_s;
    case 409:
        return u"Conflict"_s;
    case 413:
        return u"Payload too large"_s;
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

QHttpServerResponse errorResponse(const Error &error)
{
    QJsonValue details = error.message;
    if (error.details.isArray()) {
        details = QJsonObject{{u"message"_s, error.message}, {u"nodes"_s, error.details}};
    } else if (error.details.isObject()) {
        QJsonObject object = error.details.toObject();
        object.insert(u"message"_s, error.message);
        details = object;
    }
    return errorResponse(httpStatus(error.code), details);
}

QHttpServerResponse jsonResponse(const QJsonObject &body, int status)
{
    return QHttpServerResponse(body, static_cast<QHttpServerResponder::StatusCode>(status));
}

} // namespace Artemis
