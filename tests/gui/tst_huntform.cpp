// The hunt form: invalid node lines are flagged with their reason before start.
#include <QtTest>

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTemporaryDir>

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
    void nodeFiles_data();
    void nodeFiles();
    void loadsFileSdKeepingLabels_data();
    void loadsFileSdKeepingLabels();
    void binaryFileIsRefused();
};

using LabelList = QList<Labels>;

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

// Issue #22 item 7: the editor reads what `hunt --nodes-file` reads (core parseNodeFile): plain
// lists, Prometheus file_sd JSON and YAML, with labels; bad targets keep their line.
void TestHuntForm::nodeFiles_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("valid");
    QTest::addColumn<LabelList>("labels");
    QTest::addColumn<QList<int>>("badLines"); // 0-based; -1 unknown
    QTest::addColumn<QString>("fileError");   // substring; empty: none
    const Labels fra{{u"dc"_s, u"fra1"_s}, {u"rack"_s, u"r7"_s}};
    const Labels ams{{u"dc"_s, u"ams1"_s}};
    const int plain = int(NodeFile::Format::Plain);
    const int json = int(NodeFile::Format::FileSdJson);
    const int yaml = int(NodeFile::Format::FileSdYaml);
    QTest::newRow("plain") << u"a:1\n# c\nb:2\n"_s << QString() << plain << 2 << LabelList{}
                           << QList<int>{} << QString();
    QTest::newRow("file_sd json")
        << u"[\n  {\"targets\": [\"a:9100\", \"b:9100\"],\n   \"labels\": {\"dc\": \"fra1\", "
           u"\"rack\": \"r7\"}},\n  {\"targets\": [\"c:9100\"], \"labels\": {\"dc\": "
           u"\"ams1\"}}\n]\n"_s
        << u"sd.json"_s << json << 3 << LabelList{fra, fra, ams} << QList<int>{} << QString();
    QTest::newRow("file_sd json, bad target keeps its line")
        << u"[{\"targets\": [\"a:9100\"]},\n {\"targets\": [\"b:70000\"]}]"_s << QString() << json
        << 1 << LabelList{} << QList<int>{1} << QString();
    QTest::newRow("file_sd yaml")
        << u"- targets: ['a:9100', 'b:9100']\n  labels:\n    dc: fra1\n    rack: r7\n"
           u"- targets: [c:9100]\n  labels: {dc: ams1}\n"_s
        << u"sd.yaml"_s << yaml << 3 << LabelList{fra, fra, ams} << QList<int>{} << QString();
    QTest::newRow("file_sd yaml, bad target keeps its line")
        << u"- targets:\n    - a:9100\n    - b:0\n"_s << u"sd.yml"_s << yaml << 1 << LabelList{}
        << QList<int>{2} << QString();
    QTest::newRow("broken json names the byte")
        << u"[{\"targets\": [\"a:9100\"]"_s << u"sd.json"_s << plain << 0 << LabelList{}
        << QList<int>{} << u"sd.json: not valid file_sd JSON"_s;
    // The trial's complaint: 2,242 file_sd lines read as 2,242 invalid nodes.
    QString many = u"[{\"targets\": ["_s;
    for (int i = 0; i < 2242; ++i) {
        many += u"%1\"10.1.%2.%3:9100\"\n"_s.arg(i ? u","_s : QString()).arg(i / 250).arg(i % 250);
    }
    many += u"], \"labels\": {\"rack\": \"r7\"}}]"_s;
    QTest::newRow("2,242 file_sd targets")
        << many << u"fleet.json"_s << json << 2242 << LabelList(2242, Labels{{u"rack"_s, u"r7"_s}})
        << QList<int>{} << QString();
}

