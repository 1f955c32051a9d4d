#pragma once

namespace Artemis {

// Raises the soft limit of open files to the hard limit (every node in flight is a socket).
// Returns the new soft limit, or -1 when it could not be read.
long raiseOpenFileLimit();

} // namespace Artemis
