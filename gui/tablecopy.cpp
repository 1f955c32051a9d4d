#include "gui/tablecopy.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QMenu>
#include <QSaveFile>
#include <QTableView>
#include <QThreadPool>

#include "core/fleet/projection.h"
#include "gui/async.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {

QList<int> visibleColumns(const QTableView *view)
{
    QList<int> columns;
    const QHeaderView *header = view->horizontalHeader();
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!view->isColumnHidden(logical)) {
            columns.append(logical);
        }
    }
    return columns;
}

QString tsvCell(QString text)
{
    text.replace(u'\t', u' ').replace(u'\n', u' ').replace(u'\r', u' ');
    return text;
}

QString rowsText(const QTableView *view, const QList<int> &rows, bool csv)
{
    const QAbstractItemModel *model = view->model();
    const QList<int> columns = visibleColumns(view);
    const QString sep = csv ? u","_s : u"\t"_s;
    const QString eol = csv ? u"\r\n"_s : u"\n"_s;
    // CSV as every export writes it: safe to open in a spreadsheet (core/fleet/projection.h).
    const auto cell = [csv](const QString &t) { return csv ? csvCell(t) : tsvCell(t); };
    QStringList line;
    for (int c : columns) {
        line.append(cell(model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString()));
    }
    QString out = line.join(sep) + eol;
    for (int r : rows) {
        line.clear();
        for (int c : columns) {
            line.append(cell(model->index(r, c).data(Qt::DisplayRole).toString()));
        }
        out += line.join(sep) + eol;
    }
    return out;
}

} // namespace

QString selectedRowsText(const QTableView *view)
{
    if (!view->model() || !view->selectionModel()) {
        return {};
    }
    QList<int> rows;
    for (const QModelIndex &index : view->selectionModel()->selectedRows()) {
        rows.append(index.row());
    }
    if (rows.isEmpty()) {
        for (const QModelIndex &index : view->selectionModel()->selectedIndexes()) {
            rows.append(index.row());
        }
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    if (rows.isEmpty()) {
        return {};
    }
    return rowsText(view, rows, false);
}

void copySelectedRows(const QTableView *view)
{
    const QString text = selectedRowsText(view);
    if (!text.isEmpty()) {
        QApplication::clipboard()->setText(text);
    }
}

void installRowCopy(QTableView *view)
{
    auto *copy = new QAction(u"Copy rows"_s, view);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    QObject::connect(copy, &QAction::triggered, view, [view] { copySelectedRows(view); });
    view->addAction(copy);
}

void addNodeRowActions(QMenu &menu, QTableView *view, const QString &node, QObject *context,
                       const std::function<void(const QString &, const QString &)> &diff)
{
    using namespace Qt::StringLiterals;
    QAction *majority = menu.addAction(u"Diff %1 against the majority"_s.arg(node), context,
                                       [diff, node] { diff(node, u"majority"_s); });
    QAction *previous = menu.addAction(u"Diff %1 against its previous round"_s.arg(node), context,
                                       [diff, node] { diff(node, u"previous"_s); });
    majority->setEnabled(!node.isEmpty());
    previous->setEnabled(!node.isEmpty());
    menu.addSeparator();
    menu.addAction(u"Copy rows"_s, context, [view] { copySelectedRows(view); });
}

QString tableCsv(const QTableView *view)
{
    if (!view->model()) {
        return {};
    }
    QList<int> rows;
    for (int r = 0; r < view->model()->rowCount(); ++r) {
        rows.append(r);
    }
    return rowsText(view, rows, true);
}

void writeTextFile(const QString &filePath, const QString &text, QObject *context,
                   std::function<void(QString)> done)
{
    runInPool(
        QThreadPool::globalInstance(), context,
        [filePath, text]() -> QString {
            QSaveFile file(filePath);
            if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0
                || !file.commit()) {
                return u"cannot write %1: %2"_s.arg(filePath, file.errorString());
            }
            return {};
        },
        [done = std::move(done)](QString error) {
            if (done) {
                done(std::move(error));
            }
        });
}

} // namespace Artemis::Gui
