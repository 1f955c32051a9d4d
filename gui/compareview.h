#pragma once

#include <optional>

#include <QList>
#include <QWidget>

#include "core/fleet/fleetvalues.h"
#include "gui/huntbackend.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTableWidget;

namespace Artemis::Gui {

class BarChart;
class CompareModel;
class CompareProxy;
class GroupsModel;

// "Compare across nodes": the answers at one JSON path over every node of a hunt.
// - Groups (core FleetValues): numeric outliers and minority values first and highlighted, then
//   the other values with count and share, then nodes without the key and failed nodes by
//   outcome, kept apart. Clicking a group (or a bar / histogram bin) filters the node table.
// - The node table (node, value, number in the path's unit style), sortable with rows without a
//   value last; Ctrl+C copies the selected rows; CSV export; double-click or the context menu
//   opens a node's diff against the majority / its previous round.
// - A bar chart / histogram (tooltips, clicks, log scale over three orders of magnitude) and
//   min / p50 / p90 / p99 / max.
// - "Group by labels" (e.g. "dc, rack"): the same answer per combination of those labels'
//   values (core FleetValues::byLabel), one row each; clicking one filters the node table.
// Both reads run off the GUI thread in the backend; answers for a path that is no longer the
// current one are dropped (generation counter). Lives on the GUI thread.
class CompareView final : public QWidget
{
    Q_OBJECT
public:
    explicit CompareView(HuntBackend *backend, QWidget *parent = nullptr);

    void setBackend(HuntBackend *backend); // not owned
    void setHunt(const QString &huntId, const QString &description);
    QString huntId() const { return m_huntId; }
    void compare(const QString &path);
    QString comparedPath() const { return m_comparedPath; }
    // The label names the next compare() groups by, from the "Group by labels" field
    // ("dc, rack" or "label:dc,label:rack"); an error names what is accepted.
    Result<QStringList> groupByLabels() const;
    void selectSlice(int row); // as clicking row `row` of the label slices table

    // Shows only these nodes in the node table (a group, bar or bin); clearNodeFilter: all.
    void filterNodes(const QStringList &nodes, const QString &description);
    void clearNodeFilter();
    void selectGroup(int row); // as clicking row `row` of the groups table
    // Writes the node table (as shown) as CSV; the result comes as message().
    void exportCsv(const QString &filePath);
    void exportCsvDialog();

    CompareModel *model() const { return m_model; }
    GroupsModel *groups() const { return m_groups; }
    QTableView *table() const { return m_table; }
    QTableView *groupsTable() const { return m_groupsTable; }
    BarChart *chart() const { return m_chart; }
    QLabel *statsLabel() const { return m_stats; }
    QLineEdit *pathEdit() const { return m_path; }
    QLineEdit *groupByEdit() const { return m_groupBy; }
    QTableWidget *slicesTable() const { return m_slices; } // hidden without a group-by
    QLabel *huntLabel() const { return m_hunt; }
    const std::optional<FleetValues> &values() const { return m_values; }

Q_SIGNALS:
    void compared(int rows); // values arrived and are shown
    void message(const QString &text);
    void exported(const QString &filePath, const QString &error); // error empty on success
    // "How is this node different?": against "majority" or "previous".
    void diffRequested(const QString &node, const QString &against);

private:
    struct Pending
    {
        std::optional<FleetValues> values;
        std::optional<QList<CompareRow>> rows;
    };
    void onArrived();
    void showStats();
    void showSlices();
    void updateChart();
    void showNodeMenu(const QPoint &pos);
    QString selectedNode() const;

    HuntBackend *m_backend; // not owned
    QString m_huntId;
    QString m_comparedPath;
    quint64 m_generation = 0;
    Pending m_pending;
    std::optional<FleetValues> m_values;
    QLabel *m_hunt;
    QLineEdit *m_path;
    QLineEdit *m_groupBy;
    QTableWidget *m_slices;
    QPushButton *m_go;
    QPushButton *m_export;
    QLabel *m_stats;
    QLabel *m_coverage; // a banner when the hunt is not done (HuntInfo::coverageNote)
    QTableView *m_groupsTable;
    QLabel *m_filterLabel;
    QPushButton *m_showAll;
    QTableView *m_table;
    BarChart *m_chart;
    GroupsModel *m_groups;
    CompareModel *m_model;
    CompareProxy *m_proxy;
};

} // namespace Artemis::Gui
