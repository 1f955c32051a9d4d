#include "gui/compareproxy.h"

#include "gui/comparemodel.h"

namespace Artemis::Gui {

void CompareProxy::setNodeFilter(std::optional<QSet<QString>> nodes)
{
    m_nodes = std::move(nodes);
    invalidateRowsFilter();
}

bool CompareProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const bool l = left.data(CompareModel::HasValueRole).toBool();
    const bool r = right.data(CompareModel::HasValueRole).toBool();
    if (l != r) {
        // The view reverses the order for a descending sort; answer so that the row without a
        // value still ends up last.
        return sortOrder() == Qt::AscendingOrder ? l : r;
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

bool CompareProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_nodes) {
        return true;
    }
    const QString node =
        sourceModel()->index(sourceRow, CompareModel::Node, sourceParent).data().toString();
    return m_nodes->contains(node);
}

} // namespace Artemis::Gui
