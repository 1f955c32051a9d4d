#include "gui/compareview.h"

#include <algorithm>

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/base/jsonvalues.h"
#include "core/base/plural.h"
#include "core/fleet/valuedistribution.h"
#include "gui/barchart.h"
#include "gui/comparemodel.h"
#include "gui/compareproxy.h"
#include "gui/groupsmodel.h"
#include "gui/huntlistmodel.h"
#include "gui/tablecopy.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {
const QString NoHunt = u"Open a hunt in Results, then pick a key in its JSON tree."_s;
const QStringList SliceColumns = {u"Labels"_s,      u"Nodes"_s,      u"With value"_s, u"Distinct"_s,
                                  u"Most common"_s, u"Minorities"_s, u"Outliers"_s,   u"Failed"_s};

// "dc=fra1, rack=r7"; a groupBy label the slice's nodes lack reads "no rack".
QString sliceText(const LabelSlice &slice, const QStringList &names)
{
    QStringList parts;
    for (const QString &name : names) {
        parts.append(slice.labels.contains(name) ? QString(name + u'=' + slice.labels.value(name))
                                                 : QString(u"no "_s + name));
    }
    return parts.join(u", "_s);
}

void setupTable(QTableView *table)
{
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->setContextMenuPolicy(Qt::CustomContextMenu);
    installRowCopy(table);
}
} // namespace

