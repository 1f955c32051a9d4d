#include "gui/historyview.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/base/jsonvalues.h"
#include "gui/barchart.h"
#include "gui/huntbackend.h"
#include "gui/schedulebox.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {
const QStringList Columns = {u"Round"_s,      u"Fetched at"_s, u"Outcome"_s, u"HTTP"_s,
                             u"Latency ms"_s, u"Value"_s,      u"Hunt"_s};
} // namespace

HistoryView::HistoryView(HuntBackend *backend, QWidget *parent)
    : QWidget(parent),
      m_backend(backend),
      m_schedules(new QComboBox(this)),
      m_notes(new QLabel(this)),
      m_refresh(new QPushButton(u"Refresh"_s, this)),
      m_node(new QLineEdit(this)),
      m_path(new QLineEdit(this)),
      m_limit(new QSpinBox(this)),
      m_go(new QPushButton(u"Show"_s, this)),
      m_table(new QTableWidget(0, int(Columns.size()), this)),
      m_chart(new BarChart(this))
{
    m_schedules->setObjectName(u"scheduleBox"_s);
    m_schedules->setMinimumContentsLength(40);
    m_notes->setObjectName(u"historyScheduleNotes"_s);
    showScheduleNotes(m_schedules, m_notes);
    m_node->setObjectName(u"historyNodeEdit"_s);
    m_node->setPlaceholderText(u"one of the schedule's nodes, e.g. 10.0.0.7:9100"_s);
    m_path->setObjectName(u"historyPathEdit"_s);
    m_path->setPlaceholderText(u"JSON path, e.g. mem.used or cpu[0] (optional)"_s);
    m_limit->setRange(1, 1000);
    m_limit->setValue(50);
    m_table->setObjectName(u"historyTable"_s);
    m_table->setHorizontalHeaderLabels(Columns);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_chart->setObjectName(u"historyChart"_s);

    auto *pick = new QHBoxLayout;
    pick->addWidget(m_schedules, 1);
    pick->addWidget(m_refresh);
    auto *form = new QFormLayout;
    form->addRow(u"Schedule:"_s, pick);
    form->addRow(QString(), m_notes);
    form->addRow(u"Node:"_s, m_node);
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_limit);
    pathRow->addWidget(m_go);
    form->addRow(u"Path, rounds:"_s, pathRow);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_chart);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(split, 1);

    connect(m_refresh, &QPushButton::clicked, this, &HistoryView::refreshSchedules);
    connect(m_go, &QPushButton::clicked, this, &HistoryView::showCurrent);
    connect(m_node, &QLineEdit::returnPressed, this, &HistoryView::showCurrent);
    connect(m_path, &QLineEdit::returnPressed, this, &HistoryView::showCurrent);
}

void HistoryView::setBackend(HuntBackend *backend)
{
    m_backend = backend;
    ++m_generation; // answers from the previous backend are dropped
    ++m_listGeneration;
    m_schedules->clear();
    m_table->setRowCount(0);
    m_chart->setValues({}, {});
}

void HistoryView::refreshSchedules()
{
    const quint64 generation = ++m_listGeneration;
    // The selection kept is the one when the answer arrives: showHistory() may have picked one.
    listSchedulesInto(
        m_backend, m_schedules, this, [this, generation] { return generation == m_listGeneration; },
        [this](Result<int> count) {
            if (!count) {
                Q_EMIT message(count.error().message);
                return;
            }
            Q_EMIT schedulesListed(*count);
        });
}

void HistoryView::showHistory(const QString &schedule, const QString &node, const QString &path)
{
    int index = m_schedules->findData(schedule);
    if (index < 0 && !schedule.isEmpty()) {
        // Not listed yet (the tab was just opened): the next listing keeps it selected.
        m_schedules->addItem(schedule, schedule);
        index = m_schedules->count() - 1;
    }
    if (index >= 0) {
        m_schedules->setCurrentIndex(index);
    }
    m_node->setText(node);
    m_path->setText(path);
    showCurrent();
}

void HistoryView::showCurrent()
{
    const QString schedule = m_schedules->currentData().toString();
    if (schedule.isEmpty() || m_node->text().trimmed().isEmpty()) {
        Q_EMIT message(u"Choose a schedule (Refresh lists them) and enter one of its nodes."_s);
        return;
    }
    const quint64 generation = ++m_generation;
    m_backend->nodeHistory(schedule, m_node->text().trimmed(), m_path->text().trimmed(),
                           m_limit->value(), this,
                           [this, generation](Result<QList<NodeHistoryEntry>> entries) {
                               if (generation != m_generation) {
                                   return;
                               }
                               if (!entries) {
                                   Q_EMIT message(u"No history: %1"_s.arg(entries.error().message));
                                   return;
                               }
                               fill(*entries);
                           });
}

void HistoryView::fill(const QList<NodeHistoryEntry> &entries)
{
    m_table->setRowCount(int(entries.size()));
    QList<QPair<QString, double>> numbers;
    for (int row = 0; row < entries.size(); ++row) {
        const NodeHistoryEntry &e = entries[row];
        const QStringList cells = {
            QString::number(e.round),
            e.outcome.fetchedAt.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s),
            outcomeName(e.outcome.outcome),
            e.outcome.httpStatus > 0 ? QString::number(e.outcome.httpStatus) : QString(),
            QString::number(e.outcome.latencyMs),
            e.value.isUndefined() ? QString() : jsonValueText(e.value),
            e.hunt,
        };
        for (int column = 0; column < cells.size(); ++column) {
            m_table->setItem(row, column, new QTableWidgetItem(cells[column]));
        }
        if (e.number) {
            numbers.prepend({u"#%1"_s.arg(e.round), *e.number}); // oldest on the left
        }
    }
    m_table->resizeColumnsToContents();
    m_chart->setValues(numbers, m_path->text().trimmed());
    Q_EMIT shown(int(entries.size()));
}

} // namespace Artemis::Gui
