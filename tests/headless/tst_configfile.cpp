// The config file reader of serve and worker (headless/cli/configfile.h): what a line means and
// which lines are refused, with the file, line and key in every message.
#include <QtTest>

#include "headless/cli/configfile.h"
#include "headless/cli/workercommand.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

using Entries = QList<QStringList>; // {key, value, line}
Q_DECLARE_METATYPE(Entries)

class TestConfigFile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void keysFromOptions();
    void unreadableFile();
    void workerReadsItsSection();
};

namespace {

const QHash<QString, OptionKind> Keys = {{u"listen"_s, OptionKind::Value},
                                         {u"data-dir"_s, OptionKind::Value},
                                         {u"allow"_s, OptionKind::List},
                                         {u"insecure-no-auth"_s, OptionKind::Switch}};

} // namespace

void TestConfigFile::parse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<Entries>("entries"); // when it parses
    QTest::addColumn<QString>("error");   // else the whole message

    QTest::newRow("empty") << QByteArray() << Entries{} << QString();
    QTest::newRow("key = value") << QByteArray("listen = 127.0.0.1:5000\n")
                                 << Entries{{u"listen"_s, u"127.0.0.1:5000"_s, u"1"_s}}
                                 << QString();
    QTest::newRow("no spaces, CRLF, indented")
        << QByteArray("  listen=127.0.0.1:1\r\n")
        << Entries{{u"listen"_s, u"127.0.0.1:1"_s, u"1"_s}} << QString();
    QTest::newRow("comments and blank lines")
        << QByteArray("# the service\n\n   # indented comment\nlisten = [::1]:80 # loopback\n")
        << Entries{{u"listen"_s, u"[::1]:80"_s, u"4"_s}} << QString();
    QTest::newRow("# inside a bare value stays")
        << QByteArray("data-dir = /srv/a#b\n") << Entries{{u"data-dir"_s, u"/srv/a#b"_s, u"1"_s}}
        << QString();
    QTest::newRow("quoted keeps spaces and #")
        << QByteArray("data-dir = \" /srv/my data # 1 \" # comment\n")
        << Entries{{u"data-dir"_s, u" /srv/my data # 1 "_s, u"1"_s}} << QString();
    QTest::newRow("quoted escapes") << QByteArray("data-dir = \"a\\\"b\\\\c\"\n")
                                    << Entries{{u"data-dir"_s, u"a\"b\\c"_s, u"1"_s}} << QString();
    QTest::newRow("quoted empty") << QByteArray("data-dir = \"\"\n")
                                  << Entries{{u"data-dir"_s, QString(), u"1"_s}} << QString();
    QTest::newRow("list repeats in order")
        << QByteArray("allow = 10.0.0.0/8\nallow = *.lab\n")
        << Entries{{u"allow"_s, u"10.0.0.0/8"_s, u"1"_s}, {u"allow"_s, u"*.lab"_s, u"2"_s}}
        << QString();
    QTest::newRow("switch true") << QByteArray("insecure-no-auth = yes\n")
                                 << Entries{{u"insecure-no-auth"_s, u"true"_s, u"1"_s}}
                                 << QString();
    QTest::newRow("switch false is left out")
        << QByteArray("insecure-no-auth = Off\n") << Entries{} << QString();
    QTest::newRow("own section and the common part")
        << QByteArray("data-dir = /d\n[serve]\nlisten = 127.0.0.1:1\n")
        << Entries{{u"data-dir"_s, u"/d"_s, u"1"_s}, {u"listen"_s, u"127.0.0.1:1"_s, u"3"_s}}
        << QString();
    QTest::newRow("other command's section not read")
        << QByteArray("[worker]\nconcurrency = 5\n[serve]\nlisten = 127.0.0.1:1\n")
        << Entries{{u"listen"_s, u"127.0.0.1:1"_s, u"4"_s}} << QString();

    QTest::newRow("unknown key") << QByteArray("listen = 127.0.0.1:1\nlisen = x\n") << Entries{}
                                 << u"/etc/a.conf:2: unknown key 'lisen' ('artemis-headless serve "
                                    "--help' lists the options)"_s;
    QTest::newRow("flag spelling is not a key")
        << QByteArray("--listen = x\n") << Entries{}
        << u"/etc/a.conf:1: '--listen' is not a key (the option's name without '--', e.g. "
           "listen)"_s;
    QTest::newRow("no equals") << QByteArray("\nlisten 127.0.0.1:1\n") << Entries{}
                               << u"/etc/a.conf:2: expected 'key = value', not 'listen "
                                  "127.0.0.1:1'"_s;
    QTest::newRow("empty value") << QByteArray("listen =   # later\n") << Entries{}
                                 << u"/etc/a.conf:1: key 'listen': no value (write \"\" for an "
                                    "empty one)"_s;
    QTest::newRow("unclosed quote") << QByteArray("data-dir = \"/srv\n") << Entries{}
                                    << u"/etc/a.conf:1: key 'data-dir': no closing quote"_s;
    QTest::newRow("text after quote")
        << QByteArray("data-dir = \"/srv\" x\n") << Entries{}
        << u"/etc/a.conf:1: key 'data-dir': text after the closing quote"_s;
    QTest::newRow("bad escape")
        << QByteArray("data-dir = \"a\\nb\"\n") << Entries{}
        << u"/etc/a.conf:1: key 'data-dir': unknown escape in a quoted value (only \\\" and "
           "\\\\)"_s;
    QTest::newRow("bad switch value")
        << QByteArray("insecure-no-auth = maybe\n") << Entries{}
        << u"/etc/a.conf:1: key 'insecure-no-auth': expected true or false, not 'maybe'"_s;
    QTest::newRow("single value twice")
        << QByteArray("listen = 127.0.0.1:1\n# x\nlisten = 127.0.0.1:2\n") << Entries{}
        << u"/etc/a.conf:3: key 'listen': given twice (first on line 1)"_s;
    QTest::newRow("unknown section")
        << QByteArray("[server]\n") << Entries{}
        << u"/etc/a.conf:1: unknown section [server] (expected [serve] or [worker])"_s;
    QTest::newRow("broken section")
        << QByteArray("[serve\n") << Entries{} << u"/etc/a.conf:1: a section is written [name]"_s;
    QTest::newRow("bad key in other section still a key")
        << QByteArray("[worker]\nsome thing = 1\n") << Entries{}
        << u"/etc/a.conf:2: 'some thing' is not a key (the option's name without '--', e.g. "
           "listen)"_s;
}

