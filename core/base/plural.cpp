#include "core/base/plural.h"

#include "core/base/duration.h"

using namespace Qt::StringLiterals;

namespace Artemis {

QString countOf(qint64 n, QStringView singular, QStringView plural)
{
    const bool one = n == 1 || n == -1;
    const QString word =
        one ? singular.toString() : (plural.isEmpty() ? singular + u"s"_s : plural.toString());
    return QString::number(n) + u' ' + word;
}

QString millis(qint64 ms)
{
    return QString::number(ms) + u" ms"_s;
}

QString durationText(qint64 ms)
{
    return ms != 0 && ms % 1000 == 0 ? formatDurationMs(ms) : millis(ms);
}

} // namespace Artemis
