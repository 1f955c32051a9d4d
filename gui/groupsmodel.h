#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>

#include "core/fleet/fleetvalues.h"
#include "gui/huntbackend.h"
#include "gui/numberformat.h"

namespace Artemis::Gui {

// The "who is different?" list of one compared path, one row per answer kind, in this order:
// numeric outliers (one row per node), minority groups, the other value groups (most common
// first) — or, for a numeric path with many distinct values (FleetValues::distribution), the
// histogram's buckets in value order instead of a list of tiny groups —, nodes without the key
// (`missing`), then failed nodes by outcome. Each row knows its nodes, so the compare view can
// filter its node table to them. Built from core's FleetValues plus the per-node rows (which supply
// the missing and failed nodes, and a group's full node list when the server cut it). Lives on the
// GUI thread.
class GroupsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Kind, Value, Count, Share, ColumnCount };
    enum class RowKind { Outlier, Minority, Group, Bucket, Missing, Failed };

    struct Row
    {
        RowKind kind = RowKind::Group;
        QString value; // as shown
        int count = 0;
        double share = -1; // of the nodes with a value; -1 where it does not apply
        QStringList nodes;
        QString toolTip;
    };

    using QAbstractTableModel::QAbstractTableModel;

    void set(const FleetValues &values, const QList<CompareRow> &rows, NumberStyle style);
    void clear();
    const QList<Row> &groupRows() const { return m_rows; }
    const Row &row(int index) const { return m_rows[index]; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString kindName(RowKind kind);

private:
    // One row per distribution bucket ("40 – 40.55"), its nodes those of `rows` in it.
    void appendBuckets(const FleetValues &values, const QList<CompareRow> &rows, NumberStyle style);

    QList<Row> m_rows;
};

} // namespace Artemis::Gui
