#pragma once

#include <QDateTime>
#include <QJsonValue>
#include <QString>

namespace Artemis {

// Times in manifests and answers: ISO 8601 UTC with milliseconds; "" for an invalid time and
// back.
QString isoOrEmpty(const QDateTime &t);
QDateTime parseIso(const QJsonValue &value);

} // namespace Artemis
