#pragma once

#include <optional>

#include <QString>
#include <QUrlQuery>

namespace Artemis {

// A whole-number query parameter: `fallback` when absent, nullopt when it is not a number in
// [min, max] (the handler answers 400 naming the range).
inline std::optional<int> intParam(const QUrlQuery &query, const QString &name, int fallback,
                                   int min, int max)
{
    if (!query.hasQueryItem(name)) {
        return fallback;
    }
    bool ok = false;
    const int value = query.queryItemValue(name).toInt(&ok);
    if (!ok || value < min || value > max) {
        return std::nullopt;
    }
    return value;
}

} // namespace Artemis
