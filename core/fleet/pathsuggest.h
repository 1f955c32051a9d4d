#pragma once

#include <QList>
#include <QString>

#include "core/fleet/fleetvalues.h"

namespace Artemis {

class ResultStore;

// "Did you mean" for a values path that no node has (issue #22): `values --path` with a typo
// answered an empty table and exit 0. Pure over the store; reads at most MaxBodies ok bodies.
struct PathSuggestion
{
    QString path;  // a leaf path present in the hunt's bodies (jsonvalues.h syntax)
    int nodes = 0; // how many of the bodies read have it
};

constexpr int MaxSuggestionBodies = 2000;

// The existing leaf paths nearest to `path` (core/base/nearest.h), most common first among equals,
// at most 3, with how many nodes have each, from the first MaxSuggestionBodies ok outcomes.
QList<PathSuggestion> suggestPaths(const ResultStore &store, const QString &huntId,
                                   const QString &path);

// Sets values.warnings and values.suggestions when no node answered with values.path (and
// some answered ok): "no node has 'x'; did you mean y (15 nodes)?".
void addPathWarning(const ResultStore &store, const QString &huntId, FleetValues &values);

} // namespace Artemis
