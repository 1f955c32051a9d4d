#include "gui/numberformat.h"

#include <array>
#include <cmath>

#include "core/base/jsonvalues.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {

constexpr double ByteSizedInteger = 1024.0 * 1024.0; // plain integers from here on read as sizes

NumberStyle styleOfString(const QString &raw)
{
    const QString text = raw.trimmed();
    if (text.endsWith(u'%')) {
        return NumberStyle::Percent;
    }
    if (text.endsWith(u"ms"_s) || (text.endsWith(u's') && !text.endsWith(u"Bs"_s))) {
        return NumberStyle::Millis;
    }
    QString unit = text;
    while (!unit.isEmpty() && !unit.back().isDigit()) {
        unit.chop(1);
    }
    const QString suffix = text.mid(unit.size()).trimmed().toUpper();
    if (!suffix.isEmpty() && QStringLiteral("KMGTPE").contains(suffix.front())) {
        return NumberStyle::Bytes;
    }
    if (suffix == u"B"_s) {
        return NumberStyle::Bytes;
    }
    return NumberStyle::Plain;
}

} // namespace

NumberStyle detectNumberStyle(const QList<QJsonValue> &values)
{
    std::array<int, 4> votes{};
    for (const QJsonValue &value : values) {
        const std::optional<double> number = jsonNumber(value);
        if (!number) {
            continue;
        }
        NumberStyle style = NumberStyle::Plain;
        if (value.isString()) {
            style = styleOfString(value.toString());
        } else if (std::abs(*number) >= ByteSizedInteger && std::floor(*number) == *number) {
            style = NumberStyle::Bytes;
        }
        ++votes[size_t(style)];
    }
    size_t best = 0;
    for (size_t i = 1; i < votes.size(); ++i) {
        if (votes[i] > votes[best]) {
            best = i;
        }
    }
    return NumberStyle(best);
}

QString formatNumber(double value, NumberStyle style)
{
    const double a = std::abs(value);
    // Three significant digits, no exponent: 15.9, 159, 1.59.
    const auto short3 = [](double v) {
        const double m = std::abs(v);
        return QString::number(v, 'f', m >= 100 ? 0 : (m >= 10 ? 1 : 2));
    };
    switch (style) {
    case NumberStyle::Bytes: {
        static constexpr char16_t Units[] = u"KMGTPE";
        if (a < 1024) {
            return QString::number(value, 'g', 6);
        }
        double v = value;
        int unit = -1;
        while (std::abs(v) >= 1024 && unit < 5) {
            v /= 1024;
            ++unit;
        }
        return short3(v) + QChar(Units[unit]);
    }
    case NumberStyle::Percent:
        return QString::number(value, 'g', 4) + u'%';
    case NumberStyle::Millis:
        if (a >= 1000) {
            return QString::number(value / 1000, 'g', 4) + u's';
        }
        return QString::number(value, 'g', 6) + u"ms"_s;
    case NumberStyle::Plain:
        break;
    }
    if (a >= 1e6) {
        return QString::number(value, 'f', 0);
    }
    return QString::number(value, 'g', 7);
}

} // namespace Artemis::Gui
