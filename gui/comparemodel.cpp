#include "gui/comparemodel.h"

#include <cmath>
#include <limits>

#include <QBrush>
#include <QColor>

#include "core/base/jsonvalues.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

void CompareModel::setRows(QList<CompareRow> rows, NumberStyle style)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_style = style;
    m_marks.clear();
    endResetModel();
}

void CompareModel::setMarks(QHash<QString, QString> marks)
{
    m_marks = std::move(marks);
    if (!m_rows.isEmpty()) {
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
    }
}

int CompareModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CompareModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CompareModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) {
        return {};
    }
    const CompareRow &row = m_rows[index.row()];
    const auto valueText = [&row] {
        if (row.outcome != OutcomeKind::Ok) {
            return u"(%1)"_s.arg(outcomeName(row.outcome));
        }
        return row.value.isUndefined() ? u"(missing)"_s : jsonValueText(row.value);
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Node:
            return row.node;
        case Value:
            return valueText();
        case Number:
            return row.number ? QVariant(formatNumber(*row.number, m_style)) : QVariant();
        }
        break;
    case SortRole:
        switch (index.column()) {
        case Node:
            return row.node;
        case Value:
            return valueText();
        case Number:
            // Rows without a number sort after every number (ascending).
            return row.number ? *row.number : std::numeric_limits<double>::infinity();
        }
        break;
    case HasValueRole:
        switch (index.column()) {
        case Value:
            return row.outcome == OutcomeKind::Ok && !row.value.isUndefined();
        case Number:
            return row.number.has_value();
        default:
            return true;
        }
    case MarkRole:
        return m_marks.value(row.node);
    case Qt::BackgroundRole: {
        const QString mark = m_marks.value(row.node);
        if (mark == u"outlier"_s) {
            return QBrush(QColor(0xff, 0xd6, 0xa8));
        }
        if (mark == u"minority"_s) {
            return QBrush(QColor(0xff, 0xf1, 0xa8));
        }
        break;
    }
    case Qt::ToolTipRole:
        if (index.column() == Number && row.number) {
            return QString::number(*row.number, 'f', 0 == std::fmod(*row.number, 1.0) ? 0 : 6);
        }
        break;
    case Qt::ForegroundRole:
        if (index.column() == Value
            && (row.outcome != OutcomeKind::Ok || row.value.isUndefined())) {
            return QBrush(QColor(0x80, 0x80, 0x80));
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Number) {
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant CompareModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Node:
        return u"Node"_s;
    case Value:
        return u"Value"_s;
    case Number:
        return u"Number"_s;
    }
    return {};
}

} // namespace Artemis::Gui