CompareView::CompareView(HuntBackend *backend, QWidget *parent)
    : QWidget(parent),
      m_backend(backend),
      m_hunt(new QLabel(NoHunt, this)),
      m_path(new QLineEdit(this)),
      m_groupBy(new QLineEdit(this)),
      m_slices(new QTableWidget(0, int(SliceColumns.size()), this)),
      m_go(new QPushButton(u"Compare"_s, this)),
      m_export(new QPushButton(u"Export CSV…"_s, this)),
      m_stats(new QLabel(this)),
      m_coverage(new QLabel(this)),
      m_groupsTable(new QTableView(this)),
      m_filterLabel(new QLabel(this)),
      m_showAll(new QPushButton(u"Show all nodes"_s, this)),
      m_table(new QTableView(this)),
      m_chart(new BarChart(this)),
      m_groups(new GroupsModel(this)),
      m_model(new CompareModel(this)),
      m_proxy(new CompareProxy(this))
{
    m_path->setPlaceholderText(u"JSON path, e.g. mem.used or cpu[0]"_s);
    m_path->setObjectName(u"comparePath"_s);
    m_groupBy->setObjectName(u"compareGroupBy"_s);
    m_groupBy->setPlaceholderText(u"label names, e.g. dc, rack"_s);
    m_groupBy->setToolTip(u"Also answer per combination of these labels' values (up to %1 "
                          "labels); clear it for the whole hunt only"_s.arg(MaxGroupByLabels));
    m_groupBy->setClearButtonEnabled(true);
    m_slices->setObjectName(u"compareSlices"_s);
    m_slices->setHorizontalHeaderLabels(SliceColumns);
    m_slices->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_slices->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_slices->setSelectionMode(QAbstractItemView::SingleSelection);
    m_slices->setAlternatingRowColors(true);
    m_slices->verticalHeader()->hide();
    m_slices->horizontalHeader()->setStretchLastSection(true);
    m_slices->setToolTip(u"Click a row to show only its nodes"_s);
    m_slices->hide();
    m_stats->setObjectName(u"compareStats"_s);
    m_stats->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stats->setWordWrap(true);
    QFont statsFont = m_stats->font();
    statsFont.setBold(true);
    m_stats->setFont(statsFont);
    // "hunt still running: 1,990 of 2,000 done": the answer shown covers only those nodes.
    m_coverage->setObjectName(u"compareCoverage"_s);
    m_coverage->setStyleSheet(
        u"QLabel { background: #fff3cd; color: #664d03; padding: 4px; border-radius: 3px; }"_s);
    m_coverage->hide();
    m_export->setToolTip(u"Save the node table as shown (sorted, filtered) as CSV"_s);
    m_export->setEnabled(false);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(u"Path:"_s, this));
    top->addWidget(m_path, 1);
    top->addWidget(new QLabel(u"Group by labels:"_s, this));
    top->addWidget(m_groupBy);
    top->addWidget(m_go);
    top->addWidget(m_export);

    m_groupsTable->setObjectName(u"compareGroups"_s);
    m_groupsTable->setModel(m_groups);
    setupTable(m_groupsTable);
    m_groupsTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_groupsTable->horizontalHeader()->setSectionResizeMode(GroupsModel::Value,
                                                            QHeaderView::Stretch);
    m_groupsTable->setColumnWidth(GroupsModel::Kind, 80);
    m_groupsTable->setColumnWidth(GroupsModel::Count, 60);
    m_groupsTable->setColumnWidth(GroupsModel::Share, 70);
    m_groupsTable->setToolTip(u"Click a row to show only its nodes"_s);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(CompareModel::SortRole);
    m_table->setModel(m_proxy);
    m_table->setObjectName(u"compareTable"_s);
    setupTable(m_table);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(CompareModel::Node, Qt::AscendingOrder);
    m_table->horizontalHeader()->setSectionResizeMode(CompareModel::Value, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(CompareModel::Number,
                                                      QHeaderView::Interactive);
    m_table->setColumnWidth(CompareModel::Node, 170);
    m_table->setColumnWidth(CompareModel::Number, 110);

    m_filterLabel->setObjectName(u"compareFilter"_s);
    m_showAll->setEnabled(false);
    auto *filterBar = new QHBoxLayout;
    filterBar->setContentsMargins(0, 0, 0, 0);
    filterBar->addWidget(m_filterLabel, 1);
    filterBar->addWidget(m_showAll);

    auto *nodesBox = new QWidget(this);
    auto *nodesLayout = new QVBoxLayout(nodesBox);
    nodesLayout->setContentsMargins(0, 0, 0, 0);
    nodesLayout->addLayout(filterBar);
    nodesLayout->addWidget(m_table, 1);

    auto *left = new QSplitter(Qt::Vertical, this);
    left->addWidget(m_slices);
    left->addWidget(m_groupsTable);
    left->addWidget(nodesBox);
    left->setStretchFactor(0, 2);
    left->setStretchFactor(1, 2);
    left->setStretchFactor(2, 3);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(m_chart);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({520, 740});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_hunt);
    layout->addLayout(top);
    layout->addWidget(m_coverage);
    layout->addWidget(m_stats);
    layout->addWidget(split, 1);

    connect(m_go, &QPushButton::clicked, this, [this] { compare(m_path->text()); });
    connect(m_path, &QLineEdit::returnPressed, this, [this] { compare(m_path->text()); });
    connect(m_groupBy, &QLineEdit::returnPressed, this, [this] { compare(m_path->text()); });
    connect(m_slices, &QTableWidget::cellClicked, this, [this](int row) { selectSlice(row); });
    connect(m_export, &QPushButton::clicked, this, &CompareView::exportCsvDialog);
    connect(m_showAll, &QPushButton::clicked, this, &CompareView::clearNodeFilter);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &CompareView::updateChart);
    connect(m_groupsTable, &QTableView::clicked, this,
            [this](const QModelIndex &index) { selectGroup(index.row()); });
    connect(m_chart, &BarChart::nodesClicked, this, &CompareView::filterNodes);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        Q_EMIT diffRequested(index.siblingAtColumn(CompareModel::Node).data().toString(),
                             u"majority"_s);
    });
    connect(m_table, &QWidget::customContextMenuRequested, this, &CompareView::showNodeMenu);
    connect(m_groupsTable, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        QMenu menu(this);
        menu.addAction(u"Copy rows"_s, this, [this] { copySelectedRows(m_groupsTable); });
        menu.exec(m_groupsTable->viewport()->mapToGlobal(pos));
    });
}

