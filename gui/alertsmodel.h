#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QString>

#include "gui/schedulealerts.h"

namespace Artemis::Gui {

// The Alerts table: one row per node and condition not ok in a schedule (ScheduleAlerts):
// node, labels, condition, its expression, state, since (round and time), failing rounds and
// the value that failed. setAlerts() replaces everything in one reset; the text each row is
// filtered and sorted by is built then, once, so a proxy over 300,000 rows filters and sorts
// without formatting anything (AlertsFilterProxy reads row() directly).
//
// Lives on the GUI thread.
class AlertsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        NodeColumn,
        LabelsColumn,
        ConditionColumn,
        ExprColumn,
        StateColumn,
        SinceRoundColumn,
        SinceColumn,
        FailingRoundsColumn,
        ValueColumn,
        ColumnCount
    };
    static constexpr int PhaseRole = Qt::UserRole + 1; // int(AlertPhase)
    static constexpr int NodeRole = Qt::UserRole + 2;

    struct Row
    {
        NodeAlert alert;
        QString labels;   // "dc=fra1, role=db"
        int rule = -1;    // index in conditions(); -1: a rule the schedule no longer has
        QString haystack; // node, labels, condition, value: lower-cased, for the text filter
    };

    explicit AlertsModel(QObject *parent = nullptr);

    void setAlerts(ScheduleAlerts alerts);
    const ScheduleAlerts &alerts() const { return m_alerts; } // its `alerts` list is moved out
    const AlertRuleList &conditions() const { return m_alerts.conditions; }
    const Row &row(int row) const { return m_rows[row]; }
    QString expression(const Row &row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    ScheduleAlerts m_alerts;
    QList<Row> m_rows;
};

} // namespace Artemis::Gui
