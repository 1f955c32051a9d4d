#include "gui/huntresultsmodel.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

void HuntResultsModel::start(const QString &huntId, const QStringList &nodes)
{
    beginResetModel();
    m_huntId = huntId;
    m_pendingState = u"waiting"_s;
    m_rows.clear();
    m_rowOf.clear();
    m_rows.reserve(nodes.size());
    m_rowOf.reserve(nodes.size());
    for (const QString &node : nodes) {
        if (m_rowOf.contains(node)) {
            continue; // duplicates are fetched once
        }
        m_rowOf.insert(node, int(m_rows.size()));
        ResultRow row;
        row.node = node;
        m_rows.append(std::move(row));
    }
    endResetModel();
}

void HuntResultsModel::clear()
{
    start({}, {});
}

void HuntResultsModel::applyProgress(const HuntProgress &progress)
{
    if (progress.id != m_huntId || progress.newOutcomes.isEmpty()) {
        return;
    }
    int first = int(m_rows.size());
    int last = -1;
    QList<ResultRow> added;
    for (const Outcome &outcome : progress.newOutcomes) {
        const auto it = m_rowOf.constFind(outcome.node);
        if (it == m_rowOf.cend()) {
            added.append(ResultRow::from(outcome));
            continue;
        }
        m_rows[*it] = ResultRow::from(outcome);
        first = std::min(first, *it);
        last = std::max(last, *it);
    }
    if (last >= 0) {
        // One range per batch: outcomes arrive roughly in node order, so the range stays
        // close to the batch; views only repaint what is visible.
        Q_EMIT dataChanged(index(first, 0), index(last, int(ResultColumn::Count) - 1));
    }
    if (!added.isEmpty()) {
        const int begin = int(m_rows.size());
        beginInsertRows({}, begin, begin + int(added.size()) - 1);
        for (ResultRow &row : added) {
            m_rowOf.insert(row.node, int(m_rows.size()));
            m_rows.append(std::move(row));
        }
        endInsertRows();
    }
}

void HuntResultsModel::finish(HuntState state)
{
    m_pendingState = state == HuntState::Done ? u"waiting"_s : u"not fetched"_s;
    if (!m_rows.isEmpty()) {
        Q_EMIT dataChanged(index(0, int(ResultColumn::State)),
                           index(int(m_rows.size()) - 1, int(ResultColumn::State)));
    }
}

int HuntResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HuntResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ResultColumn::Count);
}

QVariant HuntResultsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) {
        return {};
    }
    return resultCellData(m_rows[index.row()], ResultColumn(index.column()), role, m_pendingState);
}

QVariant HuntResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole) {
        return resultColumnTitle(ResultColumn(section));
    }
    return {};
}

} // namespace Artemis::Gui
