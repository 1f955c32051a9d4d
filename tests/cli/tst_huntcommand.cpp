// `artemis-headless hunt`: exit codes, --json, summaries, node files; in-process and as a binary.
#include <QtTest>

#include <QProcess>

#include <memory>
#include <vector>

#include "core/base/huntid.h"
#include "core/store/resultstore.h"
#include "headless/cli/huntcommand.h"
#include "tests/common/fakenode.h"
#include "tests/common/httpclient.h"
#include "tests/common/serveprocess.h"
#include "tests/common/testca.h"
#include "tests/common/wait.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;

class TestHuntCommand : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void allOkExitsZeroWithJson();
    void someFailedExitsOne();
    void invalidNodeExitsTwoAndFetchesNothing();
    void usageErrors_data();
    void usageErrors();
    void nodesFileWithCommentsAndDuplicates();
    void nodesFileMistakes_data();
    void nodesFileMistakes();
    void nodesFileSdYamlWithLabelsAndRanges();
    void summaryListsOutcomesAndFailures();
    void failuresAreGroupedByReason();
    void helpDocumentsEveryFlag();
    void authFileByLabelAndPermissions();
    void httpsWithCaFileAndCredentials();
    void binaryExitCodesAndJson();
    void everyRunsRoundsInForeground();
    void denyRefusesLoopbackNode();
    void defaultPolicyRefusesMetadataAddress();
    void huntOnServedDataDirExitsTwoAndLeavesItsHuntAlone();
    void secondServeExitsTwoAndNoRoundRunsTwice();
    void liveLineNamesHangingNodesWithAttemptAndAge();

private:
    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    Run run(QStringList args);
    // The real binary; the fake nodes live on this thread, so the wait spins the event loop.
    static int runBinary(const QStringList &args, QByteArray *err);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestHuntCommand::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

TestHuntCommand::Run TestHuntCommand::run(QStringList args)
{
    Run result;
    QTextStream out(&result.out);
    QTextStream err(&result.err);
    HuntCommand command(out, err, false);
    QSignalSpy finished(&command, &HuntCommand::finished);
    args.prepend(u"artemis-headless hunt"_s);
    command.start(args);
    if (!finished.wait(30000)) {
        qWarning("hunt command did not finish");
        return result;
    }
    result.exitCode = finished.first().first().toInt();
    return result;
}

void TestHuntCommand::allOkExitsZeroWithJson()
{
    FakeNode a;
    FakeNode b;
    QVERIFY(a.start() && b.start());
    const Run r = run({u"--url"_s, u"metric"_s, u"--node"_s, a.node(), u"--node"_s, b.node(),
                       u"--data-dir"_s, m_dir->path(), u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(r.out));
    const QJsonObject json = doc.object();
    QVERIFY(isValidHuntId(json.value(u"hunt"_s).toString()));
    QCOMPARE(json.value(u"state"_s).toString(), u"done"_s);
    QCOMPARE(json.value(u"counts"_s).toObject().value(u"ok"_s).toInt(), 2);
    QCOMPARE(json.value(u"counts"_s).toObject().value(u"timeout"_s).toInt(), 0);
    QCOMPARE(json.value(u"total"_s).toInt(), 2);
    QVERIFY(json.value(u"elapsedMs"_s).isDouble());
    QCOMPARE(r.out.count(u'\n'), 1); // one JSON object, one line, nothing else on stdout
    // Stored where it says.
    ResultStore store(m_dir->path());
    QCOMPARE(store.readResults(json.value(u"hunt"_s).toString(), {})->total, 2);
}

void TestHuntCommand::someFailedExitsOne()
{
    FakeNode ok;
    FakeNode missing;
    QVERIFY(ok.start() && missing.start());
    missing.setBehaviour(FakeNode::Behaviour::Status);
    missing.setStatus(404);
    const Run r = run({u"--url"_s, u"metric"_s, u"--node"_s, ok.node() + u","_s + missing.node(),
                       u"--data-dir"_s, m_dir->path(), u"--json"_s});
    QCOMPARE(r.exitCode, 1);
    const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(json.value(u"counts"_s).toObject().value(u"ok"_s).toInt(), 1);
    QCOMPARE(json.value(u"counts"_s).toObject().value(u"http_error"_s).toInt(), 1);
}

void TestHuntCommand::invalidNodeExitsTwoAndFetchesNothing()
{
    FakeNode ok;
    QVERIFY(ok.start());
    const Run r =
        run({u"--url"_s, u"metric"_s, u"--node"_s, ok.node(), u"--node"_s, u"bob@host:80"_s,
             u"--node"_s, u"host:99999"_s, u"--data-dir"_s, m_dir->path()});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(u"node 2 'bob@host:80'"_s), qPrintable(r.err));
    QVERIFY2(r.err.contains(u"node 3 'host:99999'"_s), qPrintable(r.err));
    QVERIFY(r.err.contains(u"out of range"_s));
    QVERIFY(r.err.contains(u"Nothing was fetched"_s));
    QCOMPARE(ok.requestCount(), 0);
    ResultStore store(m_dir->path());
    QCOMPARE(store.listHunts()->size(), 0);
}

