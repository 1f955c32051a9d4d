#pragma once

#include "core/base/result.h"

namespace Artemis {

// The two directions of ErrorCode <-> HTTP status, side by side so that they agree: the REST
// API answers an Error with httpStatusFor(code); the GUI's remote backend turns a status back
// into the code with errorCodeForHttpStatus(status). Pure; thread-safe.
int httpStatusFor(ErrorCode code);
// 4xx/5xx status to the code that produced it. Statuses no code produces map to the nearest
// kind (other 4xx: InvalidArgument; other 5xx: Unavailable).
ErrorCode errorCodeForHttpStatus(int status);

} // namespace Artemis
