#include "gui/alertsview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "gui/alertsfilterproxy.h"
#include "gui/alertsmodel.h"
#include "gui/huntbackend.h"
#include "gui/schedulebox.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

AlertsView::AlertsView(HuntBackend *backend, QWidget *parent)
    : QWidget(parent),
      m_backend(nullptr),
      m_schedules(new QComboBox(this)),
      m_refresh(new QPushButton(u"Refresh"_s, this)),
      m_state(new QComboBox(this)),
      m_text(new QLineEdit(this)),
      m_auto(new QCheckBox(u"Auto-refresh"_s, this)),
      m_notes(new QLabel(this)),
      m_summary(new QLabel(this)),
      m_empty(new QLabel(this)),
      m_table(new QTableView(this)),
      m_stack(new QStackedWidget(this)),
      m_model(new AlertsModel(this)),
      m_proxy(new AlertsFilterProxy(m_model, this))
{
    m_schedules->setObjectName(u"alertsScheduleBox"_s);
    m_schedules->setMinimumContentsLength(40);
    m_refresh->setObjectName(u"alertsRefreshButton"_s);
    m_state->setObjectName(u"alertsStateBox"_s);
    using F = AlertsFilterProxy::StateFilter;
    m_state->addItem(u"Failing (pending + firing)"_s, int(F::Failing));
    m_state->addItem(u"Firing"_s, int(F::Firing));
    m_state->addItem(u"Pending"_s, int(F::Pending));
    m_state->addItem(u"Resolved"_s, int(F::Resolved));
    m_state->addItem(u"All (resolved too)"_s, int(F::All));
    m_text->setObjectName(u"alertsTextFilter"_s);
    m_text->setPlaceholderText(u"Filter by node, label, condition or value"_s);
    m_text->setClearButtonEnabled(true);
    m_auto->setObjectName(u"alertsAutoRefreshBox"_s);
    m_auto->setChecked(true);
    m_auto->setToolTip(u"Reads the alerts again every few seconds while this tab is shown"_s);
    m_notes->setObjectName(u"alertsScheduleNotes"_s);
    showScheduleNotes(m_schedules, m_notes);
    m_summary->setObjectName(u"alertsSummaryLabel"_s);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_empty->setObjectName(u"alertsEmptyLabel"_s);
    m_empty->setTextFormat(Qt::PlainText);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_table->setObjectName(u"alertsTable"_s);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(AlertsModel::NodeColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    // Fixed row heights: no per-row size hints over 100,000s of rows.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_stack->addWidget(m_table);
    m_stack->addWidget(m_empty);

    auto *pick = new QHBoxLayout;
    pick->addWidget(m_schedules, 1);
    pick->addWidget(m_refresh);
    auto *filters = new QHBoxLayout;
    filters->addWidget(m_state);
    filters->addWidget(m_text, 1);
    filters->addWidget(m_auto);
    auto *form = new QFormLayout;
    form->addRow(u"Schedule:"_s, pick);
    form->addRow(u"Show:"_s, filters);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_notes);
    layout->addWidget(m_summary);
    layout->addWidget(m_stack, 1);

    m_timer.setInterval(5000);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (isVisible() && m_auto->isChecked()) {
            refresh();
        }
    });
    m_timer.start();
    connect(m_refresh, &QPushButton::clicked, this, &AlertsView::refreshSchedules);
    // Also after each listing (fillScheduleBox): Refresh reads the alerts again.
    connect(m_schedules, &QComboBox::currentIndexChanged, this, [this] {
        if (currentSchedule() != m_modelSchedule) {
            m_modelSchedule = currentSchedule();
            m_loaded = false;
            m_sized = false;
            ++m_generation; // an answer for the schedule left is dropped
            m_inFlight = false;
            m_model->setAlerts({});
        }
        refresh();
    });
    connect(m_state, &QComboBox::currentIndexChanged, this, [this] {
        m_proxy->setStateFilter(F(m_state->currentData().toInt()));
        updateEmptyState();
    });
    connect(m_text, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setTextFilter(text);
        updateEmptyState();
    });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        Q_EMIT historyRequested(currentSchedule(), index.data(AlertsModel::NodeRole).toString());
    });
    setBackend(backend);
}

