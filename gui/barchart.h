#pragma once

#include <QList>
#include <QPair>
#include <QRect>
#include <QString>
#include <QStringList>
#include <QWidget>

#include "gui/numberformat.h"

namespace Artemis::Gui {

// A small bar chart painted by hand: one labelled bar per node for up to MaxBars values, a
// histogram of the values beyond that. Values spanning more than three orders of magnitude
// (max/min > 1000, all positive) get a log scale (bar heights, or histogram bins). Every bar and
// bin has a tooltip (node/range, value/count) and a click emits its nodes. Numbers on the axes
// are in the compared path's style. Lives on the GUI thread.
class BarChart final : public QWidget
{
    Q_OBJECT
public:
    static constexpr int MaxBars = 40;
    static constexpr int Bins = 24;
    static constexpr double LogSpan = 1000;

    explicit BarChart(QWidget *parent = nullptr);

    // Values in display order (the table's current sort).
    void setValues(QList<QPair<QString, double>> values, const QString &title,
                   NumberStyle style = NumberStyle::Plain);
    int valueCount() const { return int(m_values.size()); }
    bool isHistogram() const { return m_values.size() > MaxBars; }
    bool isLogScale() const { return m_log; }

    // Bars (or bins) as drawn last: their nodes, tooltip and the column they occupy.
    int barCount() const { return int(m_bars.size()); }
    QStringList barNodes(int bar) const { return m_bars.value(bar).nodes; }
    QString barToolTip(int bar) const { return m_bars.value(bar).toolTip; }
    QRect barRect(int bar) const { return m_bars.value(bar).hit; }

    QSize sizeHint() const override { return {600, 240}; }
    QSize minimumSizeHint() const override { return {240, 140}; }

Q_SIGNALS:
    // A bar or a histogram bin was clicked: its nodes and what it stands for.
    void nodesClicked(const QStringList &nodes, const QString &description);

protected:
    bool event(QEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    struct Bar
    {
        double height = 0; // value, or count for a bin
        QString label;
        QStringList nodes;
        QString toolTip;
        QRect hit; // the bar's column, set by paintEvent
    };
    void rebuild();
    int barAt(const QPoint &pos) const;

    QList<QPair<QString, double>> m_values;
    QString m_title;
    NumberStyle m_style = NumberStyle::Plain;
    bool m_log = false;
    double m_lo = 0;
    double m_hi = 0;
    QList<Bar> m_bars;
};

} // namespace Artemis::Gui
