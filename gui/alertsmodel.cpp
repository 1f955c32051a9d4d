#include "gui/alertsmodel.h"

#include <QBrush>
#include <QColor>
#include <QHash>
#include <QStringList>

#include "core/base/plural.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {

QString labelsText(const Labels &labels)
{
    QStringList parts;
    parts.reserve(labels.size());
    for (auto it = labels.cbegin(); it != labels.cend(); ++it) {
        parts.append(it.key() + u'=' + it.value());
    }
    return parts.join(u", "_s);
}

} // namespace

AlertsModel::AlertsModel(QObject *parent) : QAbstractTableModel(parent) {}

void AlertsModel::setAlerts(ScheduleAlerts alerts)
{
    beginResetModel();
    m_alerts = std::move(alerts);
    QHash<QString, int> rules;
    for (int i = 0; i < m_alerts.conditions.size(); ++i) {
        rules.insert(m_alerts.conditions[i].name, i);
    }
    m_rows.clear();
    m_rows.reserve(m_alerts.alerts.size());
    for (NodeAlert &alert : m_alerts.alerts) {
        Row row;
        row.labels = labelsText(alert.labels);
        row.rule = rules.value(alert.condition, -1);
        row.haystack =
            (alert.node + u'\n' + row.labels + u'\n' + alert.condition + u'\n' + alert.value)
                .toLower();
        row.alert = std::move(alert);
        m_rows.append(std::move(row));
    }
    m_alerts.alerts.clear(); // the rows hold them now
    endResetModel();
}

QString AlertsModel::expression(const Row &row) const
{
    return row.rule >= 0 ? m_alerts.conditions[row.rule].condition.text() : QString();
}

int AlertsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AlertsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AlertsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) {
        return {};
    }
    const Row &row = m_rows[index.row()];
    const NodeAlert &a = row.alert;
    if (role == PhaseRole) {
        return int(a.phase);
    }
    if (role == NodeRole) {
        return a.node;
    }
    if (role == Qt::BackgroundRole && index.column() == StateColumn) {
        switch (a.phase) {
        case AlertPhase::Firing:
            return QBrush(QColor(0xf4, 0xb4, 0xb4));
        case AlertPhase::Pending:
            return QBrush(QColor(0xfb, 0xe3, 0x9c));
        case AlertPhase::Resolved:
            return QBrush(QColor(0xc8, 0xe6, 0xc9));
        case AlertPhase::Ok:
            break;
        }
        return {};
    }
    if (role == Qt::ToolTipRole && index.column() == ExprColumn) {
        if (row.rule < 0) {
            return QVariant();
        }
        const AlertRule &rule = m_alerts.conditions[row.rule];
        const QString when = u"healthy when: %1 (fires after %2)"_s.arg(
            expression(row), countOf(rule.forRounds, u"failing round"));
        return rule.name == NodeDownRule::Name
                   ? u"Built-in condition: the node answers (outcome ok); "_s + when
                   : when;
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) {
        return {};
    }
    switch (Column(index.column())) {
    case NodeColumn:
        return a.node;
    case LabelsColumn:
        return row.labels;
    case ConditionColumn:
        return a.condition;
    case ExprColumn:
        return expression(row);
    case StateColumn:
        return alertPhaseName(a.phase);
    case SinceRoundColumn:
        return a.sinceRound;
    case SinceColumn:
        return a.since.isValid() ? a.since.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s)
                                 : QString();
    case FailingRoundsColumn:
        return a.failingRounds;
    case ValueColumn:
        return a.value;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant AlertsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    static const QStringList names = {u"Node"_s,       u"Labels"_s,         u"Condition"_s,
                                      u"Expression"_s, u"State"_s,          u"Since round"_s,
                                      u"Since"_s,      u"Failing rounds"_s, u"Value"_s};
    return section >= 0 && section < names.size() ? names[section] : QVariant();
}

} // namespace Artemis::Gui
