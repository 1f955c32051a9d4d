#pragma once

#include <QWidget>

#include "core/huntengine.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QTableView;

namespace Artemis::Gui {

class HuntResultsModel;
class ResultsFilterProxy;

// Live progress of the current hunt: overall bar with done/total, ok/failed and nodes/s, and
// the per-node table (sortable, filterable by outcome and text). Fed by batched progress only.
// Lives on the GUI thread.
class ProgressPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit ProgressPanel(QWidget *parent = nullptr);

    void start(const HuntInfo &info, const QStringList &nodes);
    void applyProgress(const HuntProgress &progress);
    void finish(const HuntInfo &info);
    QString huntId() const;

    HuntResultsModel *model() const { return m_model; }
    ResultsFilterProxy *proxy() const { return m_proxy; }
    QTableView *table() const { return m_table; }
    QProgressBar *progressBar() const { return m_bar; }
    QLabel *countsLabel() const { return m_counts; }
    QComboBox *outcomeFilter() const { return m_outcome; }
    QLineEdit *textFilter() const { return m_text; }

private:
    void showCounts(int done, int total, const OutcomeCounts &counts, double rate);

    QLabel *m_title;
    QProgressBar *m_bar;
    QLabel *m_counts;
    QComboBox *m_outcome;
    QLineEdit *m_text;
    QTableView *m_table;
    HuntResultsModel *m_model;
    ResultsFilterProxy *m_proxy;
};

} // namespace Artemis::Gui
