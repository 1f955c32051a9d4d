#pragma once

#include <QList>
#include <QWidget>

#include "core/store/nodehistory.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace Artemis::Gui {

class BarChart;
class HuntBackend;

// "Node history": pick a schedule, one of its nodes and a JSON path; shows that node's last
// outcomes across the schedule's rounds (round, time, outcome, HTTP status, latency, value) in
// a table, newest first, and the path's numbers over time as a bar chart (oldest left).
// The backend reads off the GUI thread. Lives on the GUI thread.
class HistoryView final : public QWidget
{
    Q_OBJECT
public:
    explicit HistoryView(HuntBackend *backend, QWidget *parent = nullptr);

    void setBackend(HuntBackend *backend); // not owned
    void refreshSchedules();
    void showHistory(const QString &schedule, const QString &node, const QString &path);

    QComboBox *scheduleBox() const { return m_schedules; }
    // The selected schedule's warnings and skipped rounds (scheduleNotes); hidden when none.
    QLabel *scheduleNotesLabel() const { return m_notes; }
    QLineEdit *nodeEdit() const { return m_node; }
    QLineEdit *pathEdit() const { return m_path; }
    QTableWidget *table() const { return m_table; }
    BarChart *chart() const { return m_chart; }

Q_SIGNALS:
    void schedulesListed(int count);
    void shown(int rows); // history arrived and is in the table and chart
    void message(const QString &text);

private:
    void showCurrent();
    void fill(const QList<NodeHistoryEntry> &entries);

    HuntBackend *m_backend;       // not owned
    quint64 m_generation = 0;     // history answers
    quint64 m_listGeneration = 0; // schedule listings
    QComboBox *m_schedules;
    QLabel *m_notes;
    QPushButton *m_refresh;
    QLineEdit *m_node;
    QLineEdit *m_path;
    QSpinBox *m_limit;
    QPushButton *m_go;
    QTableWidget *m_table;
    BarChart *m_chart;
};

} // namespace Artemis::Gui
