#pragma once

#include <QCommandLineParser>
#include <QString>

#include "core/result.h"

namespace Artemis {

// Reads a whole-number command line option: `current` when absent; an InvalidArgument error
// naming the flag, its range and the bad text when it is not a number in [min, max].
template <typename T>
Result<T> numberOption(const QCommandLineParser &parser, const QString &name, T current, T min,
                       T max)
{
    using namespace Qt::StringLiterals;
    if (!parser.isSet(name)) {
        return current;
    }
    bool ok = false;
    const qlonglong value = parser.value(name).toLongLong(&ok);
    if (!ok || value < qlonglong(min) || value > qlonglong(max)) {
        return makeError(ErrorCode::InvalidArgument,
                         u"--%1 must be a whole number from %2 to %3, not '%4'"_s.arg(name)
                             .arg(qlonglong(min))
                             .arg(qlonglong(max))
                             .arg(parser.value(name)));
    }
    return T(value);
}

} // namespace Artemis
