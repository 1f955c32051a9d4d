#include "gui/resultsbrowser.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "gui/huntbackend.h"
#include "gui/huntlistmodel.h"
#include "gui/jsonview.h"
#include "gui/pagedresultsmodel.h"
#include "gui/resultcolumns.h"
#include "gui/tablecopy.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {
constexpr int ProblemsItem = -2; // m_outcome's data for "every outcome but ok"
} // namespace

ResultsBrowser::ResultsBrowser(HuntBackend *backend, QWidget *parent)
    : QWidget(parent),
      m_backend(nullptr),
      m_hunts(new HuntListModel(this)),
      m_results(new PagedResultsModel(backend, this)),
      m_huntTable(new QTableView(this)),
      m_nodeTable(new QTableView(this)),
      m_outcome(new QComboBox(this)),
      m_search(new QLineEdit(this)),
      m_searchDelay(new QTimer(this)),
      m_nodesLabel(new QLabel(u"Nodes"_s, this)),
      m_okFold(new QPushButton(this)),
      m_json(new JsonView(this))
{
    m_huntTable->setObjectName(u"huntTable"_s);
    m_huntTable->setModel(m_hunts);
    m_huntTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_huntTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_huntTable->setAlternatingRowColors(true);
    m_huntTable->verticalHeader()->hide();
    m_huntTable->verticalHeader()->setDefaultSectionSize(m_huntTable->fontMetrics().height() + 6);
    m_huntTable->horizontalHeader()->setStretchLastSection(true);
    m_huntTable->setColumnWidth(HuntListModel::Created, 150);
    m_huntTable->setColumnWidth(HuntListModel::State, 90);
    m_huntTable->setColumnWidth(HuntListModel::Url, 140);
    m_huntTable->setColumnWidth(HuntListModel::Progress, 110);
    m_huntTable->setColumnWidth(HuntListModel::Ok, 70);
    m_huntTable->setColumnWidth(HuntListModel::Failed, 70);

    m_nodeTable->setObjectName(u"nodeTable"_s);
    m_nodeTable->setModel(m_results);
    setupResultTable(m_nodeTable);
    m_nodeTable->setColumnHidden(int(ResultColumn::State), true);
    m_nodeTable->setColumnWidth(int(ResultColumn::Node), 150);
    m_nodeTable->setContextMenuPolicy(Qt::CustomContextMenu);
    installRowCopy(m_nodeTable);
    connect(m_nodeTable, &QWidget::customContextMenuRequested, this, &ResultsBrowser::showNodeMenu);
    // Sorted by the store, not by the view (QTableView::setSortingEnabled would sort only what
    // the view asks of the model, and start from column 0): file order until a header is
    // clicked.
    QHeaderView *header = m_nodeTable->horizontalHeader();
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(-1, Qt::AscendingOrder);
    connect(header, &QHeaderView::sortIndicatorChanged, this,
            &ResultsBrowser::onSortIndicatorChanged);

    m_search->setObjectName(u"nodeSearch"_s);
    m_search->setPlaceholderText(u"Search nodes"_s);
    m_search->setClearButtonEnabled(true);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(SearchDelayMs);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        m_searchDelay->stop();
        m_results->setSearch(m_search->text().trimmed());
    });
    connect(m_searchDelay, &QTimer::timeout, this, [this] {
        m_results->setSearch(m_search->text().trimmed());
        m_json->clear();
    });

    m_outcome->setObjectName(u"storedOutcomeFilter"_s);
    m_outcome->addItem(u"All outcomes"_s, -1);
    m_outcome->addItem(u"Failed (any)"_s, ProblemsItem);
    for (int k = 0; k < OutcomeKindCount; ++k) {
        m_outcome->addItem(outcomeName(OutcomeKind(k)), k);
    }

    auto *refresh = new QPushButton(u"Refresh"_s, this);
    auto *huntBar = new QHBoxLayout;
    huntBar->addWidget(new QLabel(u"<b>Saved hunts</b> (newest first)"_s, this), 1);
    huntBar->addWidget(refresh);
    auto *huntBox = new QWidget(this);
    auto *huntLayout = new QVBoxLayout(huntBox);
    huntLayout->setContentsMargins(0, 0, 0, 0);
    huntLayout->addLayout(huntBar);
    huntLayout->addWidget(m_huntTable);

    auto *nodeBar = new QHBoxLayout;
    nodeBar->addWidget(m_nodesLabel, 1);
    m_okFold->setObjectName(u"okFold"_s);
    m_okFold->setFlat(true);
    m_okFold->setToolTip(u"The nodes that answered ok are folded: click to list them too"_s);
    m_okFold->hide();
    nodeBar->addWidget(m_okFold);
    nodeBar->addWidget(m_search);
    nodeBar->addWidget(m_outcome);
    auto *nodeBox = new QWidget(this);
    auto *nodeLayout = new QVBoxLayout(nodeBox);
    nodeLayout->setContentsMargins(0, 0, 0, 0);
    nodeLayout->addLayout(nodeBar);
    nodeLayout->addWidget(m_nodeTable);

    auto *bottom = new QSplitter(Qt::Horizontal, this);
    bottom->addWidget(nodeBox);
    bottom->addWidget(m_json);
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 1);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(u"resultsSplitter"_s);
    split->addWidget(huntBox);
    split->addWidget(bottom);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(refresh, &QPushButton::clicked, this, &ResultsBrowser::refresh);
    connect(m_huntTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ResultsBrowser::onHuntSelected);
    connect(m_nodeTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ResultsBrowser::onNodeSelected);
    connect(m_outcome, &QComboBox::currentIndexChanged, this, [this] {
        m_okFold->hide();
        m_results->open(m_currentHunt, chosenFilter());
        m_json->clear();
    });
    connect(m_okFold, &QPushButton::clicked, this, [this] { m_outcome->setCurrentIndex(0); });
    connect(m_results, &PagedResultsModel::loaded, this, [this](int total) {
        QString text = u"<b>Nodes</b> of %1 — %2 result%3"_s.arg(
            m_currentHunt, QLocale().toString(total), total == 1 ? u""_s : u"s"_s);
        if (const QString search = m_results->search(); !search.isEmpty()) {
            text += u" matching “%1”"_s.arg(search.toHtmlEscaped());
        }
        m_nodesLabel->setText(text);
    });
    connect(m_results, &PagedResultsModel::failed, this, &ResultsBrowser::message);
    connect(m_json, &JsonView::comparePathRequested, this, &ResultsBrowser::comparePathRequested);
    setBackend(backend);
}

