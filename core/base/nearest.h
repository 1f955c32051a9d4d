#pragma once

#include <QString>
#include <QStringList>
#include <QStringView>

namespace Artemis {

// "Did you mean" for names the operator typed (fields, value paths). Pure functions.

// Levenshtein distance, case-insensitive (one insertion, deletion or substitution each).
int editDistance(QStringView a, QStringView b);

// The candidates close to `typed`, nearest first (ties in the candidates' order): within an edit
// distance of a third of the longer name (at least 1, at most 3), or sharing its last
// dot-separated part ("root.used_pct" for "disks.root.used_pct"). At most `max`.
QStringList nearestNames(QStringView typed, const QStringList &candidates, int max = 3);

} // namespace Artemis
