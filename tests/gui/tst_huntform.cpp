// The hunt form: invalid node lines are flagged with their reason before start.
#include <QtTest>

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>

#include "gui/huntform.h"
#include "tests/common/testca.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Gui;

class TestHuntForm : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void check_data();
    void check();
    void typedInvalidLinesAreFlagged();
    void removeInvalidLines();
    void badPathBlocksStart();
    void tabLeavesNodesAndEnterStarts();
    void requestSettingsReachTheRequestNotTheSettings();
};

void TestHuntForm::check_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("valid");
    QTest::addColumn<QList<int>>("badLines"); // 0-based
    QTest::addColumn<QString>("reason");      // substring of the first reason

    QTest::newRow("empty") << QString() << 0 << QList<int>{} << QString();
    QTest::newRow("one good") << u"10.0.0.1:9100"_s << 1 << QList<int>{} << QString();
    QTest::newRow("comments and blanks ignored")
        << u"# fleet\n\n10.0.0.1:9100\n   \n10.0.0.2:9100\n"_s << 2 << QList<int>{} << QString();
    QTest::newRow("CRLF pasted") << u"a:1\r\nb:2\r\n"_s << 2 << QList<int>{} << QString();
    QTest::newRow("bad port keeps its line number")
        << u"# x\nok:81\n\nn:70000\n"_s << 1 << QList<int>{3} << u"port"_s;
    QTest::newRow("user@ rejected") << u"bob@10.0.0.1\nok:1"_s << 1 << QList<int>{0} << u"user"_s;
    QTest::newRow("path inside node") << u"http://n:1/metrics"_s << 0 << QList<int>{0} << u"path"_s;
    QTest::newRow("duplicates counted once")
        << u"a:1\na:1\nb:1"_s << 2 << QList<int>{} << QString();
    QTest::newRow("several bad") << u"x:0\ny:1\nz:99999"_s << 1 << QList<int>{0, 2} << u"port"_s;
}

void TestHuntForm::check()
{
    QFETCH(QString, text);
    QFETCH(int, valid);
    QFETCH(QList<int>, badLines);
    QFETCH(QString, reason);
    const NodeCheck c = checkNodes(text, u"metric"_s);
    QCOMPARE(c.valid, valid);
    QList<int> lines;
    for (const NodeCheck::Problem &p : c.problems) {
        lines.append(p.line);
    }
    QCOMPARE(lines, badLines);
    if (!reason.isEmpty()) {
        QVERIFY2(c.problems.first().reason.contains(reason), qPrintable(c.problems.first().reason));
    }
}

void TestHuntForm::typedInvalidLinesAreFlagged()
{
    HuntForm form;
    form.resize(500, 600);
    form.show();
    QTest::keyClicks(form.nodesEdit(), u"127.0.0.1:9100"_s);
    QTest::keyClick(form.nodesEdit(), Qt::Key_Return);
    QTest::keyClicks(form.nodesEdit(), u"bad node with spaces"_s);
    QTest::keyClick(form.nodesEdit(), Qt::Key_Return);
    QTest::keyClicks(form.nodesEdit(), u"10.0.0.2:70000"_s);
    QTRY_COMPARE_WITH_TIMEOUT(form.lastCheck().problems.size(), 2, 5000);
    QTRY_VERIFY(!form.isChecking());
    QCOMPARE(form.lastCheck().valid, 1);
    QCOMPARE(form.problemList()->count(), 2);
    QVERIFY(form.problemList()->isVisible());
    QVERIFY(form.problemList()->item(0)->text().startsWith(u"line 2:"_s));
    QVERIFY(form.problemList()->item(1)->text().contains(u"70000"_s));
    QVERIFY(form.summaryLabel()->text().contains(u"2 invalid lines"_s));
    QCOMPARE(form.nodesEdit()->extraSelections().size(), 2); // marked in the editor
    QVERIFY(!form.startButton()->isEnabled());
}

void TestHuntForm::removeInvalidLines()
{
    HuntForm form;
    form.setNodesText(u"a:1\nb:0\nc:2\nd:x"_s);
    QTRY_COMPARE(form.lastCheck().problems.size(), 2);
    QSignalSpy checked(&form, &HuntForm::checked);
    const auto buttons = form.findChildren<QPushButton *>();
    QPushButton *remove = nullptr;
    for (QPushButton *b : buttons) {
        if (b->text() == u"Remove invalid lines"_s) {
            remove = b;
        }
    }
    QVERIFY(remove);
    remove->click();
    QCOMPARE(form.nodesEdit()->toPlainText(), u"a:1\nc:2"_s);
    QTRY_VERIFY(form.lastCheck().problems.isEmpty() && !form.isChecking());
    QCOMPARE(form.lastCheck().valid, 2);
    QVERIFY(form.startButton()->isEnabled());
    QCOMPARE(form.request().nodes, (QStringList{u"a:1"_s, u"c:2"_s}));
}

