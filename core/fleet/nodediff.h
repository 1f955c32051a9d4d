#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include "core/base/result.h"

namespace Artemis {

class ResultStore;

// "How is this node's answer different?": one node's JSON body against the fleet's majority,
// against another node, or against its own answer of a previous round.
//
// A body is flattened into leaf paths (jsonvalues.h syntax, built with jsonPathAppendKey/Index):
// every scalar, and every empty object or array, is a leaf; a scalar body is the single leaf
// "". Values are compared as compact JSON text (compactJsonText), so "1" and 1 differ.
//
// Against the majority (one streaming pass over the hunt's ok answers, the node itself left
// out, each node counted once, first record wins). Of N other ok nodes:
// - a path the node has that more than half of the N have is compared: when the most common
//   value there (ties by text) is held by more than majorityShare of the nodes having the path
//   and differs from the node's, it is a difference {path, value, expected, share}, share =
//   that value's nodes / N. Paths without such a majority (uptime, timestamps) are counted in
//   `variable`, never reported as differences.
// - a path the node has that at most half of the N have: onlyNode {path, value, share}, share =
//   nodes having it / N.
// - a path the node lacks that more than half of the N have: onlyOther {path, expected, share,
//   present}; present = nodes having the path / N. When one value there is held by more than
//   majorityShare of the nodes having the path (a Boyer-Moore vote, then a count of the winner
//   in one more pass), expected is that value and share = its nodes / N; otherwise noMajority
//   is set and there is neither expected nor share (JSON: "majority": false): every share names
//   the value it is the share of.
// Memory: value tallies only for the node's own paths, plus one counter and one vote per path
// the node lacks.
//
// Node against node (diffNodes): the same entries with N = 1 (share is always 1).
//
// Pure functions; thread-safe. diffAgainstMajority blocks on file I/O: call it from a worker.

struct LeafValue
{
    QString path;
    QJsonValue value;
};

// Leaves in document order (object keys sorted, as QJsonObject keeps them).
QList<LeafValue> flattenJson(const QJsonValue &body);

struct NodeDifference
{
    QString path;
    QJsonValue value;    // the node's; Undefined in onlyOther
    QJsonValue expected; // the other side's; Undefined in onlyNode (and without a majority)
    double share = 1;    // of `expected` (differences, onlyOther) or of the path (onlyNode)
    // onlyOther against the majority: the share of the N having the path at all, and whether
    // no value there has a majority (then `expected` is Undefined and `share` 0).
    double present = 1;
    bool noMajority = false;
};

struct NodeDiff
{
    QString node;
    QString against;  // "majority", another node, "previous round", ... (caller's label)
    int compared = 0; // N: other ok nodes counted (1 for diffNodes)
    int variable = 0; // compared paths without a majority value (majority diff only)
    QList<NodeDifference> differences;
    QList<NodeDifference> onlyNode;
    QList<NodeDifference> onlyOther;
};

struct NodeDiffOptions
{
    double majorityShare = 0.5; // see "Against the majority"
};

NodeDiff diffNodes(const QJsonValue &body, const QJsonValue &other, const QString &node = {},
                   const QString &against = {});

// Errors: InvalidArgument (bad id), NotFound (no such hunt, no record for the node, or the
// node's outcome is not ok), Io.
Result<NodeDiff> diffAgainstMajority(const ResultStore &store, const QString &huntId,
                                     const QString &node, const NodeDiffOptions &options = {});

// {"node", "against", "compared", "variable",
//  "differences": [{"path", "value", "expected", "share"}],
//  "onlyNode": [{"path", "value", "share"}], "onlyOther": [{"path", "expected", "share"}]}
QJsonObject toJson(const NodeDiff &diff);

// Reads toJson's output back (the GUI's remote backend). Absent "value"/"expected" stay
// Undefined. InvalidArgument when `json` has no "node" or no "differences" array.
Result<NodeDiff> nodeDiffFromJson(const QJsonObject &json);

} // namespace Artemis
