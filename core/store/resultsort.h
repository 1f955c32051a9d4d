#pragma once

#include <QList>
#include <QString>
#include <QStringView>

#include "core/base/jsonvalues.h"
#include "core/base/result.h"
#include "core/store/resultindex.h"

namespace Artemis {

// The order of a hunt's results for pages and exports: file order (the default), by node, by
// outcome name, by latency, or by the value at a JSON path of the body; "-" in front sorts
// descending. Values compare as numbers where jsonNumber() reads both (so "15.9G" sorts above
// "2G"), else as text; rows without a value (the path absent, the node failed) come last in
// either direction, and equal keys keep file order. By latency, answered (ok) rows come first
// and failed ones after them, each part in latency order: a refusal after 1 ms is not a fast
// node, but `outcome=failed&sort=-latency` still orders the failures.
struct ResultSort
{
    enum class By : quint8 { File, Node, Outcome, Latency, Path };
    By by = By::File;
    JsonPath path;
    bool descending = false;

    // "node", "outcome", "latency", "-latency", "mem.used", "" (file order). The error names
    // the path's problem. The names are the record's fields; a body key spelled like one is
    // written quoted: `["outcome"]`.
    static Result<ResultSort> parse(QStringView text);
    QString toString() const;
    bool isFileOrder() const { return by == By::File; }
};

// `lines` (of `file`, in file order) reordered by `sort`. Reads each line once; keeps only keys
// and line references in memory (~40 bytes a line). Thread-safe; blocks on the disk.
Result<QList<LineRef>> sortLines(const QString &file, const QList<LineRef> &lines,
                                 const ResultSort &sort);

// The `lines` (of `file`) that match the search `needle` (core/inventory/nodesearch.h: terms a node
// contains, case-insensitively, or NAME=VALUE label terms), in the same order. One pass that
// reads only each line's node, and its labels when a term needs them (the skimmer, no full
// parse); lines that no longer parse are left out. An empty needle returns `lines`.
// Thread-safe; blocks on the disk.
Result<QList<LineRef>> filterLinesByNode(const QString &file, const QList<LineRef> &lines,
                                         QStringView needle);

} // namespace Artemis