void TestHuntForm::badPathBlocksStart()
{
    HuntForm form;
    form.setNodesText(u"a:1"_s);
    form.setPath(u"metric#frag"_s);
    QTRY_VERIFY(!form.isChecking() && !form.lastCheck().pathError.isEmpty());
    QVERIFY(!form.startButton()->isEnabled());
    form.setPath(u"metric"_s);
    QTRY_VERIFY(!form.isChecking() && form.lastCheck().pathError.isEmpty());
    QTRY_VERIFY(form.startButton()->isEnabled());
}

void TestHuntForm::tabLeavesNodesAndEnterStarts()
{
    HuntForm form;
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    QList<HuntRequest> started;
    connect(&form, &HuntForm::startRequested, this,
            [&started](const HuntRequest &request) { started.append(request); });
    form.nodesEdit()->setFocus();
    QTest::keyClicks(form.nodesEdit(), u"127.0.0.1:9"_s);
    // Tab leaves the node editor (no tab character typed into the node list).
    QTest::keyClick(form.nodesEdit(), Qt::Key_Tab);
    QVERIFY(!form.nodesEdit()->hasFocus());
    QCOMPARE(form.nodesEdit()->toPlainText(), u"127.0.0.1:9"_s);
    QTRY_VERIFY(!form.isChecking() && form.startButton()->isEnabled());

    // Enter in the path field starts the hunt, once, with what the form shows.
    form.pathEdit()->setFocus();
    QTest::keyClick(form.pathEdit(), Qt::Key_Return);
    QCOMPARE(started.size(), 1);
    const HuntRequest &request = started.first();
    QCOMPARE(request.nodes, QStringList{u"127.0.0.1:9"_s});
    QCOMPARE(request.url, u"metric"_s);

    // ... and not while the form would refuse the button.
    form.setPath(u"metric#frag"_s);
    QTRY_VERIFY(!form.isChecking() && !form.startButton()->isEnabled());
    QTest::keyClick(form.pathEdit(), Qt::Key_Return);
    QCOMPARE(started.size(), 1);
}

void TestHuntForm::requestSettingsReachTheRequestNotTheSettings()
{
    QTemporaryDir dir;
    const Result<Test::TestCa> ca = Test::TestCa::create(dir.path());
    QVERIFY2(ca, ca ? "" : qPrintable(ca.error().message));
    HuntForm form;
    form.setNodesText(u"a:1"_s);
    auto *headers = form.findChild<QPlainTextEdit *>(u"headersEdit"_s);
    auto *user = form.findChild<QLineEdit *>(u"userEdit"_s);
    auto *password = form.findChild<QLineEdit *>(u"passwordEdit"_s);
    auto *caFile = form.findChild<QLineEdit *>(u"caFileEdit"_s);
    auto *caStatus = form.findChild<QLabel *>(u"caStatus"_s);
    auto *follow = form.findChild<QCheckBox *>(u"followRedirectsCheck"_s);
    QVERIFY(headers && user && password && caFile && caStatus && follow);
    QCOMPARE(password->echoMode(), QLineEdit::Password);

    headers->setPlainText(u"X-Token: tok-1\nnot a header\n"_s);
    user->setText(u"ops"_s);
    password->setText(u"pw-gui-7"_s);
    follow->setChecked(true);
    // A CA file that is not PEM blocks Start and says why.
    caFile->setText(dir.filePath(u"server.ext"_s));
    Q_EMIT caFile->editingFinished();
    QTRY_VERIFY(caStatus->text().contains(u"holds no PEM certificate"_s));
    QVERIFY(!form.startButton()->isEnabled());
    caFile->setText(ca->caFile());
    Q_EMIT caFile->editingFinished();
    QTRY_VERIFY(caStatus->text().contains(u"1 certificate"_s));
    QTRY_VERIFY(form.startButton()->isEnabled());

    const HuntRequest request = form.request();
    QCOMPARE(request.options.headers.size(), 1);
    QCOMPARE(request.options.headers.first().second, QByteArray("tok-1"));
    QCOMPARE(request.options.basicAuth->username, u"ops"_s);
    QCOMPARE(request.options.basicAuth->password, u"pw-gui-7"_s);
    QVERIFY(request.options.caPem.startsWith("-----BEGIN CERTIFICATE-----"));
    QVERIFY(request.options.followRedirects);
    QVERIFY(request.options.validate());

    const QString ini = dir.filePath(u"form.ini"_s);
    {
        QSettings settings(ini, QSettings::IniFormat);
        form.saveSettings(settings);
    }
    QFile file(ini);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray saved = file.readAll();
    QVERIFY(!saved.contains("pw-gui-7"));
    QVERIFY(!saved.contains("tok-1"));
    QVERIFY(saved.contains("ops"));
    HuntForm again;
    QSettings settings(ini, QSettings::IniFormat);
    again.loadSettings(settings);
    QTRY_VERIFY(!again.request().options.caPem.isEmpty());
    QVERIFY(again.request().options.followRedirects);
    QCOMPARE(again.request().options.basicAuth->username, u"ops"_s);
    QVERIFY(again.request().options.basicAuth->password.isEmpty());
}

QTEST_MAIN(TestHuntForm)
#include "tst_huntform.moc"