void TestHuntCommand::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("no url") << QStringList{u"--node"_s, u"a:1"_s} << u"--url"_s;
    QTest::newRow("no nodes") << QStringList{u"--url"_s, u"m"_s} << u"no nodes"_s;
    QTest::newRow("unknown option")
        << QStringList{u"--url"_s, u"m"_s, u"--frobnicate"_s} << u"frobnicate"_s;
    QTest::newRow("bad attempts") << QStringList{u"--url"_s, u"m"_s,          u"--node"_s,
                                                 u"a:1"_s,   u"--attempts"_s, u"0"_s}
                                  << u"--attempts must be"_s;
    QTest::newRow("bad timeout") << QStringList{u"--url"_s,        u"m"_s,   u"--node"_s, u"a:1"_s,
                                                u"--timeout-ms"_s, u"soon"_s}
                                 << u"--timeout-ms must be"_s;
    QTest::newRow("missing nodes file")
        << QStringList{u"--url"_s, u"m"_s, u"--nodes-file"_s, u"/nonexistent/nodes.txt"_s}
        << u"cannot read nodes file"_s;
    QTest::newRow("full URL as path")
        << QStringList{u"--url"_s, u"http://x/m"_s, u"--node"_s, u"a:1"_s} << u"not a full URL"_s;
    QTest::newRow("stray argument")
        << QStringList{u"--url"_s, u"m"_s, u"extra"_s} << u"unexpected argument"_s;
    QTest::newRow("bad header") << QStringList{u"--url"_s, u"m"_s,        u"--node"_s,
                                               u"a:1"_s,   u"--header"_s, u"nocolon"_s}
                                << u"--header"_s;
    QTest::newRow("missing CA file")
        << QStringList{u"--url"_s, u"m"_s,         u"--node"_s,
                       u"a:1"_s,   u"--ca-file"_s, u"/nonexistent/ca.pem"_s}
        << u"CA file '/nonexistent/ca.pem' does not exist"_s;
    QTest::newRow("user without password")
        << QStringList{u"--url"_s, u"m"_s, u"--node"_s, u"a:1"_s, u"--user"_s, u"bob"_s}
        << u"--user must look like USER:PASSWORD"_s;
    QTest::newRow("user and Authorization header")
        << QStringList{u"--url"_s,  u"m"_s,      u"--node"_s,   u"a:1"_s,
                       u"--user"_s, u"bob:pw"_s, u"--header"_s, u"Authorization: Bearer x"_s}
        << u"either basicAuth or an Authorization header"_s;
    const QStringList node{u"--url"_s, u"m"_s, u"--node"_s, u"127.0.0.1:1"_s};
    QTest::newRow("every below 1s")
        << node + QStringList{u"--every"_s, u"200ms"_s} << u"'every' must be from 1s"_s;
    QTest::newRow("every without unit")
        << node + QStringList{u"--every"_s, u"30"_s} << u"--every: '30' is not a duration"_s;
    QTest::newRow("rounds without every")
        << node + QStringList{u"--rounds"_s, u"2"_s} << u"need --every"_s;
    QTest::newRow("rounds zero") << node + QStringList{u"--every"_s, u"1s"_s, u"--rounds"_s, u"0"_s}
                                 << u"--rounds must be"_s;
}

void TestHuntCommand::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    args << u"--data-dir"_s << m_dir->path();
    const Run r = run(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
}

