#pragma once

#include <optional>

#include <QSet>
#include <QSortFilterProxyModel>
#include <QString>

namespace Artemis::Gui {

// Sorts the compare table by CompareModel::SortRole with the rows that have no value in the
// sorted column (missing key, failed node, not a number) last whichever the direction, and
// optionally shows only a set of nodes (a clicked group, bar or histogram bin).
// Lives on the GUI thread.
class CompareProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setNodeFilter(std::optional<QSet<QString>> nodes); // nullopt: every node
    bool isFiltered() const { return m_nodes.has_value(); }

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    std::optional<QSet<QString>> m_nodes;
};

} // namespace Artemis::Gui
