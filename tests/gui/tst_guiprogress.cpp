// Issue #22 item 5: the Hunt tab names what is still running. One node answers, one hangs
// (timeout 4 s, 2 attempts): while it hangs, its row reads "in flight (attempt 1, …)", later
// attempt 2 with an age past the first timeout, the panel names it with attempt and age, the
// "In flight or retrying" filter keeps only it, and the rate falls to 0 nodes/s instead of
// freezing. The same in local mode (HuntProgress from the engine) and in remote mode against an
// in-process RestServer (GET /api/v1/hunts/{id} progress.unfinished, read by RemoteBackend).
#include <QtTest>

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableView>

#include "core/service/huntcatalog.h"
#include "gui/huntform.h"
#include "gui/huntresultsmodel.h"
#include "gui/localbackend.h"
#include "gui/mainwindow.h"
#include "gui/progresspanel.h"
#include "gui/remotebackend.h"
#include "gui/resultcolumns.h"
#include "gui/resultsfilterproxy.h"
#include "headless/rest/restserver.h"
#include "tests/common/fakenode.h"
#include "tests/common/stackfixture.h"
#include "tests/gui/windowfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Gui;
using Artemis::Test::FakeNode;
using Artemis::Test::StackFixture;
using Artemis::Test::StackOptions;

class TestGuiProgress : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void localNamesWhatIsStillRunning();
    void remoteNamesWhatIsStillRunning();

private:
    void runHangingHunt();
    int rowOf(const QString &node) const;

    Test::WindowFixture m_gui;
    FakeNode m_ok;
    FakeNode m_hang;
};

void TestGuiProgress::initTestCase()
{
    qRegisterMetaType<Artemis::HuntInfo>();
    qRegisterMetaType<Artemis::HuntProgress>();
    QVERIFY(m_ok.start() && m_hang.start());
    m_hang.setBehaviour(FakeNode::Behaviour::Hang);
}

void TestGuiProgress::init()
{
    StackOptions options;
    options.threads = 1;
    options.subdir = u"data"_s;
    options.scheduler.reset();
    QVERIFY2_OK(m_gui.open(options, {1200, 700}));
}

void TestGuiProgress::cleanup()
{
    m_gui.close();
}

int TestGuiProgress::rowOf(const QString &node) const
{
    const HuntResultsModel *model = m_gui.window->progress()->model();
    for (int r = 0; r < model->rowCount(); ++r) {
        if (model->row(r).node == node) {
            return r;
        }
    }
    return -1;
}

void TestGuiProgress::runHangingHunt()
{
    HuntForm *form = m_gui.window->form();
    form->setNodesText(m_ok.node() + u'\n' + m_hang.node());
    FetchOptions options;
    options.timeoutMs = 4000;
    options.attempts = 2;
    form->setOptions(options);
    QTRY_VERIFY_WITH_TIMEOUT(form->startButton()->isEnabled(), 5000);
    QSignalSpy finished(m_gui.window.get(), &MainWindow::huntFinished);
    m_gui.window->startHunt();
    QTRY_VERIFY_WITH_TIMEOUT(!m_gui.window->runningHunt().isEmpty(), 5000);

    ProgressPanel *panel = m_gui.window->progress();
    HuntResultsModel *model = panel->model();
    const int hang = rowOf(m_hang.node());
    QVERIFY(hang >= 0);
    const QModelIndex state = model->index(hang, int(ResultColumn::State));

    // Attempt 1 in flight: named as such in its row and in the panel, never "waiting".
    QTRY_VERIFY_WITH_TIMEOUT(state.data().toString().startsWith(u"in flight (attempt 1, "_s), 5000);
    QCOMPARE(model->index(hang, int(ResultColumn::Attempts)).data().toInt(), 1);
    QCOMPARE(state.data(LiveRole).toInt(), 1);
    QTRY_VERIFY(panel->unfinishedLabel()->isVisible());
    QVERIFY2(panel->unfinishedLabel()->text().contains(u"Waiting on 1 node"_s),
             qPrintable(panel->unfinishedLabel()->text()));
    QVERIFY2(panel->unfinishedLabel()->text().contains(m_hang.node() + u" (attempt 1, "_s),
             qPrintable(panel->unfinishedLabel()->text()));
    QCOMPARE(model->index(rowOf(m_ok.node()), int(ResultColumn::State)).data().toString(),
             u"done"_s);

    // The filter keeps the nodes still running.
    QComboBox *outcome = panel->outcomeFilter();
    outcome->setCurrentIndex(outcome->findData(ResultsFilterProxy::Unfinished));
    QCOMPARE(panel->proxy()->rowCount(), 1);
    QCOMPARE(panel->proxy()->index(0, 0).data(NodeRole).toString(), m_hang.node());
    outcome->setCurrentIndex(0);

    // The first attempt timed out: attempt 2, older than the first timeout.
    QTRY_VERIFY_WITH_TIMEOUT(state.data().toString().contains(u"attempt 2, "_s), 8000);
    QVERIFY(model->liveState(hang));
    QVERIFY2(model->liveState(hang)->ageMs >= 4000,
             qPrintable(QString::number(model->liveState(hang)->ageMs)));
    QTRY_VERIFY(panel->unfinishedLabel()->text().contains(m_hang.node() + u" (attempt 2, "_s));

    // Nothing finished for 5 s: the rate is over the last seconds, so it reads 0, while the
    // hunt still runs (the node is still in flight).
    QTRY_VERIFY_WITH_TIMEOUT(panel->countsLabel()->text().contains(u"<b>0</b> nodes/s"_s), 5000);
    QVERIFY(model->liveState(hang));
    QVERIFY2(panel->unfinishedLabel()->text().contains(u"no node finished for"_s),
             qPrintable(panel->unfinishedLabel()->text()));

    QVERIFY(finished.wait(10000));
    QTRY_VERIFY(!panel->unfinishedLabel()->isVisible());
    QCOMPARE(state.data().toString(), u"done"_s);
    QCOMPARE(model->row(hang).outcome, int(OutcomeKind::Timeout));
    QVERIFY(!model->liveState(hang));
}

void TestGuiProgress::localNamesWhatIsStillRunning()
{
    runHangingHunt();
}

void TestGuiProgress::remoteNamesWhatIsStillRunning()
{
    const QString url = m_gui.serve();
    QVERIFY(!url.isEmpty());
    QSignalSpy checked(m_gui.window.get(), &MainWindow::connectionChecked);
    m_gui.window->setServer(url);
    m_gui.window->setMode(MainWindow::Mode::Remote);
    QVERIFY(checked.wait(10000));
    QCOMPARE(checked.first().first().toBool(), true);
    runHangingHunt();
}

QTEST_MAIN(TestGuiProgress)
#include "tst_guiprogress.moc"