// Issue #22 item 8: each mistake in a nodes file is told once, by its file line, without
// quoting the file; a bad range is one line, not one per node it expands to.
void TestHuntCommand::nodesFileMistakes_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("expected"); // substrings of stderr
    QTest::addColumn<int>("maxLines");         // stderr lines at most
    QTest::addColumn<QString>("notShown");     // never in stderr

    QTest::newRow("bad port range") << QByteArray("# fleet\n\n127.0.0.1:9100\n"
                                                  "127.0.0.1:[30000-99999]\n")
                                    << QStringList{u"nodes.txt line 4 '127.0.0.1:[30000-99999]'"_s,
                                                   u"34464 nodes of the 70000"_s}
                                    << 3 << u"node 34"_s;
    QTest::newRow("ipv4 out of range")
        << QByteArray("\n# c\n300.1.1.1:80\n")
        << QStringList{u"nodes.txt line 3 '300.1.1.1:80'"_s, u"not a valid IPv4"_s} << 3
        << QString();
    QTest::newRow("two bad lines")
        << QByteArray("a:1\n1.2.3:80 # typo\nb:0\n")
        << QStringList{u"2 nodes invalid"_s, u"nodes.txt line 2"_s, u"nodes.txt line 3 'b:0'"_s}
        << 4 << u"typo"_s;
    QTest::newRow("only comments")
        << QByteArray("# nothing yet\n\n   \n") << QStringList{u"nodes file"_s, u"has no nodes"_s}
        << 2 << u"nothing yet"_s;
    QTest::newRow("empty file") << QByteArray() << QStringList{u"has no nodes"_s} << 2
                                << u"--node"_s;
    QTest::newRow("binary file") << QByteArray("\x7f"
                                               "ELF\0\0secret-bytes",
                                               16)
                                 << QStringList{u"not a text file"_s} << 2 << u"secret"_s;
}

void TestHuntCommand::nodesFileMistakes()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, expected);
    QFETCH(int, maxLines);
    QFETCH(QString, notShown);
    const QString path = m_dir->filePath(u"nodes.txt"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
    file.close();
    const Run r = run(
        {u"--url"_s, u"m"_s, u"--nodes-file"_s, path, u"--data-dir"_s, m_dir->filePath(u"data"_s)});
    QCOMPARE(r.exitCode, 2);
    for (const QString &part : expected) {
        QVERIFY2(r.err.contains(part), qPrintable(r.err));
    }
    QVERIFY2(r.err.count(u'\n') <= maxLines, qPrintable(r.err));
    if (!notShown.isEmpty()) {
        QVERIFY2(!r.err.contains(notShown), qPrintable(r.err));
    }
}

