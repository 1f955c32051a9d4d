#include "gui/progresspanel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QTableView>
#include <QVBoxLayout>

#include "core/base/plural.h"
#include "gui/huntresultsmodel.h"
#include "gui/resultsfilterproxy.h"
#include "gui/tablecopy.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

ProgressPanel::ProgressPanel(QWidget *parent)
    : QWidget(parent),
      m_title(new QLabel(u"No hunt started yet."_s, this)),
      m_notice(new QLabel(this)),
      m_bar(new QProgressBar(this)),
      m_counts(new QLabel(this)),
      m_unfinished(new QLabel(this)),
      m_outcome(new QComboBox(this)),
      m_text(new QLineEdit(this)),
      m_table(new QTableView(this)),
      m_model(new HuntResultsModel(this)),
      m_proxy(new ResultsFilterProxy(this))
{
    m_bar->setObjectName(u"huntProgress"_s);
    m_bar->setRange(0, 1);
    m_bar->setValue(0);
    m_bar->setFormat(u"%v / %m"_s);
    m_bar->setTextVisible(false);
    m_counts->setObjectName(u"huntCounts"_s);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_notice->setObjectName(u"huntNotice"_s);
    m_notice->setTextFormat(Qt::PlainText);
    m_notice->setWordWrap(true);
    m_notice->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_notice->setStyleSheet(
        u"QLabel { background: #fff3cd; color: #664d03; padding: 4px; border-radius: 3px; }"_s);
    m_notice->hide();
    m_unfinished->setObjectName(u"huntUnfinished"_s);
    m_unfinished->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_unfinished->setWordWrap(true);
    m_unfinished->hide();

    m_outcome->setObjectName(u"outcomeFilter"_s);
    m_outcome->addItem(u"All outcomes"_s, ResultsFilterProxy::AnyOutcome);
    m_outcome->addItem(u"Failed (any)"_s, ResultsFilterProxy::AnyFailure);
    m_outcome->addItem(u"Waiting"_s, ResultsFilterProxy::Pending);
    m_outcome->addItem(u"In flight or retrying"_s, ResultsFilterProxy::Unfinished);
    for (int k = 0; k < OutcomeKindCount; ++k) {
        m_outcome->addItem(outcomeName(OutcomeKind(k)), k);
    }
    m_text->setObjectName(u"tableFilter"_s);
    m_text->setPlaceholderText(u"Filter by node or error text"_s);
    m_text->setClearButtonEnabled(true);

    m_proxy->setSourceModel(m_model);
    m_table->setObjectName(u"liveTable"_s);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // node order until the user sorts
    setupResultTable(m_table);
    installRowCopy(m_table);
    m_table->setToolTip(u"Double-click a finished node to see its JSON"_s);

    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(u"Show:"_s, this));
    filters->addWidget(m_outcome);
    filters->addWidget(m_text, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_notice);
    layout->addWidget(m_bar);
    layout->addWidget(m_counts);
    layout->addWidget(m_unfinished);
    layout->addLayout(filters);
    layout->addWidget(m_table, 1);

    connect(m_outcome, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setOutcomeFilter(m_outcome->currentData().toInt()); });
    connect(m_text, &QLineEdit::textChanged, m_proxy, &ResultsFilterProxy::setTextFilter);
    showCounts(0, 0, {}, 0);
}

QString ProgressPanel::huntId() const
{
    return m_model->huntId();
}

void ProgressPanel::start(const HuntInfo &info, const QStringList &nodes)
{
    m_title->setText(u"Hunt %1 — %2"_s.arg(info.id, info.url));
    m_model->start(info.id, nodes);
    m_bar->setRange(0, std::max(1, info.total));
    m_bar->setValue(0);
    m_bar->setTextVisible(true);
    m_unfinished->hide();
    setNotice({});
    showCounts(0, info.total, {}, 0);
}

void ProgressPanel::setNotice(const QString &text)
{
    m_notice->setText(text);
    m_notice->setVisible(!text.isEmpty());
}

void ProgressPanel::applyProgress(const HuntProgress &progress)
{
    if (progress.id != m_model->huntId()) {
        return;
    }
    m_model->applyProgress(progress);
    m_bar->setRange(0, std::max(1, progress.total));
    m_bar->setValue(progress.done);
    showCounts(progress.done, progress.total, progress.counts, progress.nodesPerSecond);
    showUnfinished(progress);
}

void ProgressPanel::showUnfinished(const HuntProgress &progress)
{
    const UnfinishedSnapshot &u = progress.unfinished;
    if (isFinished(progress.state) || u.count == 0) {
        m_unfinished->hide();
        return;
    }
    constexpr int Named = 5;
    QString text = u"Waiting on %1 (in flight or waiting to retry): %2"_s.arg(
        nodeCount(u.count), u.describe(Named).toHtmlEscaped());
    if (progress.sinceLastOutcomeMs >= 1000) {
        text += u" — no node finished for %1 s"_s.arg(
            QLocale().toString(double(progress.sinceLastOutcomeMs) / 1000.0, 'f', 1));
    }
    m_unfinished->setText(text);
    m_unfinished->setToolTip(u.describe(UnfinishedSnapshot::DefaultLimit));
    m_unfinished->show();
}

void ProgressPanel::finish(const HuntInfo &info)
{
    if (info.id != m_model->huntId()) {
        return;
    }
    m_model->finish(info.state);
    m_unfinished->hide();
    m_bar->setValue(info.done);
    const double seconds = double(info.elapsedMs()) / 1000.0;
    showCounts(info.done, info.total, info.counts, seconds > 0 ? info.done / seconds : 0);
    m_title->setText(
        u"Hunt %1 — %2 — %3 in %4 s"_s.arg(info.id, info.url, huntStateName(info.state))
            .arg(seconds, 0, 'f', 1));
}

namespace {
// Whole nodes/s, with a decimal when slow (a tail of hanging nodes: 0.4, then 0).
QString rateText(double rate)
{
    const QLocale l;
    return rate <= 0 ? u"0"_s : l.toString(rate, 'f', rate < 10 ? 1 : 0);
}
} // namespace

void ProgressPanel::showCounts(int done, int total, const OutcomeCounts &counts, double rate)
{
    const QLocale l;
    m_counts->setText(u"Done <b>%1</b> / %2 &nbsp;&nbsp; OK <b style='color:#1b7f3b'>%3</b> "
                      u"&nbsp;&nbsp; Failed <b style='color:#b02020'>%4</b> &nbsp;&nbsp; "
                      u"<b>%5</b> nodes/s"_s.arg(l.toString(done), l.toString(total),
                                                 l.toString(counts.count(OutcomeKind::Ok)),
                                                 l.toString(counts.failed()), rateText(rate)));
}

} // namespace Artemis::Gui
