#pragma once

#include <QWidget>

#include "core/engine/huntengine.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QTableView;

namespace Artemis::Gui {

class HuntResultsModel;
class ResultsFilterProxy;

// Live progress of the current hunt: overall bar with done/total, ok/failed and nodes/s (over
// the last few seconds: HuntProgress::nodesPerSecond, so it falls to 0 while nothing finishes),
// the nodes still waited on (in flight or waiting to retry, with attempt and age, oldest first)
// and the per-node table (sortable, filterable by outcome, "in flight or retrying" and text).
// Fed by batched progress only. Lives on the GUI thread.
class ProgressPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit ProgressPanel(QWidget *parent = nullptr);

    void start(const HuntInfo &info, const QStringList &nodes);
    void applyProgress(const HuntProgress &progress);
    void finish(const HuntInfo &info);
    // A note over the hunt that stays until the next start(), e.g. the warnings of the schedule
    // whose round 1 this is. Empty: hidden.
    void setNotice(const QString &text);
    QString huntId() const;

    HuntResultsModel *model() const { return m_model; }
    ResultsFilterProxy *proxy() const { return m_proxy; }
    QTableView *table() const { return m_table; }
    QProgressBar *progressBar() const { return m_bar; }
    QLabel *countsLabel() const { return m_counts; }
    // "Waiting on 2 nodes: 127.0.0.1:1 (attempt 2, 7.1 s), …"; hidden when nothing is waited on
    QLabel *unfinishedLabel() const { return m_unfinished; }
    QLabel *noticeLabel() const { return m_notice; }
    QComboBox *outcomeFilter() const { return m_outcome; }
    QLineEdit *textFilter() const { return m_text; }

private:
    void showCounts(int done, int total, const OutcomeCounts &counts, double rate);
    void showUnfinished(const HuntProgress &progress);

    QLabel *m_title;
    QLabel *m_notice;
    QProgressBar *m_bar;
    QLabel *m_counts;
    QLabel *m_unfinished;
    QComboBox *m_outcome;
    QLineEdit *m_text;
    QTableView *m_table;
    HuntResultsModel *m_model;
    ResultsFilterProxy *m_proxy;
};

} // namespace Artemis::Gui
