#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QWidget>

namespace Artemis::Gui {

// A small bar chart painted by hand (QtCharts is not a dependency): one labelled bar per
// node for up to MaxBars values, a histogram of the values beyond that. Lives on the GUI thread.
class BarChart final : public QWidget
{
    Q_OBJECT
public:
    static constexpr int MaxBars = 40;
    static constexpr int Bins = 24;

    explicit BarChart(QWidget *parent = nullptr);

    // Values in display order (the table's current sort).
    void setValues(QList<QPair<QString, double>> values, const QString &title);
    int valueCount() const { return int(m_values.size()); }

    QSize sizeHint() const override { return {600, 240}; }
    QSize minimumSizeHint() const override { return {240, 140}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<QPair<QString, double>> m_values;
    QString m_title;
};

} // namespace Artemis::Gui