void AlertsView::setBackend(HuntBackend *backend)
{
    disconnect(m_evaluated);
    m_backend = backend;
    ++m_generation; // answers from the previous backend are dropped
    ++m_listGeneration;
    m_inFlight = false;
    m_loaded = false;
    m_modelSchedule.clear();
    {
        const QSignalBlocker blocker(m_schedules);
        m_schedules->clear();
    }
    m_model->setAlerts({});
    if (m_backend) {
        m_evaluated = connect(m_backend, &HuntBackend::alertsEvaluated, this,
                              [this](const QString &schedule) {
                                  if (schedule == currentSchedule()) {
                                      refresh();
                                  }
                              });
    }
    updateEmptyState();
}

void AlertsView::setAutoRefreshMs(int ms)
{
    m_timer.setInterval(ms);
}

QString AlertsView::currentSchedule() const
{
    return m_schedules->currentData().toString();
}

void AlertsView::refreshSchedules()
{
    if (!m_backend) {
        return;
    }
    const quint64 generation = ++m_listGeneration;
    listSchedulesInto(
        m_backend, m_schedules, this, [this, generation] { return generation == m_listGeneration; },
        [this](Result<int> count) {
            if (!count) {
                Q_EMIT message(count.error().message);
                return;
            }
            updateEmptyState();
            Q_EMIT schedulesListed(*count);
        });
}

void AlertsView::refresh()
{
    const QString schedule = currentSchedule();
    if (!m_backend || schedule.isEmpty()) {
        updateEmptyState();
        return;
    }
    if (m_inFlight) {
        // One request at a time (a remote listing of 100,000 alerts takes a while); the
        // answer triggers one more.
        m_again = true;
        return;
    }
    m_inFlight = true;
    m_again = false;
    const quint64 generation = ++m_generation;
    m_backend->scheduleAlerts(schedule, this, [this, generation](Result<ScheduleAlerts> alerts) {
        if (generation != m_generation) {
            return;
        }
        m_inFlight = false;
        if (!alerts) {
            Q_EMIT message(u"Could not read the alerts: %1"_s.arg(alerts.error().message));
        } else {
            fill(std::move(alerts).value());
        }
        if (m_again) {
            refresh();
        }
    });
}

void AlertsView::fill(ScheduleAlerts alerts)
{
    m_model->setAlerts(std::move(alerts));
    if (!m_loaded || !m_sized) {
        m_sized = m_proxy->rowCount() > 0;
        if (m_sized) {
            m_table->resizeColumnsToContents(); // once per schedule: later refreshes keep widths
        }
    }
    m_loaded = true;
    updateEmptyState();
    Q_EMIT alertsShown(m_proxy->rowCount());
}

void AlertsView::updateEmptyState()
{
    const ScheduleAlerts &a = m_model->alerts();
    QString empty;
    QString summary;
    if (currentSchedule().isEmpty()) {
        empty = u"No schedule. A hunt started with \"Repeat every\" is one; Refresh lists "
                u"them."_s;
    } else if (!m_loaded) {
        empty = u"Reading the alerts…"_s;
    } else if (a.conditions.isEmpty()) {
        empty = u"No conditions on this schedule."_s;
    } else {
        QStringList rules;
        for (const AlertRule &rule : a.conditions) {
            rules.append(
                u"%1: %2 (for %3)"_s.arg(rule.name, rule.condition.text()).arg(rule.forRounds));
        }
        summary = u"Round %1: %2 firing, %3 pending, %4 resolved. Conditions: %5"_s.arg(a.round)
                      .arg(a.firing)
                      .arg(a.pending)
                      .arg(a.resolved)
                      .arg(rules.join(u"; "_s));
        if (a.truncated) {
            summary += u" (the first %1 alerts listed)"_s.arg(m_model->rowCount());
        }
        if (a.round == 0 && m_model->rowCount() == 0) {
            empty = u"No round evaluated yet: the conditions are checked after each round."_s;
        } else if (a.pending + a.firing == 0
                   && m_proxy->stateFilter() == AlertsFilterProxy::StateFilter::Failing) {
            empty = a.resolved > 0
                        ? u"All nodes pass (round %1); %2 resolved in it (Show: Resolved)."_s
                              .arg(a.round)
                              .arg(a.resolved)
                        : u"All nodes pass (round %1)."_s.arg(a.round);
        } else if (m_proxy->rowCount() == 0) {
            empty = m_model->rowCount() == 0 ? u"All nodes pass (round %1)."_s.arg(a.round)
                                             : u"No alert matches the filter."_s;
        }
    }
    m_summary->setText(summary);
    m_summary->setVisible(!summary.isEmpty());
    m_empty->setText(empty);
    m_stack->setCurrentWidget(empty.isEmpty() ? static_cast<QWidget *>(m_table) : m_empty);
}

} // namespace Artemis::Gui