void TestHuntForm::nodeFiles()
{
    QFETCH(QString, text);
    QFETCH(QString, fileName);
    QFETCH(int, format);
    QFETCH(int, valid);
    QFETCH(LabelList, labels);
    QFETCH(QList<int>, badLines);
    QFETCH(QString, fileError);
    const NodeCheck c = checkNodes(text, u"metric"_s, fileName);
    if (!fileError.isEmpty()) {
        QVERIFY2(c.fileError.contains(fileError), qPrintable(c.fileError));
        QVERIFY(c.nodes.isEmpty());
        return;
    }
    QVERIFY2(c.fileError.isEmpty(), qPrintable(c.fileError));
    QCOMPARE(int(c.format), format);
    QCOMPARE(c.valid, valid);
    QCOMPARE(c.labels, labels);
    QList<int> lines;
    for (const NodeCheck::Problem &p : c.problems) {
        lines.append(p.line);
    }
    QCOMPARE(lines, badLines);
}

void TestHuntForm::loadsFileSdKeepingLabels_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("format");
    QTest::newRow("json") << u"fleet.json"_s
                          << QByteArray(R"([{"targets": ["10.0.0.1:9100", "10.0.0.2:9100"],
                                             "labels": {"dc": "fra1", "rack": "r7"}},
                                            {"targets": ["10.0.0.3:9100"]}])")
                          << u"file_sd JSON"_s;
    QTest::newRow("yaml") << u"fleet.yaml"_s
                          << QByteArray("- targets: [10.0.0.1:9100, 10.0.0.2:9100]\n"
                                        "  labels: {dc: fra1, rack: r7}\n"
                                        "- targets: [10.0.0.3:9100]\n")
                          << u"file_sd YAML"_s;
}

void TestHuntForm::loadsFileSdKeepingLabels()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(QString, format);
    // The dialog offers these files.
    for (const QString &pattern : {u"*.txt"_s, u"*.json"_s, u"*.yaml"_s, u"*.yml"_s}) {
        QVERIFY2(nodesFileFilter().section(u";;"_s, 0, 0).contains(pattern),
                 qPrintable(nodesFileFilter()));
    }
    QTemporaryDir dir;
    QFile file(dir.filePath(name));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();

    HuntForm form;
    form.show();
    QSignalSpy message(&form, &HuntForm::message);
    form.loadNodesFile(file.fileName());
    QTRY_COMPARE_WITH_TIMEOUT(form.lastCheck().valid, 3, 5000);
    QTRY_VERIFY(!form.isChecking() && form.startButton()->isEnabled());
    QVERIFY(form.lastCheck().problems.isEmpty());
    QVERIFY2(form.summaryLabel()->text().contains(u"<b>3</b> valid nodes ("_s + format
                                                  + u", labels dc, rack)"_s),
             qPrintable(form.summaryLabel()->text()));
    const HuntRequest request = form.request();
    QCOMPARE(request.nodes,
             (QStringList{u"10.0.0.1:9100"_s, u"10.0.0.2:9100"_s, u"10.0.0.3:9100"_s}));
    const Labels r7{{u"dc"_s, u"fra1"_s}, {u"rack"_s, u"r7"_s}};
    QCOMPARE(request.labels, (LabelList{r7, r7, Labels{}}));
    QVERIFY(message.size() >= 1);

    // Typed text replaces the file: a plain list again, no labels.
    form.setNodesText(u"10.0.0.9:9100"_s);
    QTRY_VERIFY(!form.isChecking() && form.lastCheck().valid == 1);
    QCOMPARE(form.lastCheck().format, NodeFile::Format::Plain);
    QVERIFY(form.request().labels.isEmpty());
}

// A binary file chosen by mistake is refused by position and never put into the editor.
void TestHuntForm::binaryFileIsRefused()
{
    QTemporaryDir dir;
    QFile file(dir.filePath(u"core.bin"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray("10.0.0.1:9100\ns3cret\0\x01", 22));
    file.close();
    HuntForm form;
    form.setNodesText(u"a:1"_s);
    QSignalSpy message(&form, &HuntForm::message);
    form.loadNodesFile(file.fileName());
    QVERIFY(message.wait(5000));
    QVERIFY2(
        message.first().first().toString().contains(u"not a text file (NUL byte at byte 20)"_s),
        qPrintable(message.first().first().toString()));
    QVERIFY(!message.first().first().toString().contains(u"s3cret"_s));
    QCOMPARE(form.nodesEdit()->toPlainText(), u"a:1"_s);
}

QTEST_MAIN(TestHuntForm)
#include "tst_huntform.moc"