void ResultsBrowser::setBackend(HuntBackend *backend)
{
    disconnect(m_progressConnection);
    disconnect(m_finishedConnection);
    disconnect(m_startedConnection);
    m_backend = backend;
    m_results->setBackend(backend);
    m_hunts->setHunts({});
    m_currentHunt.clear();
    // A mode switch leaves no hunt open: the label must not name the previous one.
    m_nodesLabel->setText(u"Nodes"_s);
    m_okFold->hide();
    m_json->clear();
    if (!backend) {
        return;
    }
    m_progressConnection = connect(backend, &HuntBackend::huntProgress, this,
                                   [this](const HuntProgress &p) { m_hunts->updateProgress(p); });
    m_startedConnection = connect(backend, &HuntBackend::huntStarted, this,
                                  [this](const HuntInfo &info) { m_hunts->update(info); });
    m_finishedConnection =
        connect(backend, &HuntBackend::huntFinished, this, [this](const HuntInfo &info) {
            m_hunts->update(info);
            if (info.id == m_currentHunt) {
                m_results->reload();
            }
        });
}

void ResultsBrowser::refresh()
{
    if (!m_backend) {
        return;
    }
    const quint64 generation = ++m_listGeneration;
    m_backend->listHunts(HuntListLimit, this, [this, generation](Result<QList<HuntInfo>> hunts) {
        if (generation != m_listGeneration) {
            return;
        }
        if (!hunts) {
            Q_EMIT message(hunts.error().message);
            return;
        }
        const QString keep = m_pendingOpen.isEmpty() ? m_currentHunt : m_pendingOpen;
        m_hunts->setHunts(std::move(*hunts));
        Q_EMIT huntsLoaded(m_hunts->rowCount());
        const int row = m_hunts->rowOf(keep);
        if (row >= 0) {
            m_pendingOpen.clear();
            m_currentHunt.clear(); // reopen: the list was reset
            m_huntTable->setCurrentIndex(m_hunts->index(row, 0));
        }
    });
}

void ResultsBrowser::openHunt(const QString &id)
{
    const int row = m_hunts->rowOf(id);
    if (row < 0) {
        m_pendingOpen = id;
        refresh();
        return;
    }
    m_huntTable->setCurrentIndex(m_hunts->index(row, 0));
}

QString ResultsBrowser::describe(const HuntInfo &info) const
{
    return huntDescription(info);
}

