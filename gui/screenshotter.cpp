#include "gui/screenshotter.h"

#include <memory>

#include <QDeadlineTimer>
#include <QDir>
#include <QLineEdit>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStatusBar>
#include <QTableView>
#include <QTextCursor>
#include <QTimer>
#include <QTreeView>

#include "gui/barchart.h"
#include "gui/comparemodel.h"
#include "gui/compareview.h"
#include "gui/diffview.h"
#include "gui/groupsmodel.h"
#include "gui/huntform.h"
#include "gui/huntlistmodel.h"
#include "gui/jsonview.h"
#include "gui/mainwindow.h"
#include "gui/pagedresultsmodel.h"
#include "gui/progresspanel.h"
#include "gui/resultcolumns.h"
#include "gui/resultsbrowser.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

Screenshotter::Screenshotter(MainWindow *window, QStringList nodes, QString outDir, QObject *parent)
    : QObject(parent), m_window(window), m_nodes(std::move(nodes)), m_outDir(std::move(outDir))
{
}

void Screenshotter::fail(const QString &message)
{
    if (!m_failed) {
        m_failed = true;
        Q_EMIT finished(false, message);
    }
}

void Screenshotter::waitFor(std::function<bool()> ready, std::function<void()> next,
                            const QString &what)
{
    auto *timer = new QTimer(this);
    timer->setInterval(20);
    const QDeadlineTimer deadline(20000);
    connect(timer, &QTimer::timeout, this, [this, timer, ready, next, what, deadline] {
        if (ready()) {
            timer->deleteLater();
            timer->stop();
            next();
        } else if (deadline.hasExpired()) {
            timer->deleteLater();
            timer->stop();
            fail(u"timed out waiting for %1 (status: %2)"_s.arg(
                what, m_window->statusBar()->currentMessage()));
        }
    });
    timer->start();
}

void Screenshotter::grab(const QString &name)
{
    const QString file = QDir(m_outDir).filePath(name + u".png"_s);
    if (!m_window->grab().save(file)) {
        fail(u"cannot write %1"_s.arg(file));
        return;
    }
    m_written.append(file);
}

void Screenshotter::run()
{
    if (!QDir().mkpath(m_outDir)) {
        fail(u"cannot create %1"_s.arg(m_outDir));
        return;
    }
    MainWindow *w = m_window;
    w->resize(1280, 800);
    w->showTab(MainWindow::HuntTab);
    QStringList lines = m_nodes;
    lines.append(u"# a typo and a pasted URL with a path are flagged before start:"_s);
    lines.append(u"10.0.0.1:70000"_s);
    lines.append(u"bob@10.0.0.9:9100"_s);
    lines.append(u"http://node7:9100/metrics"_s);
    w->form()->setNodesText(lines.join(u'\n'));
    w->form()->setPath(u"metric"_s);

    // 1. The form flags the bad lines (shown in the first screenshot), then they are removed.
    waitFor([w] { return !w->form()->isChecking() && !w->form()->lastCheck().problems.isEmpty(); },
            [this, w] {
                // Scroll the editor to the flagged lines.
                QTextCursor end = w->form()->nodesEdit()->textCursor();
                end.movePosition(QTextCursor::End);
                w->form()->nodesEdit()->setTextCursor(end);
                w->form()->nodesEdit()->ensureCursorVisible();
                grab(u"hunt-form"_s);
                w->form()->setNodesText(m_nodes.join(u'\n'));
                waitFor(
                    [w] {
                        return !w->form()->isChecking() && w->form()->lastCheck().problems.isEmpty()
                               && w->form()->startButton()->isEnabled();
                    },
                    [this, w] {
                        connect(
                            w, &MainWindow::huntFinished, this,
                            [this, w](const HuntInfo &info) {
                                m_huntId = info.id;
                                w->progress()->table()->sortByColumn(int(ResultColumn::Latency),
                                                                     Qt::DescendingOrder);
                                grab(u"hunt-progress"_s);
                                openResults();
                            },
                            Qt::SingleShotConnection);
                        w->startHunt();
                    },
                    u"the corrected node list"_s);
            },
            u"the node check"_s);
}

void Screenshotter::openResults()
{
    MainWindow *w = m_window;
    w->showTab(MainWindow::ResultsTab);
    w->results()->openHunt(m_huntId);
    PagedResultsModel *model = w->results()->resultsModel();
    waitFor(
        [this, model] {
            return model->huntId() == m_huntId && model->total() > 0 && model->isLoaded(0);
        },
        [this, w, model] {
            int row = 0;
            for (int r = 0; r < model->rowCount(); ++r) {
                if (model->index(r, 0).data(OutcomeRole).toInt() == int(OutcomeKind::Ok)) {
                    row = r;
                    break;
                }
            }
            w->results()->showRow(row);
            waitFor([w] { return !w->results()->shownNode().isEmpty(); },
                    [this, w] {
                        JsonView *json = w->results()->jsonView();
                        json->tree()->expandAll();
                        // Select mem.used, the key compared next.
                        const QAbstractItemModel *m = json->tree()->model();
                        for (int r = 0; r < m->rowCount(); ++r) {
                            const QModelIndex key = m->index(r, 0);
                            if (key.data().toString() == u"mem"_s) {
                                for (int c = 0; c < m->rowCount(key); ++c) {
                                    const QModelIndex child = m->index(c, 0, key);
                                    if (child.data().toString() == u"used"_s) {
                                        json->tree()->setCurrentIndex(child);
                                    }
                                }
                            }
                        }
                        grab(u"results"_s);
                        showCompare();
                    },
                    u"a node's JSON"_s);
        },
        u"the stored results"_s);
}

void Screenshotter::showCompare()
{
    MainWindow *w = m_window;
    w->showTab(MainWindow::CompareTab);
    CompareView *compare = w->compare();
    const int expected = int(m_nodes.size());
    // A numeric path with 221 values: its distribution, the nearly full disks on top.
    compare->compare(u"disk.root.used_pct"_s);
    waitFor([compare, expected] { return compare->model()->rowCount() == expected; },
            [this, w, compare] {
                grab(u"compare"_s);
                // A path with few values keeps its groups, minorities first.
                compare->compare(u"version"_s);
                waitFor(
                    [compare] {
                        return compare->comparedPath() == u"version"_s
                               && compare->groups()->rowCount() > 0;
                    },
                    [this, w, compare] {
                        grab(u"compare-groups"_s);
                        showDiff(compare);
                        Q_UNUSED(w);
                    },
                    u"the second comparison"_s);
            },
            u"the comparison"_s);
}

} // namespace Artemis::Gui

namespace Artemis::Gui {

void Screenshotter::showDiff(CompareView *compare)
{
    MainWindow *w = m_window;
    QString node;
    for (const CompareRow &row : compare->model()->rows()) {
        if (row.outcome == OutcomeKind::Ok) {
            node = row.node;
            break;
        }
    }
    auto shown = std::make_shared<bool>(false);
    connect(
        w->diff(), &DiffView::diffShown, this, [shown] { *shown = true; },
        Qt::SingleShotConnection);
    w->showTab(MainWindow::DiffTab);
    w->diff()->showDiff(node, u"majority"_s);
    waitFor([shown] { return *shown; },
            [this] {
                grab(u"diff"_s);
                if (!m_failed) {
                    Q_EMIT finished(true, m_written.join(u", "_s));
                }
            },
            u"the diff"_s);
}

} // namespace Artemis::Gui