void CompareView::setBackend(HuntBackend *backend)
{
    m_backend = backend;
    setHunt({}, NoHunt);
}

void CompareView::setHunt(const QString &huntId, const QString &description)
{
    if (huntId != m_huntId) {
        ++m_generation; // answers for the previous hunt are dropped
        m_model->setRows({});
        m_groups->clear();
        m_values.reset();
        m_comparedPath.clear();
        m_proxy->setNodeFilter(std::nullopt);
        m_filterLabel->clear();
        m_showAll->setEnabled(false);
        m_export->setEnabled(false);
        m_go->setEnabled(true);
        m_stats->clear();
        m_coverage->hide();
        m_slices->setRowCount(0);
        m_slices->hide();
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
    const Result<QStringList> groupBy = groupByLabels();
    if (!groupBy) {
        m_stats->setText(u"Group by labels: "_s + groupBy.error().message);
        return;
    }
    const quint64 generation = ++m_generation;
    m_pending = {};
    m_stats->setText(u"Collecting %1 from every node…"_s.arg(path));
    m_go->setEnabled(false);
    const auto failed = [this, generation](const Error &error) {
        if (generation != m_generation) {
            return;
        }
        ++m_generation; // the other answer is of no use now
        m_go->setEnabled(true);
        m_stats->setText(error.message);
        Q_EMIT message(error.message);
    };
    m_backend->fleetValues(m_huntId, path, *groupBy, this,
                           [this, generation, failed](Result<FleetValues> values) {
                               if (generation != m_generation) {
                                   return;
                               }
                               if (!values) {
                                   failed(values.error());
                                   return;
                               }
                               m_pending.values = std::move(*values);
                               onArrived();
                           });
    // What the answer covers, asked beside it: a hunt still running is said in a banner.
    m_backend->huntInfo(m_huntId, this, [this, generation](Result<HuntInfo> info) {
        if (generation != m_generation || !info) {
            return;
        }
        const QString note = info->coverageNote();
        m_coverage->setText(note);
        m_coverage->setVisible(!note.isEmpty());
        // The description given at open time may say "running" for a hunt done since.
        m_hunt->setText(huntDescription(*info));
    });
    m_backend->collectValues(m_huntId, path, this,
                             [this, generation, failed](Result<QList<CompareRow>> rows) {
                                 if (generation != m_generation) {
                                     return;
                                 }
                                 if (!rows) {
                                     failed(rows.error());
                                     return;
                                 }
                                 m_pending.rows = std::move(*rows);
                                 onArrived();
                             });
}

void CompareView::onArrived()
{
    if (!m_pending.values || !m_pending.rows) {
        return;
    }
    m_go->setEnabled(true);
    m_export->setEnabled(true);
    m_values = std::move(m_pending.values);
    QList<CompareRow> rows = std::move(*m_pending.rows);
    m_pending = {};
    m_comparedPath = m_values->path.isEmpty() ? m_path->text() : m_values->path;

    QList<QJsonValue> answers;
    answers.reserve(rows.size());
    for (const CompareRow &row : std::as_const(rows)) {
        answers.append(row.value);
    }
    const NumberStyle style = detectNumberStyle(answers);
    m_groups->set(*m_values, rows, style);
    const int count = int(rows.size());
    m_proxy->setNodeFilter(std::nullopt);
    m_model->setRows(std::move(rows), style);
    QHash<QString, QString> marks;
    for (const GroupsModel::Row &g : m_groups->groupRows()) {
        if (g.kind == GroupsModel::RowKind::Minority || g.kind == GroupsModel::RowKind::Outlier) {
            for (const QString &node : g.nodes) {
                marks.insert(node, GroupsModel::kindName(g.kind));
            }
        }
    }
    m_model->setMarks(std::move(marks));
    m_filterLabel->setText(u"All %1 nodes"_s.arg(count));
    m_showAll->setEnabled(false);
    // A new path opens at its top, where the outliers are.
    m_groupsTable->scrollToTop();
    m_table->scrollToTop();
    showStats();
    showSlices();
    updateChart();
    Q_EMIT compared(count);
}

Result<QStringList> CompareView::groupByLabels() const
{
    // "dc, rack" as typed, or the API's "label:dc,label:rack": core's parser says what is valid.
    QStringList items;
    for (const QString &part :
         m_groupBy->text().split(QRegularExpression(u"[,\\s]+"_s), Qt::SkipEmptyParts)) {
        items.append(part.startsWith(u"label:"_s) ? part : u"label:"_s + part);
    }
    return parseLabelGroupBy({items.join(u',')});
}

void CompareView::showSlices()
{
    const FleetValues &v = *m_values;
    m_slices->setRowCount(int(v.byLabel.size()));
    for (int row = 0; row < int(v.byLabel.size()); ++row) {
        const LabelSlice &slice = v.byLabel[std::size_t(row)];
        const FleetValues &s = slice.values;
        int failed = 0;
        for (const int n : s.failed) {
            failed += n;
        }
        QString common;
        if (!s.groups.isEmpty()) {
            common = u"%1 (%2 %)"_s.arg(jsonValueText(s.groups.first().value))
                         .arg(QLocale().toString(s.groups.first().share * 100, 'f', 1));
        }
        const QStringList cells = {
            sliceText(slice, v.groupLabels),
            QString::number(s.nodes),
            QString::number(s.withValue),
            QString::number(std::max<qsizetype>(s.groupCount, s.groups.size())),
            common,
            QString::number(s.minorities.size()),
            QString::number(s.outlierCount),
            QString::number(failed),
        };
        for (int column = 0; column < cells.size(); ++column) {
            auto *item = new QTableWidgetItem(cells[column]);
            if (column > 0 && column != 4) {
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            }
            m_slices->setItem(row, column, item);
        }
    }
    m_slices->resizeColumnsToContents();
    m_slices->setVisible(!v.groupLabels.isEmpty());
}

void CompareView::selectSlice(int row)
{
    if (!m_values || row < 0 || row >= int(m_values->byLabel.size())) {
        return;
    }
    m_slices->selectRow(row);
    m_groupsTable->clearSelection();
    const LabelSlice &slice = m_values->byLabel[std::size_t(row)];
    QStringList nodes;
    for (const ValueGroup &group : slice.values.groups) {
        nodes += group.nodes;
    }
    filterNodes(nodes, sliceText(slice, m_values->groupLabels));
}

void CompareView::showStats()
{
    const FleetValues &v = *m_values;
    const NumberStyle style = m_model->style();
    QStringList parts;
    // groupCount is the service's: a remote answer may carry fewer groups than it counts.
    parts.append(u"%1 — %2 nodes: %3 with a value, %4 distinct"_s.arg(m_comparedPath)
                     .arg(v.nodes)
                     .arg(v.withValue)
                     .arg(std::max<qsizetype>(v.groupCount, v.groups.size())));
    if (v.groups.size() < v.groupCount) {
        parts.append(u"the %1 most common listed"_s.arg(v.groups.size()));
    }
    if (v.distribution) {
        parts.append(u"shown as a distribution in %1 ranges"_s.arg(v.distribution->buckets.size()));
    }
    if (v.missing > 0) {
        parts.append(u"%1 without the key"_s.arg(v.missing));
    }
    int failed = 0;
    for (int n : v.failed) {
        failed += n;
    }
    if (failed > 0) {
        parts.append(u"%1 failed"_s.arg(failed));
    }
    QString text = parts.join(u", "_s);
    if (v.stats) {
        const ValueStats &s = *v.stats;
        text += u"\nmin %1   p50 %2   p90 %3   p99 %4   max %5   (%6 numbers)"_s
                    .arg(formatNumber(s.min, style), formatNumber(s.p50, style),
                         formatNumber(s.p90, style), formatNumber(s.p99, style),
                         formatNumber(s.max, style))
                    .arg(s.count);
        // The mean of the two middle values (p50 is nearest-rank: the lower one).
        QList<double> numbers;
        for (const CompareRow &row : m_model->rows()) {
            if (row.number) {
                numbers.append(*row.number);
            }
        }
        if (const std::optional<NumberSummary> summary = summarize(numbers)) {
            text += u"   median %1   mean %2"_s.arg(formatNumber(summary->median, style),
                                                    formatNumber(s.mean, style));
        }
        if (v.outlierCount > 0) {
            text += u"   — %1 outlier%2"_s.arg(v.outlierCount)
                        .arg(v.outlierCount == 1 ? u""_s : u"s"_s);
        }
    }
    m_stats->setText(text);
}

void CompareView::selectGroup(int row)
{
    if (row < 0 || row >= m_groups->rowCount()) {
        return;
    }
    m_groupsTable->selectRow(row);
    const GroupsModel::Row &g = m_groups->row(row);
    filterNodes(g.nodes, u"%1 %2"_s.arg(GroupsModel::kindName(g.kind), g.value));
}

void CompareView::filterNodes(const QStringList &nodes, const QString &description)
{
    m_proxy->setNodeFilter(QSet<QString>(nodes.cbegin(), nodes.cend()));
    m_filterLabel->setText(u"%1 node%2 — %3"_s.arg(m_proxy->rowCount())
                               .arg(m_proxy->rowCount() == 1 ? u""_s : u"s"_s)
                               .arg(description));
    m_showAll->setEnabled(true);
    updateChart();
}

void CompareView::clearNodeFilter()
{
    m_proxy->setNodeFilter(std::nullopt);
    m_groupsTable->clearSelection();
    m_filterLabel->setText(u"All %1 nodes"_s.arg(m_model->rowCount()));
    m_showAll->setEnabled(false);
    updateChart();
}

QString CompareView::selectedNode() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.siblingAtColumn(CompareModel::Node).data().toString()
                             : QString();
}

