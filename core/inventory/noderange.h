#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include "core/base/nodelabels.h"
#include "core/base/result.h"

namespace Artemis {

// Node ranges, as in pdsh/Ansible: a bracket group of numbers stands for one node per number.
//   node[01-20].dc1:9100   -> node01.dc1:9100 ... node20.dc1:9100 (zero padding kept)
//   10.0.0.[1-254]:9100    127.0.0.1:[20000-20099]    host[1,3,7-9]
// Padding: an item whose start has a leading zero ("01") pads to that start's width; "[8-10]"
// does not pad. Several groups in one node multiply (the last one varies fastest). A bracket
// group containing ':' is an IPv6 literal ("[::1]:9100", "[fe80::1]") and is left as it is.
// Errors (reasons): an unclosed '[', an empty group, a non-number, a start above its end.
//
// Pure functions; used by HuntEngine::submit (every face: REST, CLI, GUI) and the GUI's form.

// True when `node` has at least one range group (not an IPv6 literal).
bool hasNodeRange(QStringView node);

// How many nodes `node` stands for (1 without a range), computed without expanding it;
// saturates at `cap` + 1. The error (InvalidNode) is the reason alone ("unclosed '['").
Result<qint64> nodeRangeCount(QStringView node, qint64 cap);

// Every node `node` stands for, in order ({node} without a range). Callers bound the count
// first (nodeRangeCount); this expands whatever it is given.
Result<QStringList> expandNodeRange(QStringView node);

// Splits a comma-separated list of nodes (a CLI --node value), keeping commas inside brackets
// ("host[1,3],other" -> "host[1,3]", "other"); parts are trimmed, empty ones dropped.
QStringList splitNodeList(QStringView text);

struct ExpandedNodes
{
    QStringList nodes;
    QList<Labels> labels; // empty when the request has no labels; else one per node
    QList<int> origins;   // the given node each came from; empty when nothing was expanded
};

// Expands every node of a request; `labels` is empty or one per node, and each expanded node
// gets the labels of the node it came from. The total is bounded by `maxNodes` and checked
// before anything is expanded: over it -> TooLarge naming the node that passes the bound and
// the count it expands to. Bad ranges -> InvalidNode with details [{index, node, reason}] for
// each bad node (parseTargets' shape). Without any range the input comes back unchanged.
Result<ExpandedNodes> expandNodeRanges(const QStringList &nodes, const QList<Labels> &labels,
                                       int maxNodes);

// How many bad nodes an error lists (details); the message gives the full count.
constexpr int MaxListedNodes = 20;

// Rewrites an error about expanded nodes (parseTargets' InvalidNode or Denied, details
// [{index, node, reason}] by expanded position) in terms of the nodes as given: one entry per
// given node (index = its position in `given`), a range's entry saying how many of its nodes
// are bad and the first of them, at most MaxListedNodes entries ("N invalid nodes, M more not
// listed; first: ..."). Other errors come back unchanged.
Error perGivenNode(const Error &error, const QStringList &given, const ExpandedNodes &expanded);

} // namespace Artemis
