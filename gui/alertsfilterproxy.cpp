#include "gui/alertsfilterproxy.h"

#include "gui/alertsmodel.h"

namespace Artemis::Gui {

namespace {

// Firing first when sorting by state (descending shows the worst on top).
int severity(AlertPhase phase)
{
    switch (phase) {
    case AlertPhase::Firing:
        return 3;
    case AlertPhase::Pending:
        return 2;
    case AlertPhase::Resolved:
        return 1;
    case AlertPhase::Ok:
        break;
    }
    return 0;
}

template <typename T> int compare(const T &a, const T &b)
{
    return a < b ? -1 : (b < a ? 1 : 0);
}

} // namespace

AlertsFilterProxy::AlertsFilterProxy(AlertsModel *model, QObject *parent)
    : QSortFilterProxyModel(parent), m_model(model)
{
    setSourceModel(model);
    setDynamicSortFilter(true);
}

void AlertsFilterProxy::setStateFilter(StateFilter filter)
{
    if (filter != m_state) {
        m_state = filter;
        invalidateRowsFilter();
    }
}

void AlertsFilterProxy::setTextFilter(const QString &text)
{
    const QString lowered = text.trimmed().toLower();
    if (lowered != m_text) {
        m_text = lowered;
        invalidateRowsFilter();
    }
}

bool AlertsFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    const AlertsModel::Row &row = m_model->row(sourceRow);
    const AlertPhase phase = row.alert.phase;
    bool accepted = false;
    switch (m_state) {
    case StateFilter::Failing:
        accepted = phase == AlertPhase::Pending || phase == AlertPhase::Firing;
        break;
    case StateFilter::Firing:
        accepted = phase == AlertPhase::Firing;
        break;
    case StateFilter::Pending:
        accepted = phase == AlertPhase::Pending;
        break;
    case StateFilter::Resolved:
        accepted = phase == AlertPhase::Resolved;
        break;
    case StateFilter::All:
        accepted = phase != AlertPhase::Ok;
        break;
    }
    return accepted && (m_text.isEmpty() || row.haystack.contains(m_text));
}

bool AlertsFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const AlertsModel::Row &l = m_model->row(left.row());
    const AlertsModel::Row &r = m_model->row(right.row());
    const NodeAlert &a = l.alert;
    const NodeAlert &b = r.alert;
    int c = 0;
    switch (AlertsModel::Column(left.column())) {
    case AlertsModel::NodeColumn:
        break;
    case AlertsModel::LabelsColumn:
        c = compare(l.labels, r.labels);
        break;
    case AlertsModel::ConditionColumn:
        c = compare(a.condition, b.condition);
        break;
    case AlertsModel::ExprColumn:
        c = compare(l.rule, r.rule);
        break;
    case AlertsModel::StateColumn:
        c = compare(severity(a.phase), severity(b.phase));
        break;
    case AlertsModel::SinceRoundColumn:
    case AlertsModel::SinceColumn:
        c = compare(a.sinceRound, b.sinceRound);
        if (c == 0) {
            c = compare(a.since, b.since);
        }
        break;
    case AlertsModel::FailingRoundsColumn:
        c = compare(a.failingRounds, b.failingRounds);
        break;
    case AlertsModel::ValueColumn:
        c = compare(a.value, b.value);
        break;
    case AlertsModel::ColumnCount:
        break;
    }
    // Ties (and the node column) by node, then condition: a stable, readable order.
    if (c == 0) {
        c = compare(a.node, b.node);
    }
    if (c == 0) {
        c = compare(a.condition, b.condition);
    }
    return c < 0;
}

} // namespace Artemis::Gui
