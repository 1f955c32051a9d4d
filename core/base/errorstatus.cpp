#include "core/base/errorstatus.h"

namespace Artemis {

int httpStatusFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
    case ErrorCode::InvalidNode:
    case ErrorCode::Denied: // a denied node is bad input, named in the details
        return 400;
    case ErrorCode::Unauthorized:
        return 401;
    case ErrorCode::Forbidden:
        return 403;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::TooLarge:
        return 413;
    case ErrorCode::Busy:
        return 429;
    case ErrorCode::Io:
        return 500;
    case ErrorCode::Unavailable:
    case ErrorCode::Locked:
        return 503;
    }
    return 500;
}

ErrorCode errorCodeForHttpStatus(int status)
{
    switch (status) {
    case 400:
        return ErrorCode::InvalidArgument;
    case 401:
        return ErrorCode::Unauthorized;
    case 403:
        return ErrorCode::Forbidden;
    case 404:
        return ErrorCode::NotFound;
    case 409:
        return ErrorCode::Conflict;
    case 413:
        return ErrorCode::TooLarge;
    case 429:
        return ErrorCode::Busy;
    case 500:
        return ErrorCode::Io;
    case 503:
        return ErrorCode::Unavailable;
    default:
        return status >= 500 ? ErrorCode::Unavailable : ErrorCode::InvalidArgument;
    }
}

} // namespace Artemis
