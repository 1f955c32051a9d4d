#include "gui/compareview.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "core/jsonvalues.h"
#include "gui/barchart.h"
#include "gui/comparemodel.h"
#include "gui/huntbackend.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

CompareView::CompareView(HuntBackend *backend, QWidget *parent)
    : QWidget(parent),
      m_backend(backend),
      m_hunt(new QLabel(u"Open a hunt in Results, then pick a key in its JSON tree."_s, this)),
      m_path(new QLineEdit(this)),
      m_go(new QPushButton(u"Compare"_s, this)),
      m_table(new QTableView(this)),
      m_chart(new BarChart(this)),
      m_stats(new QLabel(this)),
      m_model(new CompareModel(this)),
      m_proxy(new QSortFilterProxyModel(this))
{
    m_path->setPlaceholderText(u"JSON path, e.g. mem.used or cpu[0]"_s);
    m_path->setObjectName(u"comparePath"_s);
    m_stats->setObjectName(u"compareStats"_s);
    m_stats->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont statsFont = m_stats->font();
    statsFont.setBold(true);
    m_stats->setFont(statsFont);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(u"Path:"_s, this));
    top->addWidget(m_path, 1);
    top->addWidget(m_go);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(CompareModel::SortRole);
    m_table->setModel(m_proxy);
    m_table->setObjectName(u"compareTable"_s);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(CompareModel::Node, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(CompareModel::Value, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(CompareModel::Number, QHeaderView::Interactive);
    m_table->setColumnWidth(CompareModel::Node, 170);
    m_table->setColumnWidth(CompareModel::Number, 110);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_table);
    split->addWidget(m_chart);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({480, 780});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_hunt);
    layout->addLayout(top);
    layout->addWidget(m_stats);
    layout->addWidget(split, 1);

    connect(m_go, &QPushButton::clicked, this, [this] { compare(m_path->text()); });
    connect(m_path, &QLineEdit::returnPressed, this, [this] { compare(m_path->text()); });
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &CompareView::updateChart);
}

void CompareView::setBackend(HuntBackend *backend)
{
    m_backend = backend;
    setHunt({}, u"Open a hunt in Results, then pick a key in its JSON tree."_s);
}

void CompareView::setHunt(const QString &huntId, const QString &description)
{
    if (huntId != m_huntId) {
        m_model->setRows({});
        m_stats->clear();
        updateChart();
    }
    m_huntId = huntId;
    m_hunt->setText(description);
}

void CompareView::compare(const QString &path)
{
    m_path->setText(path);
    if (m_huntId.isEmpty() || !m_backend) {
        Q_EMIT message(u"Open a hunt first (Results tab)."_s);
        return;
    }
    if (const Result<JsonPath> parsed = parseJsonPath(path); !parsed) {
        m_stats->setText(parsed.error().message);
        return;
    }
    const quint64 generation = ++m_generation;
    m_stats->setText(u"Collecting %1 from every node…"_s.arg(path));
    m_go->setEnabled(false);
    m_backend->collectValues(
        m_huntId, path, this, [this, generation, path](Result<QList<CompareRow>> rows) {
            if (generation != m_generation) {
                return;
            }
            m_go->setEnabled(true);
            if (!rows) {
                m_stats->setText(rows.error().message);
                Q_EMIT message(rows.error().message);
                return;
            }
            QList<double> numbers;
            int missing = 0;
            for (const CompareRow &row : std::as_const(*rows)) {
                if (row.number) {
                    numbers.append(*row.number);
                } else {
                    ++missing;
                }
            }
            const int count = int(rows->size());
            m_model->setRows(std::move(*rows));
            const QLocale locale;
            if (const std::optional<NumberSummary> s = summarize(numbers)) {
                m_stats->setText(u"%1 — %2 nodes, %3 numeric:   min %4   median %5   max %6%7"_s
                                     .arg(path)
                                     .arg(count)
                                     .arg(s->count)
                                     .arg(locale.toString(s->min, 'g', 8),
                                          locale.toString(s->median, 'g', 8),
                                          locale.toString(s->max, 'g', 8),
                                          missing ? u"   (%1 without a number)"_s.arg(missing)
                                                  : QString()));
            } else {
                m_stats->setText(u"%1 — %2 nodes, none with a numeric value"_s.arg(path).arg(count));
            }
            updateChart();
            Q_EMIT compared(count);
        });
}

void CompareView::updateChart()
{
    QList<QPair<QString, double>> values;
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        const QModelIndex source = m_proxy->mapToSource(m_proxy->index(r, 0));
        const CompareRow &row = m_model->rows().at(source.row());
        if (row.number) {
            values.append({row.node, *row.number});
        }
    }
    m_chart->setValues(std::move(values), m_path->text());
}

} // namespace Artemis::Gui