void CompareView::showNodeMenu(const QPoint &pos)
{
    const QModelIndex index = m_table->indexAt(pos);
    if (index.isValid() && !m_table->selectionModel()->isRowSelected(index.row(), {})) {
        m_table->selectRow(index.row());
    }
    const QString node =
        index.isValid() ? index.siblingAtColumn(CompareModel::Node).data().toString() : QString();
    QMenu menu(this);
    addNodeRowActions(menu, m_table, node, this, [this](const QString &n, const QString &against) {
        Q_EMIT diffRequested(n, against);
    });
    menu.addAction(u"Export table as CSV…"_s, this, &CompareView::exportCsvDialog);
    menu.exec(m_table->viewport()->mapToGlobal(pos));
}

void CompareView::exportCsvDialog()
{
    if (m_model->rowCount() == 0) {
        return;
    }
    QString name = m_comparedPath;
    name.replace(QRegularExpression(u"[^A-Za-z0-9._-]+"_s), u"_"_s);
    const QString file = QFileDialog::getSaveFileName(this, u"Export compare table"_s,
                                                      u"%1-%2.csv"_s.arg(m_huntId, name),
                                                      u"CSV files (*.csv);;All files (*)"_s);
    if (!file.isEmpty()) {
        exportCsv(file);
    }
}

void CompareView::exportCsv(const QString &filePath)
{
    writeTextFile(filePath, tableCsv(m_table), this, [this, filePath](const QString &error) {
        Q_EMIT message(error.isEmpty() ? u"Saved %1"_s.arg(filePath) : error);
        Q_EMIT exported(filePath, error);
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
    m_chart->setValues(std::move(values), m_comparedPath, m_model->style());
}

} // namespace Artemis::Gui
