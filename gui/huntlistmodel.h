#pragma once

#include <QAbstractTableModel>
#include <QList>

#include "core/engine/huntengine.h"
#include "core/hunt/huntinfo.h"

namespace Artemis::Gui {

// One line about a hunt for the views that show one (Compare, Diff): "Hunt ID — URL — done,
// 1,990 of 2,000 nodes, 1,944 ok".
QString huntDescription(const HuntInfo &info);

// Saved hunts, newest first, with state and counts; live hunts update in place from progress.
// Lives on the GUI thread.
class HuntListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Created, State, Url, Progress, Ok, Failed, Id, ColumnCount };
    static constexpr int IdRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;

    void setHunts(QList<HuntInfo> hunts);
    void update(const HuntInfo &info); // inserts at the top when new
    void updateProgress(const HuntProgress &progress);
    const HuntInfo &hunt(int row) const { return m_hunts[row]; }
    int rowOf(const QString &id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<HuntInfo> m_hunts;
};

} // namespace Artemis::Gui
