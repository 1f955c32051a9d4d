#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>

namespace Artemis::Gui {

// How the numbers of one compared path are written back for people: in the style the nodes
// answered in ("15.9G" strings stay "15.9G"-style, "80%" stays percent, "12ms" milliseconds),
// and raw byte-sized integer counts humanised (15.9G rather than 1.59e+10). The numbers
// themselves come from core's jsonNumber (core/base/jsonvalues.h); this only formats them.
enum class NumberStyle {
    Plain,   // as a number, without exponent for everyday sizes
    Bytes,   // powers of 1024 with K/M/G/T/P ("15.9G"), as free/top/df print them
    Percent, // "80%"
    Millis,  // "12ms", "1.5s"
};

// The style of the majority of `values` that carry a number.
NumberStyle detectNumberStyle(const QList<QJsonValue> &values);
QString formatNumber(double value, NumberStyle style);

} // namespace Artemis::Gui
