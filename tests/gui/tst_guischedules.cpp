// Issue #22 item 3: a schedule's warnings and skipped rounds are visible in the GUI. Starting a
// schedule from the form whose worst case (timeout x attempts + backoff) passes its round
// deadline shows the warnings over the live hunt; the History and Alerts schedule pickers say
// "N warning(s)" and, under the picker, the warnings and the skipped rounds with the last one's
// reason. Local mode (the scheduler in process) and remote mode (POST /api/v1/schedules' 201 and
// GET /api/v1/schedules through an in-process RestServer).
#include <QtTest>

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>

#include "core/watch/scheduler.h"
#include "gui/alertsview.h"
#include "gui/historyview.h"
#include "gui/huntform.h"
#include "gui/localbackend.h"
#include "gui/mainwindow.h"
#include "gui/progresspanel.h"
#include "gui/remotebackend.h"
#include "gui/schedulebox.h"
#include "headless/rest/restserver.h"
#include "tests/common/fakenode.h"
#include "tests/common/stackfixture.h"
#include "tests/common/wait.h"
#include "tests/gui/windowfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Gui;
using Artemis::Test::FakeNode;
using Artemis::Test::StackFixture;
using Artemis::Test::StackOptions;

class TestGuiSchedules : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void localWarningsAndSkippedRounds();
    void remoteWarningsAndSkippedRounds();
    void notesSayWhatTheScheduleTells();

private:
    void warningsAndSkippedRounds();
    QString createSkippingSchedule();

    Test::WindowFixture m_gui;
    FakeNode m_ok;
    FakeNode m_hang;
};

void TestGuiSchedules::initTestCase()
{
    qRegisterMetaType<Artemis::HuntInfo>();
    qRegisterMetaType<Artemis::HuntProgress>();
    QVERIFY(m_ok.start() && m_hang.start());
    m_hang.setBehaviour(FakeNode::Behaviour::Hang);
}

void TestGuiSchedules::init()
{
    StackOptions options;
    options.threads = 1;
    options.subdir = u"data"_s;
    options.scheduler->minEveryMs = 100;
    QVERIFY2_OK(m_gui.open(options, {1300, 700}));
}

void TestGuiSchedules::cleanup()
{
    m_gui.close();
}

// Every second, a round deadline of 5 s (given, longer than the interval) and a node that
// hangs for 3 s: round 2 is due while round 1 runs, and is skipped.
QString TestGuiSchedules::createSkippingSchedule()
{
    ScheduleSpec spec;
    spec.nodes = {m_hang.node()};
    spec.url = u"metric"_s;
    spec.everyMs = 1000;
    spec.deadlineMs = 5000;
    spec.options.timeoutMs = 3000;
    spec.options.attempts = 1;
    spec.origin = u"test"_s;
    const Result<Schedule> created = m_gui.stack->scheduler()->create(spec);
    if (!created) {
        qWarning("%s", qPrintable(created.error().message));
        return {};
    }
    const QString id = created->id;
    const bool skipped = Test::waitUntil(
        [&] {
            const std::optional<Schedule> s = m_gui.stack->scheduler()->find(id);
            return s && s->skipped > 0;
        },
        10000);
    return skipped ? id : QString();
}

