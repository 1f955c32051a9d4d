#include "gui/groupsmodel.h"

#include <algorithm>
#include <cmath>

#include <QBrush>
#include <QColor>
#include <QHash>
#include <QMap>
#include <QSet>

#include "core/base/jsonvalues.h"
#include "core/fleet/valuedistribution.h"

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
    case RowKind::Bucket:
        return u"range"_s;
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
    if (values.distribution) {
        appendBuckets(values, rows, style);
    } else {
        m_rows.append(groups);
    }
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

void GroupsModel::appendBuckets(const FleetValues &values, const QList<CompareRow> &rows,
                                NumberStyle style)
{
    const ValueDistribution &d = *values.distribution;
    QSet<QString> outliers;
    for (const DistributionOutlier &o : d.outliers) {
        outliers.insert(o.node);
    }
    const qsizetype first = m_rows.size();
    for (const DistributionBucket &b : d.buckets) {
        Row row;
        row.kind = RowKind::Bucket;
        row.value = u"%1 – %2"_s.arg(formatNumber(b.lo, style), formatNumber(b.hi, style));
        row.count = b.nodes;
        row.share = values.withValue > 0 ? double(b.nodes) / values.withValue : 0.0;
        row.toolTip = u"%1 nodes between %2 (p50 of all: %3)"_s.arg(b.nodes).arg(row.value).arg(
            formatNumber(d.p50, style));
        m_rows.append(std::move(row));
    }
    if (d.buckets.isEmpty()) {
        return;
    }
    const double lo = d.buckets.first().lo;
    const double width = (d.buckets.last().hi - lo) / double(d.buckets.size());
    for (const CompareRow &r : rows) {
        if (!r.number || !std::isfinite(*r.number) || outliers.contains(r.node) || *r.number < lo
            || *r.number > d.buckets.last().hi) {
            continue;
        }
        // The same bin as core's distributionOf.
        const qsizetype bin = width > 0 ? std::min<qsizetype>(d.buckets.size() - 1,
                                                              qsizetype((*r.number - lo) / width))
                                        : 0;
        m_rows[first + bin].nodes.append(r.node);
    }
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
