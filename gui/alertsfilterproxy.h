#pragma once

#include <QSortFilterProxyModel>

namespace Artemis::Gui {

class AlertsModel;

// Filters the Alerts table by state and by text (node, labels, condition or value,
// case-insensitive) and sorts it by the column's raw value (rounds as numbers, times as
// times). Reads AlertsModel's rows directly: at 300,000 rows a sort through QVariants of
// data() is several times slower. Lives on the GUI thread.
class AlertsFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    enum class StateFilter { Failing, Firing, Pending, Resolved, All };

    explicit AlertsFilterProxy(AlertsModel *model, QObject *parent = nullptr);

    void setStateFilter(StateFilter filter); // default Failing: pending and firing
    StateFilter stateFilter() const { return m_state; }
    void setTextFilter(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    AlertsModel *m_model; // the source; not owned
    StateFilter m_state = StateFilter::Failing;
    QString m_text; // lower-cased
};

} // namespace Artemis::Gui
