#pragma once

#include <QAbstractTableModel>
#include <QList>

#include "gui/huntbackend.h"

namespace Artemis::Gui {

// One row per node of a hunt: its value at the compared JSON path and the number read from
// it ("80%" -> 80). Sort by SortRole (numbers numerically; rows without a number last).
// Lives on the GUI thread.
class CompareModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Node, Value, Number, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(QList<CompareRow> rows);
    const QList<CompareRow> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<CompareRow> m_rows;
};

} // namespace Artemis::Gui
