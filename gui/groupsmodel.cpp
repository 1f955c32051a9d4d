#include "gui/groupsmodel.h"

#include <QBrush>
#include <QColor>
#include <QHash>
#include <QMap>

#include "core/jsonvalues.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

QString GroupsModel::kindName(RowKind kind)
{
    switch (kind) {
    case RowKind::Outlier:
        return u"outlier"_s;
    case RowKind::Minority:
        return u"minority"_s;
    case RowKind::Group:
        return u"value"_s;
    case RowKind::Missing:
        return u"missing"_s;
    case RowKind::Failed:
        return u"failed"_s;
    }
    return {};
}

void GroupsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

void GroupsModel::set(const FleetValues &values, const QList<CompareRow> &rows, NumberStyle style)
{
    beginResetModel();
    m_rows.clear();
    const auto shown = [style](const QJsonValue &value) {
        // Strings as the nodes wrote them; bare numbers in the path's style.
        if (value.isDouble()) {
            return formatNumber(value.toDouble(), style);
        }
        return jsonValueText(value);
    };
    for (const ValueOutlier &o : values.outliers) {
        Row row;
        row.kind = RowKind::Outlier;
        row.value = u"%1 on %2"_s.arg(shown(o.value), o.node);
        row.count = 1;
        row.nodes = {o.node};
        row.toolTip = u"%1: %2 is far from the median (modified z-score %3)"_s.arg(
            o.node, formatNumber(o.number, style), QString::number(o.score, 'f', 1));
        m_rows.append(std::move(row));
    }

    // A server cuts each group's node list; the per-node rows have them all.
    QHash<QString, QStringList> nodesByText;
    bool needNodes = false;
    for (const ValueGroup &g : values.groups) {
        needNodes = needNodes || g.nodes.size() < g.count;
    }
    QStringList missing;
    QMap<QString, QStringList> failed;
    for (const CompareRow &r : rows) {
        if (r.outcome != OutcomeKind::Ok) {
            failed[outcomeName(r.outcome)].append(r.node);
        } else if (r.value.isUndefined()) {
            missing.append(r.node);
        } else if (needNodes) {
            nodesByText[compactJsonText(r.value)].append(r.node);
        }
    }
    QList<Row> minorities;
    QList<Row> groups;
    for (const ValueGroup &g : values.groups) {
        Row row;
        row.kind = g.minority ? RowKind::Minority : RowKind::Group;
        row.value = shown(g.value);
        row.count = g.count;
        row.share = g.share;
        row.nodes = g.nodes.size() < g.count ? nodesByText.value(g.text, g.nodes) : g.nodes;
        row.toolTip =
            u"%1 of %2 nodes with a value%3"_s.arg(g.count)
                .arg(values.withValue)
                .arg(g.minority ? u" — a minority: most nodes answer differently"_s : QString());
        (g.minority ? minorities : groups).append(std::move(row));
    }
    m_rows.append(minorities);
    m_rows.append(groups);
    if (values.missing > 0) {
        Row row;
        row.kind = RowKind::Missing;
        row.value = u"(no such key)"_s;
        row.count = values.missing;
        row.nodes = missing;
        row.toolTip = u"Answered ok, but the answer has no %1"_s.arg(values.path);
        m_rows.append(std::move(row));
    }
    for (auto it = values.failed.cbegin(); it != values.failed.cend(); ++it) {
        Row row;
        row.kind = RowKind::Failed;
        row.value = u"(%1)"_s.arg(it.key());
        row.count = it.value();
        row.nodes = failed.value(it.key());
        row.toolTip = u"No answer to compare: %1"_s.arg(it.key());
        m_rows.append(std::move(row));
    }
    endResetModel();
}

int GroupsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int GroupsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant GroupsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) {
        return {};
    }
    const Row &row = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Kind:
            return kindName(row.kind);
        case Value:
            return row.value;
        case Count:
            return row.count;
        case Share:
            return row.share < 0 ? QVariant()
                                 : QVariant(QString::number(row.share * 100, 'f', 1) + u'%');
        }
        break;
    case Qt::ToolTipRole:
        return row.toolTip;
    case Qt::BackgroundRole:
        if (row.kind == RowKind::Outlier) {
            return QBrush(QColor(0xff, 0xd6, 0xa8));
        }
        if (row.kind == RowKind::Minority) {
            return QBrush(QColor(0xff, 0xf1, 0xa8));
        }
        break;
    case Qt::ForegroundRole:
        if (row.kind == RowKind::Missing || row.kind == RowKind::Failed) {
            return QBrush(row.kind == RowKind::Failed ? QColor(0xb0, 0x20, 0x20)
                                                      : QColor(0x70, 0x70, 0x70));
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Count || index.column() == Share) {
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant GroupsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Kind:
        return u"Kind"_s;
    case Value:
        return u"Value"_s;
    case Count:
        return u"Nodes"_s;
    case Share:
        return u"Share"_s;
    }
    return {};
}

} // namespace Artemis::Gui
