#include "gui/barchart.h"

#include <algorithm>
#include <cmath>

#include <QFontMetrics>
#include <QPaintEvent>
#include <QPainter>
#include <QPalette>

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {
QString shortNumber(double v)
{
    const double a = std::abs(v);
    if (a >= 1e12) {
        return QString::number(v / 1e12, 'g', 3) + u"T"_s;
    }
    if (a >= 1e9) {
        return QString::number(v / 1e9, 'g', 3) + u"G"_s;
    }
    if (a >= 1e6) {
        return QString::number(v / 1e6, 'g', 3) + u"M"_s;
    }
    if (a >= 1e4) {
        return QString::number(v / 1e3, 'g', 3) + u"k"_s;
    }
    return QString::number(v, 'g', 4);
}
} // namespace

BarChart::BarChart(QWidget *parent) : QWidget(parent)
{
    setObjectName(u"barChart"_s);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
}

void BarChart::setValues(QList<QPair<QString, double>> values, const QString &title)
{
    m_values = std::move(values);
    m_title = title;
    update();
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

    QRect area = rect().adjusted(8, 6, -10, -6);
    p.setPen(axisColor);
    p.drawText(area.left(), area.top(), area.width(), lineH, Qt::AlignLeft | Qt::AlignVCenter,
               m_title);
    area.setTop(area.top() + lineH + 6);
    if (m_values.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(area, Qt::AlignCenter, u"No numeric values to chart"_s);
        return;
    }

    const bool histogram = m_values.size() > MaxBars;
    double lo = m_values.first().second;
    double hi = lo;
    for (const auto &v : std::as_const(m_values)) {
        lo = std::min(lo, v.second);
        hi = std::max(hi, v.second);
    }

    QList<double> heights;
    QStringList labels;
    double top = 0;
    double bottom = 0;
    if (histogram) {
        QList<double> bins(Bins, 0.0);
        const double span = hi > lo ? hi - lo : 1.0;
        for (const auto &v : std::as_const(m_values)) {
            const int b = std::clamp(int((v.second - lo) / span * Bins), 0, Bins - 1);
            bins[b] += 1;
        }
        heights = bins;
        top = *std::max_element(bins.cbegin(), bins.cend());
    } else {
        for (const auto &v : std::as_const(m_values)) {
            heights.append(v.second);
            labels.append(v.first);
        }
        top = std::max(0.0, hi);
        bottom = std::min(0.0, lo);
    }
    if (top == bottom) {
        top = bottom + 1;
    }

    // Left axis labels; bottom labels (rotated node names or histogram range).
    const QString topLabel = histogram ? QString::number(top) : shortNumber(top);
    const QString bottomLabel = histogram ? u"0"_s : shortNumber(bottom);
    const int axisW = std::max(fm.horizontalAdvance(topLabel), fm.horizontalAdvance(bottomLabel)) + 6;
    int labelH = lineH + 4;
    if (!histogram) {
        int widest = 0;
        for (const QString &l : std::as_const(labels)) {
            widest = std::max(widest, fm.horizontalAdvance(l));
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
    p.drawLine(plot.bottomLeft(), plot.bottomRight());
    p.drawLine(plot.topLeft(), plot.bottomLeft());

    const auto yOf = [&](double v) {
        return plot.bottom() - int(std::round((v - bottom) / (top - bottom) * plot.height()));
    };
    const int n = int(heights.size());
    const double slot = double(plot.width()) / n;
    const int gap = slot > 6 ? std::max(1, int(slot * 0.2)) : 0;
    for (int i = 0; i < n; ++i) {
        const int x0 = plot.left() + int(i * slot) + gap / 2 + 1;
        const int x1 = plot.left() + int((i + 1) * slot) - gap / 2;
        const int yZero = yOf(0.0);
        const int yv = yOf(heights[i]);
        const QRect bar(QPoint(x0, std::min(yv, yZero)), QPoint(std::max(x0, x1 - 1), std::max(yv, yZero)));
        p.fillRect(bar, barColor);
        if (!histogram) {
            // Node name under the bar, rotated to fit.
            p.save();
            p.setPen(axisColor);
            p.translate((x0 + x1) / 2.0 + fm.ascent() / 2.0 - 1, plot.bottom() + 4);
            p.rotate(90);
            p.drawText(0, -fm.ascent(), labelH, lineH, Qt::AlignLeft | Qt::AlignVCenter,
                       fm.elidedText(labels[i], Qt::ElideMiddle, labelH - 2));
            p.restore();
        }
    }
    if (histogram) {
        p.setPen(axisColor);
        const int y = plot.bottom() + 4;
        p.drawText(plot.left(), y, plot.width() / 2, lineH, Qt::AlignLeft, shortNumber(lo));
        p.drawText(plot.left() + plot.width() / 2, y, plot.width() / 2, lineH, Qt::AlignRight,
                   shortNumber(hi));
        p.drawText(plot.left(), y + lineH, plot.width(), lineH, Qt::AlignHCenter,
                   u"histogram of %1 values (count per bin)"_s.arg(m_values.size()));
    }
}

} // namespace Artemis::Gui
