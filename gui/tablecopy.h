#pragma once

#include <functional>

#include <QString>

class QAbstractItemModel;
class QMenu;
class QObject;
class QTableView;

namespace Artemis::Gui {

// Copy and CSV of what a table view shows (its model as sorted and filtered, visible columns,
// header row first). Used by the compare, groups and results tables. GUI thread; writing a
// CSV file goes to the global thread pool.

// The selected rows as tab-separated text, header row included, in view order.
QString selectedRowsText(const QTableView *view);
// Puts selectedRowsText on the clipboard (nothing when no row is selected).
void copySelectedRows(const QTableView *view);
// Ctrl+C on the view (and its context menu's "Copy rows") calls copySelectedRows.
void installRowCopy(QTableView *view);

// The node row menu of the compare and results tables: "Diff NODE against the majority / its
// previous round" (disabled without a node; `diff(node, against)` when chosen), then "Copy
// rows" of `view`.
void addNodeRowActions(QMenu &menu, QTableView *view, const QString &node, QObject *context,
                       const std::function<void(const QString &, const QString &)> &diff);

// Every row of the view as RFC 4180 CSV (header row, CRLF line ends), cells as displayed.
QString tableCsv(const QTableView *view);
// Writes `text` to `filePath` atomically on the pool; `done(error)` (empty on success) comes
// back on the GUI thread unless `context` is gone.
void writeTextFile(const QString &filePath, const QString &text, QObject *context,
                   std::function<void(QString)> done);

} // namespace Artemis::Gui
