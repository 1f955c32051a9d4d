#pragma once

#include <QString>
#include <QStringView>

#include "core/base/result.h"

namespace Artemis {

// Durations as people write them in schedules: a whole or decimal number and one unit,
// "500ms", "30s", "1.5s", "5m" (minutes), "1h", "7d"; spaces around and between are allowed.
// A bare number ("30") is refused: its unit would be a guess. Returns milliseconds; an
// InvalidArgument error naming the text otherwise (also for 0, negatives and > 365 days).
// Pure; thread-safe.
Result<qint64> parseDurationMs(QStringView text);

// The shortest exact form using one unit: 1500 -> "1500ms", 30000 -> "30s", 300000 -> "5m",
// 3600000 -> "1h", 86400000 -> "1d".
QString formatDurationMs(qint64 ms);

} // namespace Artemis
