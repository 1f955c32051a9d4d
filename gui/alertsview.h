#pragma once

#include <QTimer>
#include <QWidget>

#include "gui/schedulealerts.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;
class QTableView;

namespace Artemis::Gui {

class AlertsFilterProxy;
class AlertsModel;
class HuntBackend;

// "Alerts": pick a schedule; shows each node's failing conditions in it (node, labels,
// condition, expression, state, since which round and when, failing rounds, the value that
// failed) as of the last evaluated round. By default only pending and firing rows; a state
// filter (firing, pending, resolved, all) and a text filter narrow it. Refreshes when the
// backend says a round was evaluated (local), every few seconds while shown and auto-refresh
// is on (remote: the server does not tell), and on Refresh. When there is nothing to list it
// says why: no schedule, no conditions on it, no round evaluated yet, all nodes pass.
// Double-clicking a row asks for that node's history.
//
// The table is a model (AlertsModel) behind a proxy (AlertsFilterProxy) that filters and sorts
// on precomputed row text, so 100,000 nodes x a few conditions stay fast. The backend reads off
// the GUI thread. Lives on the GUI thread.
class AlertsView final : public QWidget
{
    Q_OBJECT
public:
    explicit AlertsView(HuntBackend *backend, QWidget *parent = nullptr);

    void setBackend(HuntBackend *backend); // not owned
    void refreshSchedules();               // then the selected schedule's alerts
    void refresh();                        // the selected schedule's alerts
    void setAutoRefreshMs(int ms);         // default 5000

    QComboBox *scheduleBox() const { return m_schedules; }
    QComboBox *stateBox() const { return m_state; } // items carry AlertsFilterProxy::StateFilter
    QLineEdit *textFilter() const { return m_text; }
    QCheckBox *autoRefreshBox() const { return m_auto; }
    QPushButton *refreshButton() const { return m_refresh; }
    QLabel *summaryLabel() const { return m_summary; }
    // The selected schedule's warnings and skipped rounds (scheduleNotes); hidden when none.
    QLabel *scheduleNotesLabel() const { return m_notes; }
    QLabel *emptyLabel() const { return m_empty; } // shown instead of the table when empty
    QTableView *table() const { return m_table; }
    AlertsModel *model() const { return m_model; }
    AlertsFilterProxy *proxy() const { return m_proxy; }

Q_SIGNALS:
    void schedulesListed(int count);
    void alertsShown(int rows); // an answer is in the model; `rows` pass the filters
    void message(const QString &text);
    void historyRequested(const QString &schedule, const QString &node);

private:
    QString currentSchedule() const;
    void fill(ScheduleAlerts alerts);
    void updateEmptyState();

    HuntBackend *m_backend;       // not owned
    quint64 m_generation = 0;     // alert answers
    quint64 m_listGeneration = 0; // schedule listings
    bool m_inFlight = false;
    bool m_again = false;    // a refresh was asked while one was in flight
    QString m_modelSchedule; // whose alerts the model holds or awaits
    bool m_loaded = false;   // the model holds an answer for m_modelSchedule
    bool m_sized = false;    // its columns were fitted to rows
    QMetaObject::Connection m_evaluated;
    QTimer m_timer;

    QComboBox *m_schedules;
    QPushButton *m_refresh;
    QComboBox *m_state;
    QLineEdit *m_text;
    QCheckBox *m_auto;
    QLabel *m_notes;
    QLabel *m_summary;
    QLabel *m_empty;
    QTableView *m_table;
    QStackedWidget *m_stack;
    AlertsModel *m_model;
    AlertsFilterProxy *m_proxy;
};

} // namespace Artemis::Gui