void TestHuntCommand::nodesFileWithCommentsAndDuplicates()
{
    FakeNode a;
    FakeNode b;
    QVERIFY(a.start() && b.start());
    const QString path = m_dir->filePath(u"nodes.txt"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(u"# rack 1\n%1\n\n%2   # second\n%1\n"_s.arg(a.node(), b.node()).toUtf8());
    file.close();
    const Run r = run({u"--url"_s, u"/metric"_s, u"--nodes-file"_s, path, u"--data-dir"_s,
                       m_dir->filePath(u"data"_s), u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(json.value(u"total"_s).toInt(), 2);
    QCOMPARE(json.value(u"duplicates"_s).toArray().size(), 1);
    QCOMPARE(a.requestCount(), 1);
    QCOMPARE(b.requestCount(), 1);
}

// A file_sd YAML node file with a range over two loopback addresses on one port, its labels
// and --label's merged into each stored record (the file's own label wins).
void TestHuntCommand::nodesFileSdYamlWithLabelsAndRanges()
{
    FakeNode a;
    QVERIFY(a.start());
    FakeNode b;
    QVERIFY(b.start(QHostAddress(u"127.0.0.2"_s), a.port()));
    FakeNode c;
    QVERIFY(c.start());
    const QString path = m_dir->filePath(u"sd.yaml"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(u"# from our inventory\n"
               "- targets: ['127.0.0.[1-2]:%1']\n"
               "  labels: {dc: fra1, role: node}\n"
               "- targets:\n"
               "    - %2\n"_s.arg(a.port())
                   .arg(c.node())
                   .toUtf8());
    file.close();
    const Run r = run({u"--url"_s, u"metric"_s, u"--nodes-file"_s, path, u"--label"_s,
                       u"dc=default"_s, u"--label"_s, u"env=prod"_s, u"--data-dir"_s,
                       m_dir->filePath(u"data"_s), u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(json.value(u"total"_s).toInt(), 3);
    QCOMPARE(a.requestCount() + b.requestCount() + c.requestCount(), 3);
    ResultStore store(m_dir->filePath(u"data"_s));
    const Result<ResultPage> page = store.readResults(json.value(u"hunt"_s).toString(), {});
    QVERIFY(page);
    QHash<QString, Labels> labels;
    for (const Outcome &o : page->outcomes) {
        labels.insert(o.node, o.labels);
    }
    const Labels fra{{u"dc"_s, u"fra1"_s}, {u"role"_s, u"node"_s}, {u"env"_s, u"prod"_s}};
    QCOMPARE(labels.value(a.node()), fra);
    QCOMPARE(labels.value(u"127.0.0.2:%1"_s.arg(a.port())), fra);
    QCOMPARE(labels.value(c.node()), (Labels{{u"dc"_s, u"default"_s}, {u"env"_s, u"prod"_s}}));

    // A bad file is a usage error naming it; nothing is fetched.
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("- targets: [a]\n  labels: {my-dc: x}\n");
    file.close();
    const Run bad = run({u"--url"_s, u"metric"_s, u"--nodes-file"_s, path, u"--data-dir"_s,
                         m_dir->filePath(u"data"_s)});
    QCOMPARE(bad.exitCode, 2);
    // It names the file, the group and the line, never the text (issue #21).
    QVERIFY2(bad.err.contains(path) && bad.err.contains(u"group 0 (line 1)"_s)
                 && !bad.err.contains(u"my-dc"_s),
             qPrintable(bad.err));
}

void TestHuntCommand::summaryListsOutcomesAndFailures()
{
    FakeNode ok;
    FakeNode garbage;
    QVERIFY(ok.start() && garbage.start());
    garbage.setBehaviour(FakeNode::Behaviour::Garbage);
    const Run r = run({u"--url"_s, u"metric"_s, u"--node"_s, ok.node(), u"--node"_s, garbage.node(),
                       u"--data-dir"_s, m_dir->path()});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains(u"done in"_s), qPrintable(r.out));
    QVERIFY(r.out.contains(u"2 nodes, 1 ok, 1 failed"_s));
    QVERIFY(r.out.contains(QRegularExpression(u"ok\\s+1"_s)));
    QVERIFY(r.out.contains(QRegularExpression(u"invalid_json\\s+1"_s)));
    // Failures grouped by outcome and reason, with the node named.
    QVERIFY2(r.out.contains(
                 QRegularExpression(u"\\n  1 invalid_json: [^\\n]*invalid JSON \\(%1\\)"_s.arg(
                     QRegularExpression::escape(garbage.node())))),
             qPrintable(r.out));
    QVERIFY(r.out.contains(u"results.ndjson"_s));
}

void TestHuntCommand::failuresAreGroupedByReason()
{
    // 6 nodes answering 500, 3 refusing, 1 ok: two reason lines, the largest first, each naming
    // a few nodes and how many more; cancelled nodes would not count as failed.
    std::vector<std::unique_ptr<FakeNode>> nodes;
    QStringList args{u"--url"_s, u"metric"_s,     u"--attempts"_s,
                     u"1"_s,     u"--data-dir"_s, m_dir->path()};
    for (int i = 0; i < 7; ++i) {
        nodes.push_back(std::make_unique<FakeNode>());
        QVERIFY(nodes.back()->start());
        if (i > 0) {
            nodes.back()->setBehaviour(FakeNode::Behaviour::Status);
            nodes.back()->setStatus(500);
        }
        args << u"--node"_s << nodes.back()->node();
    }
    for (int port : {1, 2, 3}) {
        args << u"--node"_s << u"127.0.0.1:%1"_s.arg(port);
    }
    const Run r = run(args);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains(u"10 nodes, 1 ok, 9 failed"_s), qPrintable(r.out));
    const qsizetype http = r.out.indexOf(u"  6 http_error: HTTP 500"_s);
    const qsizetype refused = r.out.indexOf(u"  3 refused: connection refused"_s);
    QVERIFY2(http > 0 && refused > http, qPrintable(r.out));
    QVERIFY2(r.out.contains(u", +3 more)"_s), qPrintable(r.out)); // 6 nodes, 3 named
    QCOMPARE(r.out.count(u"http_error: HTTP 500"_s), 1);
}

void TestHuntCommand::helpDocumentsEveryFlag()
{
    const Run r = run({u"--help"_s});
    QCOMPARE(r.exitCode, 0);
    for (const QString &flag : {u"--url"_s,
                                u"--node"_s,
                                u"--nodes-file"_s,
                                u"--label"_s,
                                u"--data-dir"_s,
                                u"--timeout-ms"_s,
                                u"--attempts"_s,
                                u"--concurrency"_s,
                                u"--threads"_s,
                                u"--max-body"_s,
                                u"--header"_s,
                                u"--json"_s,
                                u"--quiet"_s,
                                u"--user"_s,
                                u"--ca-file"_s,
                                u"--auth-file"_s,
                                u"--strict-permissions"_s,
                                u"--insecure-skip-verify"_s,
                                u"--follow-redirects"_s,
                                u"--every"_s,
                                u"--rounds"_s,
                                u"--keep"_s,
                                u"Exit status"_s}) {
        QVERIFY2(r.out.contains(flag), qPrintable(flag));
    }
}

// --auth-file (issue #21 item 9): credentials per label group from files, a token file others
// can read warned about (refused with --strict-permissions), errors that never quote a file.
void TestHuntCommand::authFileByLabelAndPermissions()
{
    FakeNode fra;
    FakeNode ams;
    QVERIFY(fra.start() && ams.start());
    auto write = [this](const QString &name, const QByteArray &text, QFile::Permissions mode) {
        const QString path = m_dir->filePath(name);
        QFile file(path);
        if (file.open(QIODevice::WriteOnly) && file.write(text) == text.size()) {
            file.close();
            file.setPermissions(mode);
        }
        return path;
    };
    const QFile::Permissions ownerOnly = QFile::ReadOwner | QFile::WriteOwner;
    const QString password = write(u"fra1.pass"_s, "pw-cli-fra1\n", ownerOnly);
    const QString token = write(u"default.token"_s, "tok-cli-default\n",
                                ownerOnly | QFile::ReadGroup | QFile::ReadOther);
    const QString rules =
        write(u"auth.json"_s,
              u"[{\"match\": {\"dc\": \"fra1\"}, \"basicAuth\": {\"user\": \"svc\", "
              "\"passwordFile\": \"%1\"}}, {\"match\": {}, \"bearerTokenFile\": \"%2\"}]"_s
                  .arg(password, token)
                  .toUtf8(),
              ownerOnly);
    const QString nodes =
        write(u"sd.yaml"_s,
              u"- targets: ['%1']\n  labels: {dc: fra1}\n"
              "- targets: ['%2']\n  labels: {dc: ams1}\n"_s.arg(fra.node(), ams.node())
                  .toUtf8(),
              ownerOnly);
    const QStringList args{
        u"--url"_s,       u"metric"_s, u"--nodes-file"_s, nodes,
        u"--auth-file"_s, rules,       u"--data-dir"_s,   m_dir->filePath(u"data"_s)};
    const Run r = run(args);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.contains(token + u" is readable by group and others (mode 0644)"_s),
             qPrintable(r.err));
    QCOMPARE(fra.requestHeaders().last().value("authorization"),
             "Basic " + QByteArray("svc:pw-cli-fra1").toBase64());
    QCOMPARE(ams.requestHeaders().last().value("authorization"), "Bearer tok-cli-default");

    const Run strict = run(args + QStringList{u"--strict-permissions"_s});
    QCOMPARE(strict.exitCode, 2);
    QVERIFY2(strict.err.contains(u"(--strict-permissions)"_s), qPrintable(strict.err));
    QCOMPARE(ams.requestCount(), 1); // nothing fetched

    // Not JSON: the file and the byte, never its text.
    write(u"auth.json"_s, "password: hunter2-cli\n", ownerOnly);
    const Run bad = run(args);
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains(rules) && !bad.err.contains(u"hunter2"_s), qPrintable(bad.err));
}

void TestHuntCommand::httpsWithCaFileAndCredentials()
{
    QTemporaryDir caDir;
    const Result<Test::TestCa> ca = Test::TestCa::create(caDir.path());
    QVERIFY2(ca, ca ? "" : qPrintable(ca.error().message));
    FakeNode node;
    node.setTlsConfiguration(ca->serverConfiguration());
    QVERIFY(node.start());
    const QStringList common{u"--url"_s,      u"metric"_s,   u"--node"_s, node.node(),
                             u"--data-dir"_s, m_dir->path(), u"--json"_s};
    // Without the CA the node's certificate is not trusted.
    Run r = run(common);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8())[u"counts"_s][u"tls"_s].toInt(), 1);

    r = run(common
            + QStringList{u"--ca-file"_s, ca->caFile(), u"--user"_s, u"ops:hunter2"_s,
                          u"--header"_s, u"X-Token: tok-55"_s, u"--follow-redirects"_s});
    QCOMPARE(r.exitCode, 0);
    const QHash<QByteArray, QByteArray> seen = node.requestHeaders().value(0);
    QCOMPARE(seen.value("authorization"), "Basic " + QByteArray("ops:hunter2").toBase64());
    QCOMPARE(seen.value("x-token"), QByteArray("tok-55"));
    const QString id = QJsonDocument::fromJson(r.out.toUtf8())[u"hunt"_s].toString();
    QFile manifest(ResultStore(m_dir->path()).huntDir(id) + u"/hunt.json"_s);
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    const QByteArray bytes = manifest.readAll();
    QVERIFY(!bytes.contains("hunter2"));
    QVERIFY(!bytes.contains(QByteArray("ops:hunter2").toBase64()));
    QVERIFY(!bytes.contains("tok-55"));
    QVERIFY(bytes.contains("\"followRedirects\": true"));
    QVERIFY(bytes.contains("\"username\": \"ops\""));
}