void TestGuiSchedules::warningsAndSkippedRounds()
{
    // From the form: every 2 s, 3 s x 2 attempts: the warning is shown over round 1.
    HuntForm *form = m_gui.window->form();
    form->setNodesText(m_ok.node());
    FetchOptions options;
    options.timeoutMs = 3000;
    options.attempts = 2;
    form->setOptions(options);
    form->repeatEdit()->setText(u"2s"_s);
    QTRY_VERIFY_WITH_TIMEOUT(form->startButton()->isEnabled(), 5000);
    m_gui.window->startHunt();
    QLabel *notice = m_gui.window->progress()->noticeLabel();
    QTRY_VERIFY_WITH_TIMEOUT(notice->isVisible(), 10000);
    QVERIFY2(notice->text().contains(u"warning: a node's worst case"_s)
                 && notice->text().contains(u"is past the round deadline"_s),
             qPrintable(notice->text()));
    QVERIFY2(m_gui.window->statusBar()->currentMessage().contains(u"1 warning: see the Hunt tab"_s),
             qPrintable(m_gui.window->statusBar()->currentMessage()));

    const QString skipping = createSkippingSchedule();
    QVERIFY(!skipping.isEmpty());

    // Listed: the picker says so, and under it the warnings and the last skip's reason.
    HistoryView *history = m_gui.window->history();
    m_gui.window->showTab(MainWindow::HistoryTab);
    QComboBox *box = history->scheduleBox();
    QTRY_COMPARE_WITH_TIMEOUT(box->count(), 2, 10000);
    box->setCurrentIndex(box->findData(skipping));
    QVERIFY2(box->currentText().contains(u"skipped, 1 warning"_s), qPrintable(box->currentText()));
    QLabel *notes = history->scheduleNotesLabel();
    QTRY_VERIFY(notes->isVisible());
    QVERIFY2(notes->text().contains(u"Warning: the round deadline (5s) is longer than 'every' "
                                    u"(1s)"_s),
             qPrintable(notes->text()));
    QVERIFY2(notes->text().contains(u"skipped, the last at "_s)
                 && notes->text().contains(u": round 1 (hunt "_s)
                 && notes->text().contains(u"is still running"_s),
             qPrintable(notes->text()));
    QCOMPARE(box->itemData(box->currentIndex(), Qt::ToolTipRole).toString(), notes->text());

    AlertsView *alerts = m_gui.window->alerts();
    m_gui.window->showTab(MainWindow::AlertsTab);
    QTRY_COMPARE_WITH_TIMEOUT(alerts->scheduleBox()->count(), 2, 10000);
    alerts->scheduleBox()->setCurrentIndex(alerts->scheduleBox()->findData(skipping));
    QTRY_VERIFY(alerts->scheduleNotesLabel()->isVisible());
    QVERIFY(alerts->scheduleNotesLabel()->text().contains(u"is still running"_s));
    QVERIFY(m_gui.window->grab().save(u"/tmp/artemis-schedule-notes.png"_s));
}

void TestGuiSchedules::localWarningsAndSkippedRounds()
{
    warningsAndSkippedRounds();
}

void TestGuiSchedules::remoteWarningsAndSkippedRounds()
{
    const QString url = m_gui.serve();
    QVERIFY(!url.isEmpty());
    QSignalSpy checked(m_gui.window.get(), &MainWindow::connectionChecked);
    m_gui.window->setServer(url);
    m_gui.window->setMode(MainWindow::Mode::Remote);
    QVERIFY(checked.wait(10000));
    QCOMPARE(checked.first().first().toBool(), true);
    warningsAndSkippedRounds();
}

// The notes: nothing for a quiet schedule; warnings as told (Schedule::warnings), skips, errors.
void TestGuiSchedules::notesSayWhatTheScheduleTells()
{
    Schedule quiet;
    quiet.spec.everyMs = 60000;
    quiet.spec.options.attempts = 1;
    QVERIFY(scheduleNotes(quiet).isEmpty());
    Schedule told = quiet;
    told.warningsTold = QStringList{u"slow"_s};
    told.skipped = 1;
    told.lastSkipReason = u"busy"_s;
    told.lastError = u"busy"_s;
    const QStringList notes = scheduleNotes(told);
    QCOMPARE(notes.size(), 3);
    QCOMPARE(notes[0], u"Warning: slow"_s);
    QCOMPARE(notes[1], u"1 round skipped: busy"_s);
    QCOMPARE(notes[2], u"The last round could not start: busy"_s);
}

QTEST_MAIN(TestGuiSchedules)
#include "tst_guischedules.moc"
