#include "gui/diffview.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "core/base/jsonvalues.h"
#include "gui/huntbackend.h"
#include "gui/jsonview.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {
QString shareText(double share)
{
    return QString::number(share * 100, 'f', 0) + u'%';
}
QString valueText(const QJsonValue &value)
{
    return value.isUndefined() ? u"—"_s : jsonValueText(value);
}
} // namespace

DiffView::DiffView(HuntBackend *backend, QWidget *parent)
    : QWidget(parent),
      m_backend(backend),
      m_node(new QLineEdit(this)),
      m_against(new QComboBox(this)),
      m_go(new QPushButton(u"Diff"_s, this)),
      m_summary(
          new QLabel(u"Double-click a node in Compare, or right-click one in Results."_s, this)),
      m_table(new QTableWidget(0, 5, this)),
      m_json(new JsonView(this))
{
    m_node->setObjectName(u"diffNode"_s);
    m_node->setPlaceholderText(u"node, e.g. 10.0.0.7:9100"_s);
    m_against->setObjectName(u"diffAgainst"_s);
    m_against->setEditable(true);
    m_against->addItem(u"majority"_s);
    m_against->addItem(u"previous"_s);
    m_against->setToolTip(u"majority: the other ok nodes; previous: this node in the schedule's "
                          u"previous round; or type another node"_s);
    m_summary->setObjectName(u"diffSummary"_s);
    m_summary->setWordWrap(true);
    m_table->setObjectName(u"diffTable"_s);
    m_table->setHorizontalHeaderLabels(
        {u"Kind"_s, u"Path"_s, u"This node"_s, u"Expected"_s, u"Share"_s});
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(u"Node:"_s, this));
    top->addWidget(m_node, 2);
    top->addWidget(new QLabel(u"against:"_s, this));
    top->addWidget(m_against, 1);
    top->addWidget(m_go);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_json);
    split->addWidget(m_table);
    split->setSizes({640, 620});

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);

    const auto go = [this] {
        showDiff(m_node->text().trimmed(), m_against->currentText().trimmed());
    };
    connect(m_go, &QPushButton::clicked, this, go);
    connect(m_node, &QLineEdit::returnPressed, this, go);
}

void DiffView::setBackend(HuntBackend *backend)
{
    m_backend = backend;
    setHunt({});
}

void DiffView::setHunt(const QString &huntId)
{
    if (huntId == m_huntId) {
        return;
    }
    ++m_generation;
    m_huntId = huntId;
    m_table->setRowCount(0);
    m_json->clear();
}

void DiffView::showDiff(const QString &node, const QString &against)
{
    m_node->setText(node);
    m_against->setCurrentText(against);
    if (m_huntId.isEmpty() || !m_backend || node.isEmpty()) {
        m_summary->setText(u"Open a hunt and pick a node first."_s);
        return;
    }
    const quint64 generation = ++m_generation;
    m_diff.reset();
    m_outcome.reset();
    m_summary->setText(u"Comparing %1 against %2…"_s.arg(node, against));
    const auto failed = [this, generation](const Error &error) {
        if (generation != m_generation) {
            return;
        }
        ++m_generation;
        m_summary->setText(error.message);
        Q_EMIT message(error.message);
    };
    m_backend->nodeDiff(m_huntId, node, against, this,
                        [this, generation, failed](Result<NodeDiff> diff) {
                            if (generation != m_generation) {
                                return;
                            }
                            if (!diff) {
                                failed(diff.error());
                                return;
                            }
                            m_diff = std::move(*diff);
                            onArrived();
                        });
    m_backend->nodeOutcome(m_huntId, node, this,
                           [this, generation, failed](Result<Outcome> outcome) {
                               if (generation != m_generation) {
                                   return;
                               }
                               if (!outcome) {
                                   failed(outcome.error());
                                   return;
                               }
                               m_outcome = std::move(*outcome);
                               onArrived();
                           });
}

void DiffView::onArrived()
{
    if (!m_diff || !m_outcome) {
        return;
    }
    const NodeDiff &d = *m_diff;
    const bool majority = d.compared > 1;
    m_summary->setText(
        u"<b>%1</b> against %2%3: %4 different, %5 only here, %6 missing here%7"_s
            .arg(d.node.toHtmlEscaped(), d.against.toHtmlEscaped(),
                 majority ? u" (%1 other nodes)"_s.arg(d.compared) : QString())
            .arg(d.differences.size())
            .arg(d.onlyNode.size())
            .arg(d.onlyOther.size())
            .arg(d.variable > 0 ? u"; %1 paths vary too much to have a majority"_s.arg(d.variable)
                                : QString()));
    m_json->setDocument(u"<b>%1</b> — differing paths are marked red"_s.arg(d.node.toHtmlEscaped()),
                        m_outcome->body);
    QHash<QString, QString> tips;
    m_table->setRowCount(0);
    const auto add = [this](const QString &kind, const NodeDifference &e) {
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        // Without a majority there is no value to name, so no share of one (NodeDiff).
        const QStringList cells{kind, e.path, valueText(e.value),
                                e.noMajority ? u"(no majority value)"_s : valueText(e.expected),
                                e.noMajority ? QString() : shareText(e.share)};
        for (int c = 0; c < cells.size(); ++c) {
            m_table->setItem(row, c, new QTableWidgetItem(cells[c]));
        }
    };
    for (const NodeDifference &e : d.differences) {
        tips.insert(e.path, u"expected %1 (%2 of the nodes), this node has %3"_s.arg(
                                valueText(e.expected), shareText(e.share), valueText(e.value)));
        add(u"different"_s, e);
    }
    for (const NodeDifference &e : d.onlyNode) {
        tips.insert(e.path, u"only %1 of the other nodes have this key"_s.arg(shareText(e.share)));
        add(u"only here"_s, e);
    }
    for (const NodeDifference &e : d.onlyOther) {
        add(u"missing here"_s, e);
    }
    m_json->highlightPaths(tips);
    Q_EMIT diffShown(d);
}

} // namespace Artemis::Gui