void TestHuntCommand::binaryExitCodesAndJson()
{
    FakeNode ok;
    QVERIFY(ok.start());
    auto runBinary = [&](const QStringList &args, QByteArray *out) {
        QProcess process;
        QSignalSpy done(&process, &QProcess::finished);
        process.start(QStringLiteral(ARTEMIS_HEADLESS_BIN), args);
        // The fake node lives on this thread: keep the event loop turning while we wait.
        if (!done.wait(30000)) {
            return -1;
        }
        *out = process.readAllStandardOutput();
        return process.exitCode();
    };
    QByteArray out;
    QCOMPARE(runBinary({u"hunt"_s, u"--url"_s, u"metric"_s, u"--node"_s, ok.node(), u"--data-dir"_s,
                        m_dir->path(), u"--json"_s},
                       &out),
             0);
    QCOMPARE(QJsonDocument::fromJson(out).object().value(u"state"_s).toString(), u"done"_s);
    QCOMPARE(runBinary({u"hunt"_s, u"--url"_s, u"metric"_s, u"--node"_s, u"x:0"_s}, &out), 2);
    QCOMPARE(runBinary({u"bogus"_s}, &out), 2);
    QCOMPARE(runBinary({u"version"_s}, &out), 0);
    QVERIFY(out.startsWith("artemis-headless "));
}

