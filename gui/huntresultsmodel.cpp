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
    m_live.clear();
    m_allListed = false;
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
    if (progress.id != m_huntId) {
        return;
    }
    int first = int(m_rows.size());
    int last = -1;
    applyUnfinished(isFinished(progress.state) ? UnfinishedSnapshot{} : progress.unfinished, first,
                    last);
    QList<ResultRow> added;
    for (const Outcome &outcome : progress.newOutcomes) {
        const auto it = m_rowOf.constFind(outcome.node);
        if (it == m_rowOf.cend()) {
            added.append(ResultRow::from(outcome));
            continue;
        }
        m_rows[*it] = ResultRow::from(outcome);
        m_live.remove(*it);
        first = std::min(first, *it);
        last = std::max(last, *it);
    }
    if (last >= 0) {
        // One range per batch: outcomes arrive roughly in node order, so the range stays
        // close to the batch (with the few unfinished nodes whose state changed); views only
        // repaint what is visible.
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

void HuntResultsModel::applyUnfinished(const UnfinishedSnapshot &unfinished, int &first, int &last)
{
    QHash<int, UnfinishedNode> live;
    for (const UnfinishedNode &node : unfinished.oldest) {
        const auto it = m_rowOf.constFind(node.node);
        if (it != m_rowOf.cend() && m_rows[*it].outcome < 0) {
            live.insert(*it, node);
        }
    }
    const bool allListed = unfinished.count <= unfinished.oldest.size();
    const bool allChanged = allListed != m_allListed;
    // Only the rows whose state changed: the oldest unfinished nodes are few (20) and mostly
    // near each other in node order, so a 100,000-row table (and its filter) is not touched.
    const auto touch = [&](int row) {
        first = std::min(first, row);
        last = std::max(last, row);
    };
    const auto changed = [&touch](const QHash<int, UnfinishedNode> &from,
                                  const QHash<int, UnfinishedNode> &to) {
        for (auto it = from.cbegin(); it != from.cend(); ++it) {
            const auto other = to.constFind(it.key());
            if (other == to.cend() || *other != *it) {
                touch(it.key());
            }
        }
    };
    changed(m_live, live);
    changed(live, m_live);
    m_live = std::move(live);
    m_allListed = allListed;
    if (allChanged && !m_rows.isEmpty()) {
        touch(0); // "waiting" <-> "queued": once per hunt
        touch(int(m_rows.size()) - 1);
    }
}

const UnfinishedNode *HuntResultsModel::liveState(int row) const
{
    const auto it = m_live.constFind(row);
    return it == m_live.cend() || m_rows[row].outcome >= 0 ? nullptr : &*it;
}

QString HuntResultsModel::stateText(int row) const
{
    if (row < 0 || row >= m_rows.size()) {
        return {};
    }
    if (m_rows[row].outcome >= 0) {
        return u"done"_s;
    }
    if (const UnfinishedNode *live = liveState(row)) {
        const QString age = QString::number(double(live->ageMs) / 1000.0, 'f', 1) + u" s"_s;
        return live->state == UnfinishedNode::State::RetryWait
                   ? u"retry wait (after attempt %1, %2)"_s.arg(live->attempt).arg(age)
                   : u"in flight (attempt %1, %2)"_s.arg(live->attempt).arg(age);
    }
    return m_allListed && m_pendingState == u"waiting"_s ? u"queued"_s : m_pendingState;
}

void HuntResultsModel::finish(HuntState state)
{
    m_live.clear();
    m_allListed = false;
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
    const UnfinishedNode *live = liveState(index.row());
    if (role == LiveRole) {
        return live ? int(live->state) + 1 : 0;
    }
    if (live && index.column() == int(ResultColumn::Attempts)
        && (role == Qt::DisplayRole || role == SortRole)) {
        return live->attempt;
    }
    return resultCellData(m_rows[index.row()], ResultColumn(index.column()), role,
                          stateText(index.row()));
}

QVariant HuntResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole) {
        return resultColumnTitle(ResultColumn(section));
    }
    return {};
}

} // namespace Artemis::Gui
