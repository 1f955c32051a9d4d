#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include "core/engine/huntengine.h"
#include "core/hunt/unfinishednodes.h"
#include "gui/resultcolumns.h"

namespace Artemis::Gui {

// The live per-node table of one running hunt. Starts with every node "waiting" and fills
// rows from batched HuntProgress (one dataChanged/insert per batch, never one per node), so a
// 100,000-node hunt costs ~10 model updates a second. Outcomes for nodes it did not know
// (a remote hunt watched after the fact) are appended, one beginInsertRows per batch.
// The nodes the hunt still waits on (HuntProgress::unfinished, the oldest few) read as such:
// "in flight (attempt 2, 7.1 s)" or "retry wait (after attempt 1, 2.0 s)", their attempt in the
// Attempts column; once every unfinished node is listed, the other rows without an outcome
// read "queued" (not handed out yet).
//
// Lives on the GUI thread.
class HuntResultsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;

    void start(const QString &huntId, const QStringList &nodes);
    void clear();
    QString huntId() const { return m_huntId; }
    // Applies a progress batch of the current hunt (ignored for other hunts).
    void applyProgress(const HuntProgress &progress);
    // The hunt ended: rows still without an outcome now read `state` (e.g. "not fetched").
    void finish(HuntState state);

    const ResultRow &row(int index) const { return m_rows[index]; }
    // What the hunt is doing with the node of row `index`: nullptr when it has an outcome, is
    // not among the oldest unfinished nodes the last progress listed, or the hunt is over.
    const UnfinishedNode *liveState(int index) const;
    // The State text of a row: "done", "in flight (attempt 2, 7.1 s)", "queued", "waiting", ...
    QString stateText(int index) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    // Takes the hunt's unfinished nodes; widens [first, last] by the rows whose state changed.
    void applyUnfinished(const UnfinishedSnapshot &unfinished, int &first, int &last);

    QString m_huntId;
    QList<ResultRow> m_rows;
    QHash<QString, int> m_rowOf; // node -> row
    QString m_pendingState;
    QHash<int, UnfinishedNode> m_live; // row -> the node's state, for the listed unfinished ones
    bool m_allListed = false; // every unfinished node is in m_live: the other pending are queued
};

} // namespace Artemis::Gui