void ResultsBrowser::onHuntSelected()
{
    const QModelIndex current = m_huntTable->currentIndex();
    if (!current.isValid()) {
        return;
    }
    const HuntInfo &info = m_hunts->hunt(current.row());
    if (info.id == m_currentHunt) {
        return;
    }
    m_currentHunt = info.id;
    m_nodesLabel->setText(u"<b>Nodes</b> of %1 — loading…"_s.arg(info.id));
    showOkFold(info);
    m_results->open(info.id, chosenFilter());
    m_json->clear();
    Q_EMIT huntOpened(info.id, describe(info));
}

OutcomeFilter ResultsBrowser::chosenFilter() const
{
    const int k = m_outcome->currentData().toInt();
    if (k == ProblemsItem) {
        return OutcomeFilter::failed();
    }
    return k >= 0 ? OutcomeFilter(OutcomeKind(k)) : OutcomeFilter();
}

void ResultsBrowser::showOkFold(const HuntInfo &info)
{
    // Lead with what is wrong: a hunt with failures opens on them, its ok nodes in one count.
    // A filter the user picked (other than all / problems) stays.
    const int k = m_outcome->currentData().toInt();
    const int ok = info.counts.count(OutcomeKind::Ok);
    const bool fold = (k == -1 || k == ProblemsItem) && info.counts.failed() > 0 && ok > 0;
    if (k == -1 || k == ProblemsItem) {
        const QSignalBlocker block(m_outcome);
        m_outcome->setCurrentIndex(fold ? 1 : 0);
    }
    m_okFold->setText(u"%1 ok (show)"_s.arg(QLocale().toString(ok)));
    m_okFold->setVisible(fold);
}

void ResultsBrowser::showNodeMenu(const QPoint &pos)
{
    const QModelIndex index = m_nodeTable->indexAt(pos);
    const QString node = index.isValid() ? index.data(NodeRole).toString() : QString();
    QMenu menu(this);
    addNodeRowActions(
        menu, m_nodeTable, node, this,
        [this](const QString &n, const QString &against) { Q_EMIT diffRequested(n, against); });
    menu.exec(m_nodeTable->viewport()->mapToGlobal(pos));
}

void ResultsBrowser::onSortIndicatorChanged(int column, Qt::SortOrder order)
{
    if (PagedResultsModel::isSortable(column)) {
        m_results->sort(column, order);
        m_json->clear();
        return;
    }
    // Not sortable by the store: put the indicator back where the order really is.
    const ResultSort sort = m_results->resultSort();
    int current = -1;
    switch (sort.by) {
    case ResultSort::By::Node:
        current = int(ResultColumn::Node);
        break;
    case ResultSort::By::Outcome:
        current = int(ResultColumn::Outcome);
        break;
    case ResultSort::By::Latency:
        current = int(ResultColumn::Latency);
        break;
    case ResultSort::By::File:
    case ResultSort::By::Path:
        break;
    }
    const QSignalBlocker blocker(m_nodeTable->horizontalHeader());
    m_nodeTable->horizontalHeader()->setSortIndicator(
        current, sort.descending ? Qt::DescendingOrder : Qt::AscendingOrder);
}

void ResultsBrowser::showRow(int row)
{
    m_nodeTable->setCurrentIndex(m_results->index(row, 0));
}

void ResultsBrowser::onNodeSelected()
{
    const QModelIndex current = m_nodeTable->currentIndex();
    if (!current.isValid()) {
        return;
    }
    const quint64 generation = ++m_nodeGeneration;
    m_results->outcomeAt(current.row(), this, [this, generation](Result<Outcome> outcome) {
        if (generation != m_nodeGeneration) {
            return;
        }
        if (!outcome) {
            m_json->setMessage(outcome.error().message);
            return;
        }
        const Outcome &o = *outcome;
        QString title = u"<b>%1</b> — %2"_s.arg(o.node.toHtmlEscaped(), outcomeName(o.outcome));
        if (o.httpStatus) {
            title += u", HTTP %1"_s.arg(o.httpStatus);
        }
        title += u", %1 ms, %2 bytes"_s.arg(o.latencyMs).arg(o.bytes);
        if (!o.error.isEmpty()) {
            title += u"<br><span style='color:#b02020'>%1</span>"_s.arg(o.error.toHtmlEscaped());
        }
        if (o.body.isUndefined() || o.body.isNull()) {
            m_json->setMessage(title + u"<br>(no body)"_s);
        } else {
            m_json->setDocument(title, o.body);
        }
        m_shownNode = o.node;
        Q_EMIT nodeShown(o.node);
    });
}

} // namespace Artemis::Gui
