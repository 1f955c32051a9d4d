#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace Artemis::Gui {

class BarChart;
class CompareModel;
class HuntBackend;

// "Compare across nodes": the value at one JSON path for every node of a hunt, in a sortable
// table, with a bar chart and min / median / max of the numbers ("80%" and "1234M" count).
// Values are collected by the backend off the GUI thread. Lives on the GUI thread.
class CompareView final : public QWidget
{
    Q_OBJECT
public:
    explicit CompareView(HuntBackend *backend, QWidget *parent = nullptr);

    void setBackend(HuntBackend *backend); // not owned
    void setHunt(const QString &huntId, const QString &description);
    QString huntId() const { return m_huntId; }
    void compare(const QString &path);

    CompareModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    BarChart *chart() const { return m_chart; }
    QLabel *statsLabel() const { return m_stats; }
    QLineEdit *pathEdit() const { return m_path; }

Q_SIGNALS:
    void compared(int rows); // values arrived and are shown
    void message(const QString &text);

private:
    void updateChart();

    HuntBackend *m_backend; // not owned
    QString m_huntId;
    quint64 m_generation = 0;
    QLabel *m_hunt;
    QLineEdit *m_path;
    QPushButton *m_go;
    QTableView *m_table;
    BarChart *m_chart;
    QLabel *m_stats;
    CompareModel *m_model;
    QSortFilterProxyModel *m_proxy;
};

} // namespace Artemis::Gui
