#include "gui/huntlistmodel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

#include "core/base/plural.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

QString huntDescription(const HuntInfo &info)
{
    return u"Hunt %1 — %2 — %3, %4 of %5, %6 ok"_s.arg(
        info.id, info.url, huntStateName(info.state), QString::number(info.done),
        nodeCount(info.total), QString::number(info.counts.count(OutcomeKind::Ok)));
}

void HuntListModel::setHunts(QList<HuntInfo> hunts)
{
    beginResetModel();
    m_hunts = std::move(hunts);
    endResetModel();
}

int HuntListModel::rowOf(const QString &id) const
{
    for (int i = 0; i < m_hunts.size(); ++i) {
        if (m_hunts[i].id == id) {
            return i;
        }
    }
    return -1;
}

void HuntListModel::update(const HuntInfo &info)
{
    const int row = rowOf(info.id);
    if (row < 0) {
        beginInsertRows({}, 0, 0);
        m_hunts.prepend(info);
        endInsertRows();
        return;
    }
    m_hunts[row] = info;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void HuntListModel::updateProgress(const HuntProgress &progress)
{
    const int row = rowOf(progress.id);
    if (row < 0) {
        return;
    }
    HuntInfo &info = m_hunts[row];
    info.state = progress.state;
    info.done = progress.done;
    info.total = progress.total;
    info.counts = progress.counts;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int HuntListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_hunts.size());
}

int HuntListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HuntListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_hunts.size()) {
        return {};
    }
    const HuntInfo &h = m_hunts[index.row()];
    if (role == IdRole) {
        return h.id;
    }
    if (role == Qt::ForegroundRole && index.column() == State) {
        if (h.state == HuntState::Done) {
            return QBrush(QColor(0x1b, 0x7f, 0x3b));
        }
        if (h.state == HuntState::Failed || h.state == HuntState::Interrupted) {
            return QBrush(QColor(0xb0, 0x20, 0x20));
        }
        return {};
    }
    if (role == Qt::TextAlignmentRole && (index.column() == Ok || index.column() == Failed)) {
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::ToolTipRole) {
        return h.error.isEmpty() ? h.id : h.id + u"\n"_s + h.error;
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case Created:
        return h.createdAt.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s);
    case State:
        return huntStateName(h.state);
    case Url:
        return h.url;
    case Progress:
        return u"%1 / %2"_s.arg(QLocale().toString(h.done), QLocale().toString(h.total));
    case Ok:
        return QLocale().toString(h.counts.count(OutcomeKind::Ok));
    case Failed:
        return QLocale().toString(h.counts.failed());
    case Id:
        return h.id;
    default:
        return {};
    }
}

QVariant HuntListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    static const QStringList titles = {u"Created"_s, u"State"_s,  u"Path"_s, u"Done"_s,
                                       u"OK"_s,      u"Failed"_s, u"Id"_s};
    return titles.value(section);
}

} // namespace Artemis::Gui
