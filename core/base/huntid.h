#pragma once

#include <QString>
#include <QStringView>

namespace Artemis {

// Hunt ids: 26 characters of Crockford base32 (ULID layout): 48 bits of milliseconds since the
// epoch, then 80 random bits. Ids made by one process are strictly increasing even within the
// same millisecond, so sorting ids sorts hunts by creation time. Thread-safe.
QString newHuntId();

// True for strings that newHuntId() could have made; anything else never touches the disk.
bool isValidHuntId(QStringView id);

} // namespace Artemis
