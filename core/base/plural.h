#pragma once

#include <QString>
#include <QStringView>

namespace Artemis {

// Counts and units in text meant for people, so that every face reads alike: "1 node",
// "2 nodes", "{ 1 key }", "0 ms". Pure functions.

// "<n> <singular>" for 1 (and -1), else "<n> <plural>"; the plural defaults to singular + "s".
QString countOf(qint64 n, QStringView singular, QStringView plural = {});

inline QString nodeCount(qint64 n)
{
    return countOf(n, u"node");
}

// A duration in milliseconds with its unit apart: "0 ms", "1500 ms".
QString millis(qint64 ms);

// A duration for people: whole seconds, minutes, ... as formatDurationMs writes them ("30s",
// "5m"), anything else in milliseconds ("0 ms", "4750 ms"), never "0ms".
QString durationText(qint64 ms);

} // namespace Artemis