void TestHuntCommand::everyRunsRoundsInForeground()
{
    FakeNode a;
    QVERIFY(a.start());
    QElapsedTimer clock;
    clock.start();
    const Run r = run({u"--url"_s, u"metric"_s, u"--node"_s, a.node(), u"--data-dir"_s,
                       m_dir->path(), u"--every"_s, u"1s"_s, u"--rounds"_s, u"2"_s, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(clock.elapsed() >= 1000); // round 2 waited one interval
    // One JSON line per round, linked to one schedule.
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QString schedule;
    for (int i = 0; i < 2; ++i) {
        const QJsonObject json = QJsonDocument::fromJson(lines[i].toUtf8()).object();
        QCOMPARE(json.value(u"round"_s).toInt(), i + 1);
        QCOMPARE(json.value(u"state"_s).toString(), u"done"_s);
        QCOMPARE(json.value(u"counts"_s).toObject().value(u"ok"_s).toInt(), 1);
        schedule = i == 0 ? json.value(u"schedule"_s).toString() : schedule;
        QCOMPARE(json.value(u"schedule"_s).toString(), schedule);
    }
    QCOMPARE(a.requestCount(), 2);
    QCOMPARE(QDir(m_dir->path() + u"/hunts"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(),
             2);
    // A foreground schedule is not stored: a later `serve` on this data dir will not resume it.
    QVERIFY(!QFileInfo::exists(m_dir->path() + u"/schedules"_s));

    // Text mode: a summary per round; a failing node makes the exit status 1.
    const Run failing =
        run({u"--url"_s, u"metric"_s, u"--node"_s, u"127.0.0.1:1"_s, u"--attempts"_s, u"1"_s,
             u"--data-dir"_s, m_dir->path(), u"--every"_s, u"1s"_s, u"--rounds"_s, u"1"_s});
    QCOMPARE(failing.exitCode, 1);
    QVERIFY2(failing.out.contains(u"round 1: hunt "_s), qPrintable(failing.out));
    QVERIFY2(failing.err.contains(u"one round every 1s, 1 round(s)"_s), qPrintable(failing.err));
}

int TestHuntCommand::runBinary(const QStringList &args, QByteArray *err)
{
    QProcess process;
    QSignalSpy done(&process, &QProcess::finished);
    process.start(QStringLiteral(ARTEMIS_HEADLESS_BIN), args);
    if (!done.wait(30000)) {
        process.kill();
        process.waitForFinished(5000);
        return -1;
    }
    *err = process.readAllStandardError();
    return process.exitCode();
}

void TestHuntCommand::denyRefusesLoopbackNode()
{
    FakeNode node;
    QVERIFY(node.start());
    const Run r = run({u"--url"_s, u"metric"_s, u"--node"_s, node.node(), u"--deny"_s,
                       u"127.0.0.0/8"_s, u"--data-dir"_s, m_dir->path()});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(node.node()) && r.err.contains(u"denied"_s, Qt::CaseInsensitive),
             qPrintable(r.err));
    QCOMPARE(node.requestCount(), 0);
}

void TestHuntCommand::defaultPolicyRefusesMetadataAddress()
{
    // No --allow: the service's default policy applies, as for serve and the GUI. Nothing is
    // sent anywhere (the refusal comes before any fetch).
    const Run r = run({u"--url"_s, u"metric"_s, u"--node"_s, u"169.254.169.254:80"_s,
                       u"--data-dir"_s, m_dir->path()});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(u"169.254.169.254"_s)
                 && r.err.contains(u"denied"_s, Qt::CaseInsensitive),
             qPrintable(r.err));
    ResultStore store(m_dir->path());
    QCOMPARE(store.listHunts()->size(), 0);
}

// Issue #11 (b): `hunt --data-dir D` while `serve` holds D exits 2 naming serve, and serve's
// running hunt is untouched: running meanwhile, then done with every node.
void TestHuntCommand::huntOnServedDataDirExitsTwoAndLeavesItsHuntAlone()
{
    std::vector<std::unique_ptr<FakeNode>> slow;
    QJsonArray nodes;
    for (int i = 0; i < 3; ++i) {
        slow.push_back(std::make_unique<FakeNode>());
        QVERIFY(slow.back()->start());
        slow.back()->setBehaviour(FakeNode::Behaviour::Slow);
        slow.back()->setDelayMs(1500);
        nodes.append(slow.back()->node());
    }
    Test::ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY2(serve.start({u"--data-dir"_s, m_dir->path()}) != 0, serve.stderrText().constData());
    Test::HttpClient client(serve.base());
    const Test::HttpReply submitted = client.postJson(
        u"/api/v1/hunts"_s, QJsonObject{{u"nodes"_s, nodes}, {u"url"_s, u"metric"_s}});
    QCOMPARE(submitted.status, 202);
    const QString id = submitted.json().value(u"hunt"_s).toString();
    QTRY_COMPARE_WITH_TIMEOUT(slow.front()->requestCount(), 1, 5000);

    QByteArray err;
    FakeNode other;
    QVERIFY(other.start());
    QCOMPARE(runBinary({u"hunt"_s, u"--url"_s, u"metric"_s, u"--node"_s, other.node(),
                        u"--data-dir"_s, m_dir->path()},
                       &err),
             2);
    QVERIFY2(err.contains(QByteArray(QByteArray("pid ") + QByteArray::number(serve.pid()))),
             err.constData());
    QVERIFY2(err.contains("serve"), err.constData());
    QCOMPARE(other.requestCount(), 0);
    // serve's hunt is still running, and ends done with all its nodes.
    QCOMPARE(client.get(u"/api/v1/hunts/"_s + id).json().value(u"state"_s).toString(),
             u"running"_s);
    const QJsonObject finished = client.waitFinished(id);
    QCOMPARE(finished.value(u"state"_s).toString(), u"done"_s);
    QCOMPARE(finished.value(u"done"_s).toInt(), 3);
    QCOMPARE(finished.value(u"counts"_s).toObject().value(u"ok"_s).toInt(), 3);
}

// Issue #11 (a): a schedule created through serve; a second serve on the same data dir exits 2
// naming the holder, and no round runs twice.
void TestHuntCommand::secondServeExitsTwoAndNoRoundRunsTwice()
{
    FakeNode node;
    QVERIFY(node.start());
    Test::ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY2(serve.start({u"--data-dir"_s, m_dir->path()}) != 0, serve.stderrText().constData());
    Test::HttpClient client(serve.base());
    const Test::HttpReply created =
        client.postJson(u"/api/v1/schedules"_s, QJsonObject{{u"nodes"_s, QJsonArray{node.node()}},
                                                            {u"url"_s, u"metric"_s},
                                                            {u"every"_s, u"1s"_s}});
    QCOMPARE(created.status, 201);
    const QString id = created.json().value(u"schedule"_s).toString();

    Test::ServeProcess second(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QCOMPARE(second.start({u"--data-dir"_s, m_dir->path()}), quint16(0));
    QVERIFY(Test::waitUntil([&] { return !second.isRunning(); }));
    QCOMPARE(second.terminate(), -1); // already gone
    const QByteArray err = second.stderrText();
    QVERIFY2(err.contains(QByteArray(QByteArray("pid ") + QByteArray::number(serve.pid()))),
             err.constData());
    QVERIFY2(err.contains("serve"), err.constData());

    // Rounds go on in the first serve only: each round number once, one fetch per round.
    QTRY_VERIFY_WITH_TIMEOUT(
        client.get(u"/api/v1/schedules/"_s + id).json().value(u"roundsStarted"_s).toInt() >= 2,
        10000);
    const QJsonObject schedule = client.get(u"/api/v1/schedules/"_s + id).json();
    const int rounds = schedule.value(u"roundsStarted"_s).toInt();
    QSet<int> seen;
    const QJsonArray hunts = client.get(u"/api/v1/hunts"_s).json().value(u"hunts"_s).toArray();
    for (const QJsonValue &h : hunts) {
        const int round = h.toObject().value(u"round"_s).toInt();
        QVERIFY2(!seen.contains(round), qPrintable(u"round %1 twice"_s.arg(round)));
        seen.insert(round);
    }
    QVERIFY(hunts.size() >= rounds - 1 && hunts.size() <= rounds + 1);
    QVERIFY(node.requestCount() <= rounds + 1);
}

// Issue #22 item 5: while the last nodes hang, the live line (interactive) names them, oldest
// first, with their attempt and age, once nothing has finished for 3 s; before that it counts.
void TestHuntCommand::liveLineNamesHangingNodesWithAttemptAndAge()
{
    FakeNode ok;
    FakeNode hangA;
    FakeNode hangB;
    QVERIFY(ok.start() && hangA.start() && hangB.start());
    hangA.setBehaviour(FakeNode::Behaviour::Hang);
    hangB.setBehaviour(FakeNode::Behaviour::Hang);
    QString errText;
    QTextStream out(stdout);
    QTextStream err(&errText);
    HuntCommand command(out, err, true);
    QSignalSpy finished(&command, &HuntCommand::finished);
    QElapsedTimer clock;
    clock.start();
    command.start({u"artemis-headless hunt"_s, u"--url"_s, u"metric"_s, u"--node"_s,
                   ok.node() + u","_s + hangA.node() + u","_s + hangB.node(), u"--data-dir"_s,
                   m_dir->path(), u"--timeout-ms"_s, u"2000"_s, u"--attempts"_s, u"2"_s});
    QTRY_VERIFY_WITH_TIMEOUT(errText.contains(u"waiting on 2: "_s), 4500);
    const qint64 namedAfter = clock.elapsed();
    QVERIFY2(namedAfter >= 3000, qPrintable(QString::number(namedAfter)));
    QVERIFY(errText.contains(u"1/3 done"_s));
    QVERIFY(errText.contains(u"2 in flight or waiting to retry"_s)); // before the 3 s passed
    // Both hanging nodes on their second attempt (the first timed out after 2 s), aged >= 3 s.
    const QString line = errText.mid(errText.lastIndexOf(u"waiting on 2: "_s)).section(u'\r', 0, 0);
    for (const FakeNode *node : {&hangA, &hangB}) {
        const QRegularExpression named(QRegularExpression::escape(node->node())
                                       + uR"( \(attempt 2, ([0-9.]+) s\))"_s);
        const QRegularExpressionMatch m = named.match(line);
        QVERIFY2(m.hasMatch(), qPrintable(line));
        QVERIFY2(m.captured(1).toDouble() >= 3.0, qPrintable(line));
    }
    QVERIFY(finished.wait(6000));
    QCOMPARE(finished.first().first().toInt(), 1); // the two timed out
}

QTEST_GUILESS_MAIN(TestHuntCommand)
#include "tst_huntcommand.moc"