void TestConfigFile::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(Entries, entries);
    QFETCH(QString, error);
    const Result<ConfigFile> file = parseConfigText(u"/etc/a.conf"_s, text, u"serve"_s, Keys);
    if (!error.isEmpty()) {
        QVERIFY(!file);
        QCOMPARE(file.error().message, error);
        return;
    }
    QVERIFY2(file, file ? "" : qPrintable(file.error().message));
    QCOMPARE(file->path, u"/etc/a.conf"_s);
    Entries got;
    for (const ConfigEntry &entry : file->entries) {
        got.append({entry.key, entry.value, QString::number(entry.line)});
    }
    QCOMPARE(got, entries);
}

void TestConfigFile::keysFromOptions()
{
    const QHash<QString, OptionKind> keys =
        configKeys({{u"listen"_s, u"where"_s, u"ADDR"_s},
                    {{u"n"_s, u"name"_s}, u"short and long"_s, u"NAME"_s},
                    {u"allow"_s, u"rule"_s, u"RULE"_s},
                    {u"insecure-no-auth"_s, u"switch"_s}},
                   {u"allow"_s});
    const QHash<QString, OptionKind> expected = {{u"listen"_s, OptionKind::Value},
                                                 {u"name"_s, OptionKind::Value},
                                                 {u"allow"_s, OptionKind::List},
                                                 {u"insecure-no-auth"_s, OptionKind::Switch}};
    QCOMPARE(keys, expected);
}

void TestConfigFile::unreadableFile()
{
    const Result<ConfigFile> file =
        readConfigFile(u"/nonexistent/artemis.conf"_s, u"serve"_s, Keys);
    QVERIFY(!file);
    QVERIFY2(
        file.error().message.startsWith(u"cannot read --config '/nonexistent/artemis.conf': "_s),
        qPrintable(file.error().message));
}

// `worker --config`: the common part and [worker], not [serve]; flags over the file; a bad
// value named with its file, line and key, then the flag's own message.
void TestConfigFile::workerReadsItsSection()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"artemis.conf"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("broker = redis://127.0.0.1:6390\n[serve]\nmax-nodes = 5\n[worker]\n"
               "concurrency = 17\nthreads = 3\ndeny = 10.0.0.0/8\n");
    file.close();
    const QStringList base{u"artemis-headless worker"_s, u"--config"_s, path};
    Result<WorkerSettings> s = WorkerSettings::parse(base + QStringList{u"--threads"_s, u"2"_s});
    QVERIFY2(s, s ? "" : qPrintable(s.error().message));
    QCOMPARE(s->broker.port, 6390);
    QCOMPARE(s->worker.concurrency, 17);
    QCOMPARE(s->worker.threads, 2);
    QVERIFY(s->worker.policy);
    QVERIFY(s->worker.policy->checkHost(u"10.1.2.3"_s).has_value()); // denied: a reason
    QVERIFY(!s->worker.policy->checkHost(u"192.0.2.1"_s).has_value());

    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Append));
    file.write("drain-ms = soon\n");
    file.close();
    s = WorkerSettings::parse(base);
    QVERIFY(!s);
    QCOMPARE(s.error().message,
             path
                 + u":8: key 'drain-ms': --drain-ms must be a whole number from 0 to 86400000, "
                   "not 'soon'"_s);
}

QTEST_GUILESS_MAIN(TestConfigFile)
#include "tst_configfile.moc"
