#include "gui/barchart.h"

#include <algorithm>
#include <cmath>

#include <QFontMetrics>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPalette>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

BarChart::BarChart(QWidget *parent) : QWidget(parent)
{
    setObjectName(u"barChart"_s);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    setMouseTracking(true);
}

void BarChart::setValues(QList<QPair<QString, double>> values, const QString &title,
                         NumberStyle style)
{
    m_values = std::move(values);
    m_title = title;
    m_style = style;
    rebuild();
    update();
}

void BarChart::rebuild()
{
    m_bars.clear();
    m_log = false;
    if (m_values.isEmpty()) {
        return;
    }
    m_lo = m_values.first().second;
    m_hi = m_lo;
    for (const auto &v : std::as_const(m_values)) {
        m_lo = std::min(m_lo, v.second);
        m_hi = std::max(m_hi, v.second);
    }
    // Linear bars of values 1 and 5,000,000 show one bar and flat lines; above three orders of
    // magnitude the scale is logarithmic (only possible when every value is positive).
    m_log = m_lo > 0 && m_hi / m_lo > LogSpan;
    if (!isHistogram()) {
        for (const auto &v : std::as_const(m_values)) {
            Bar bar;
            bar.height = v.second;
            bar.label = v.first;
            bar.nodes = {v.first};
            bar.toolTip = u"%1: %2"_s.arg(v.first, formatNumber(v.second, m_style));
            m_bars.append(std::move(bar));
        }
        return;
    }
    const auto scaled = [this](double v) { return m_log ? std::log10(v) : v; };
    const double lo = scaled(m_lo);
    const double span = scaled(m_hi) > lo ? scaled(m_hi) - lo : 1.0;
    const auto edge = [&](int b) {
        const double x = lo + span * b / Bins;
        return m_log ? std::pow(10.0, x) : x;
    };
    m_bars.resize(Bins);
    for (const auto &v : std::as_const(m_values)) {
        const int b = std::clamp(int((scaled(v.second) - lo) / span * Bins), 0, Bins - 1);
        m_bars[b].nodes.append(v.first);
    }
    for (int b = 0; b < Bins; ++b) {
        Bar &bar = m_bars[b];
        bar.height = double(bar.nodes.size());
        bar.toolTip = u"%1 – %2: %3 node%4"_s
                          .arg(formatNumber(edge(b), m_style), formatNumber(edge(b + 1), m_style))
                          .arg(bar.nodes.size())
                          .arg(bar.nodes.size() == 1 ? u""_s : u"s"_s);
    }
}

int BarChart::barAt(const QPoint &pos) const
{
    for (int i = 0; i < m_bars.size(); ++i) {
        if (m_bars[i].hit.contains(pos)) {
            return i;
        }
    }
    return -1;
}

bool BarChart::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int bar = barAt(help->pos());
        if (bar >= 0) {
            QToolTip::showText(help->globalPos(), m_bars[bar].toolTip, this, m_bars[bar].hit);
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    return QWidget::event(event);
}

void BarChart::mousePressEvent(QMouseEvent *event)
{
    const int bar = barAt(event->position().toPoint());
    if (bar >= 0 && event->button() == Qt::LeftButton && !m_bars[bar].nodes.isEmpty()) {
        Q_EMIT nodesClicked(m_bars[bar].nodes, m_bars[bar].toolTip);
        return;
    }
    QWidget::mousePressEvent(event);
}

void BarChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QPalette pal = palette();
    const QFontMetrics fm(font());
    const int lineH = fm.height();
    const QColor barColor(0x3b, 0x78, 0xc4);
    const QColor axisColor = pal.color(QPalette::Text);
    const bool histogram = isHistogram();

    QRect area = rect().adjusted(8, 6, -10, -6);
    p.setPen(axisColor);
    QString title = m_title;
    if (m_log && !m_values.isEmpty()) {
        title += histogram ? u"  (log-scale bins)"_s : u"  (log scale)"_s;
    }
    p.drawText(area.left(), area.top(), area.width(), lineH, Qt::AlignLeft | Qt::AlignVCenter,
               title);
    area.setTop(area.top() + lineH + 6);
    if (m_bars.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(area, Qt::AlignCenter, u"No numeric values to chart"_s);
        return;
    }

    double top = 0;
    double bottom = 0;
    const bool logBars = m_log && !histogram;
    for (const Bar &bar : std::as_const(m_bars)) {
        top = std::max(top, bar.height);
    }
    if (logBars) {
        // Decades around the values: bars start at the decade below the smallest.
        bottom = std::floor(std::log10(m_lo));
        top = std::ceil(std::log10(m_hi));
    } else if (!histogram) {
        bottom = std::min(0.0, m_lo);
    }
    if (top == bottom) {
        top = bottom + 1;
    }
    const auto axisText = [&](double v) {
        if (histogram) {
            return QString::number(v);
        }
        return formatNumber(logBars ? std::pow(10.0, v) : v, m_style);
    };

    const QString topLabel = axisText(top);
    const QString bottomLabel = axisText(bottom);
    const int axisW =
        std::max(fm.horizontalAdvance(topLabel), fm.horizontalAdvance(bottomLabel)) + 6;
    int labelH = lineH + 4;
    if (!histogram) {
        int widest = 0;
        for (const Bar &bar : std::as_const(m_bars)) {
            widest = std::max(widest, fm.horizontalAdvance(bar.label));
        }
        labelH = std::min(widest, 130) + 6;
    }
    const QRect plot(area.left() + axisW, area.top(), area.width() - axisW,
                     area.height() - labelH - (histogram ? lineH : 0));
    if (plot.width() < 10 || plot.height() < 10) {
        return;
    }
    p.drawText(area.left(), plot.top() - lineH / 2, axisW - 4, lineH,
               Qt::AlignRight | Qt::AlignVCenter, topLabel);
    p.drawText(area.left(), plot.bottom() - lineH / 2, axisW - 4, lineH,
               Qt::AlignRight | Qt::AlignVCenter, bottomLabel);
    p.setPen(pal.color(QPalette::Mid));
    if (logBars) {
        // A faint line per decade.
        for (double d = bottom + 1; d < top; d += 1) {
            const int y =
                plot.bottom() - int(std::round((d - bottom) / (top - bottom) * plot.height()));
            p.drawLine(plot.left(), y, plot.right(), y);
            p.setPen(axisColor);
            p.drawText(area.left(), y - lineH / 2, axisW - 4, lineH,
                       Qt::AlignRight | Qt::AlignVCenter, axisText(d));
            p.setPen(pal.color(QPalette::Mid));
        }
    }
    p.drawLine(plot.bottomLeft(), plot.bottomRight());
    p.drawLine(plot.topLeft(), plot.bottomLeft());

    const auto yOf = [&](double v) {
        const double h = logBars ? std::log10(v) : v;
        return plot.bottom() - int(std::round((h - bottom) / (top - bottom) * plot.height()));
    };
    const int n = int(m_bars.size());
    const double slot = double(plot.width()) / n;
    const int gap = slot > 6 ? std::max(1, int(slot * 0.2)) : 0;
    for (int i = 0; i < n; ++i) {
        Bar &b = m_bars[i];
        const int x0 = plot.left() + int(i * slot) + gap / 2 + 1;
        const int x1 = plot.left() + int((i + 1) * slot) - gap / 2;
        const int yZero = logBars ? plot.bottom() : yOf(0.0);
        const int yv = yOf(b.height);
        const QRect bar(QPoint(x0, std::min(yv, yZero)),
                        QPoint(std::max(x0, x1 - 1), std::max(yv, yZero)));
        b.hit = QRect(QPoint(plot.left() + int(i * slot), plot.top()),
                      QPoint(plot.left() + int((i + 1) * slot) - 1, plot.bottom() + labelH));
        p.fillRect(bar, barColor);
        if (!histogram) {
            // Node name under the bar, rotated to fit.
            p.save();
            p.setPen(axisColor);
            p.translate((x0 + x1) / 2.0 + fm.ascent() / 2.0 - 1, plot.bottom() + 4);
            p.rotate(90);
            p.drawText(0, -fm.ascent(), labelH, lineH, Qt::AlignLeft | Qt::AlignVCenter,
                       fm.elidedText(b.label, Qt::ElideMiddle, labelH - 2));
            p.restore();
        }
    }
    if (histogram) {
        p.setPen(axisColor);
        const int y = plot.bottom() + 4;
        p.drawText(plot.left(), y, plot.width() / 2, lineH, Qt::AlignLeft,
                   formatNumber(m_lo, m_style));
        p.drawText(plot.left() + plot.width() / 2, y, plot.width() / 2, lineH, Qt::AlignRight,
                   formatNumber(m_hi, m_style));
        p.drawText(plot.left(), y + lineH, plot.width(), lineH, Qt::AlignHCenter,
                   u"histogram of %1 values (nodes per bin; click a bin for its nodes)"_s.arg(
                       m_values.size()));
    }
}

} // namespace Artemis::Gui
