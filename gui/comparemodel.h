#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include "gui/huntbackend.h"
#include "gui/numberformat.h"

namespace Artemis::Gui {

// One row per node of a hunt: its value at the compared JSON path and the number read from
// it ("80%" -> 80), shown in the path's number style (gui/numberformat.h). Sort by SortRole
// through CompareProxy (rows without a value or number stay last in both directions). Nodes of
// minority groups and outliers are marked (background; MarkRole).
// Lives on the GUI thread.
class CompareModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Node, Value, Number, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int HasValueRole = Qt::UserRole + 2; // bool: the cell has a value to sort
    static constexpr int MarkRole = Qt::UserRole + 3;     // QString: "outlier", "minority" or ""

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(QList<CompareRow> rows, NumberStyle style = NumberStyle::Plain);
    void setMarks(QHash<QString, QString> marks); // node -> "outlier" / "minority"
    NumberStyle style() const { return m_style; }
    const QList<CompareRow> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<CompareRow> m_rows;
    NumberStyle m_style = NumberStyle::Plain;
    QHash<QString, QString> m_marks;
};

} // namespace Artemis::Gui
