#include "core/base/duration.h"

#include <array>
#include <cmath>

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

struct Unit
{
    QStringView name;
    qint64 ms;
};

// Largest first, so formatDurationMs picks the shortest exact form.
constexpr std::array<Unit, 5> Units = {{
    {u"d", 86400000},
    {u"h", 3600000},
    {u"m", 60000},
    {u"s", 1000},
    {u"ms", 1},
}};

constexpr qint64 MaxMs = qint64(365) * 86400000;

} // namespace

Result<qint64> parseDurationMs(QStringView text)
{
    static const QRegularExpression re(uR"(^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$)"_s);
    const QRegularExpressionMatch m = re.match(text);
    auto bad = [&](const QString &why) {
        return makeError(ErrorCode::InvalidArgument,
                         u"'%1' is not a duration: %2 (e.g. \"500ms\", \"30s\", \"5m\", \"1h\", "
                         "\"1d\")"_s.arg(text.toString(), why));
    };
    if (!m.hasMatch()) {
        return bad(u"expected a number and a unit"_s);
    }
    const QStringView unitName = m.capturedView(2);
    const QStringView aliasMin = u"min";
    const auto unit = std::find_if(Units.begin(), Units.end(), [&](const Unit &u) {
        return u.name == unitName || (u.name == u"m" && unitName == aliasMin);
    });
    if (unit == Units.end()) {
        return bad(u"unknown unit '%1'"_s.arg(unitName.toString()));
    }
    const double value = m.capturedView(1).toDouble() * double(unit->ms);
    if (value > double(MaxMs)) {
        return bad(u"longer than 365 days"_s);
    }
    const qint64 ms = qint64(std::llround(value));
    if (ms <= 0) {
        return bad(u"must be at least 1ms"_s);
    }
    return ms;
}

QString formatDurationMs(qint64 ms)
{
    for (const Unit &unit : Units) {
        if (ms != 0 && ms % unit.ms == 0) {
            return QString::number(ms / unit.ms) + unit.name.toString();
        }
    }
    return QString::number(ms) + u"ms"_s;
}

} // namespace Artemis
