// `artemis-headless values|results|diff` as the real binary: a data dir made by the real
// `hunt` against loopback fake nodes, read from the data dir (also while `serve` holds it) and
// through `--server`; exit codes, formats and messages. Also `hunt --ndjson`.
#include <QtTest>

#include <QProcess>

#include <memory>
#include <vector>

#include "core/base/huntid.h"
#include "core/fleet/fleetvalues.h"
#include "tests/common/fakenode.h"
#include "tests/common/httpclient.h"
#include "tests/common/serveprocess.h"
#include "tests/common/wait.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

// The binary as a child; the fake nodes (and nothing else) live on this thread, so the wait
// spins the event loop. The child gets no ARTEMIS_* variables from the test's environment.
Run runBinary(const QStringList &args)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"ARTEMIS_DATA_DIR"_s);
    env.remove(u"ARTEMIS_TOKEN"_s);
    process.setProcessEnvironment(env);
    QSignalSpy done(&process, &QProcess::finished);
    process.start(QStringLiteral(ARTEMIS_HEADLESS_BIN), args);
    Run run;
    if (!done.wait(30000)) {
        process.kill();
        process.waitForFinished(5000);
        qWarning("%s did not finish", qPrintable(args.join(u' ')));
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

QStringList nodesOf(const QJsonArray &array)
{
    QStringList nodes;
    for (const QJsonValue &v : array) {
        nodes.append(v.toString());
    }
    nodes.sort();
    return nodes;
}

} // namespace

class TestQueryCommand : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void valuesJsonIsTheDefaultOffATerminal();
    void valuesTable();
    void valuesCsv();
    void latestIsTheNewestHunt();
    void unknownHuntExitsTwo();
    void badPathExitsTwo();
    void pathNoNodeHasSuggestsNearest_data();
    void pathNoNodeHasSuggestsNearest();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void resultsNdjsonCsvFieldsOutcome();
    void diffExitsOneForTheOddNodeZeroForAMajorityNode();
    void serverModeAgreesWithDataDirWhileServeHoldsIt();
    void huntNdjsonPrintsOneLinePerNode();
    void labelsFromFlagAndFileSdGroupValues();
    void csvCellsAreSafeUnlessRaw();
    void latestIsDoneAndARunningHuntSaysSo();

private:
    QStringList local(const QString &command, const QStringList &args) const
    {
        return QStringList{command, u"--data-dir"_s, m_dir.path()} + args;
    }

    QTemporaryDir m_dir;
    std::vector<std::unique_ptr<FakeNode>> m_nodes;
    QString m_hunt;
    QStringList m_v12; // 20 nodes
    QString m_v20;     // one, with an extra key
    QString m_noVersion;
    QString m_failing; // HTTP 500
};

void TestQueryCommand::initTestCase()
{
    QVERIFY(m_dir.isValid());
    auto add = [&](const QJsonObject &body) {
        m_nodes.push_back(std::make_unique<FakeNode>());
        FakeNode &node = *m_nodes.back();
        if (!node.start()) {
            return QString();
        }
        node.setJsonBody(QJsonDocument(body).toJson(QJsonDocument::Compact));
        return node.node();
    };
    for (int i = 0; i < 20; ++i) {
        m_v12.append(
            add({{u"version"_s, u"1.2"_s}, {u"mem"_s, QJsonObject{{u"used"_s, 1000 + i}}}}));
    }
    m_v20 = add({{u"version"_s, u"2.0"_s},
                 {u"mem"_s, QJsonObject{{u"used"_s, 1500}}},
                 {u"feature"_s, u"beta"_s}});
    m_noVersion = add({{u"uptime"_s, 7}});
    m_failing = add({});
    m_nodes.back()->setBehaviour(FakeNode::Behaviour::Status);
    m_nodes.back()->setStatus(500);
    QStringList args{u"hunt"_s, u"--url"_s,      u"metric"_s,  u"--attempts"_s,
                     u"1"_s,    u"--data-dir"_s, m_dir.path(), u"--json"_s};
    for (const auto &node : m_nodes) {
        QVERIFY(node->port() != 0);
        args << u"--node"_s << node->node();
    }
    const Run hunt = runBinary(args);
    QCOMPARE(hunt.exitCode, 1); // one node failed
    const QJsonObject json = hunt.json();
    QCOMPARE(json.value(u"total"_s).toInt(), 23);
    QCOMPARE(json.value(u"counts"_s).toObject().value(u"ok"_s).toInt(), 22);
    m_hunt = json.value(u"hunt"_s).toString();
    QVERIFY2(isValidHuntId(m_hunt), hunt.out.constData());
}

void TestQueryCommand::valuesJsonIsTheDefaultOffATerminal()
{
    const Run r = runBinary(local(u"values"_s, {u"--hunt"_s, m_hunt, u"--path"_s, u"version"_s}));
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), r.err.constData());
    QJsonParseError error;
    const QJsonObject v = QJsonDocument::fromJson(r.out, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, r.out.constData());
    QCOMPARE(v.value(u"hunt"_s).toString(), m_hunt);
    QCOMPARE(v.value(u"path"_s).toString(), u"version"_s);
    QCOMPARE(v.value(u"nodes"_s).toInt(), 23);
    QCOMPARE(v.value(u"withValue"_s).toInt(), 21);
    QCOMPARE(v.value(u"missing"_s).toInt(), 1);
    QCOMPARE(v.value(u"failed"_s).toObject(), (QJsonObject{{u"http_error"_s, 1}}));
    const QJsonArray groups = v.value(u"groups"_s).toArray();
    QCOMPARE(groups.size(), 2);
    const QJsonObject majority = groups[0].toObject();
    QCOMPARE(majority.value(u"value"_s).toString(), u"1.2"_s);
    QCOMPARE(majority.value(u"count"_s).toInt(), 20);
    QCOMPARE(majority.value(u"minority"_s).toBool(), false);
    QCOMPARE(nodesOf(majority.value(u"nodes"_s).toArray()), [&] {
        QStringList n = m_v12;
        n.sort();
        return n;
    }());
    const QJsonObject odd = groups[1].toObject();
    QCOMPARE(odd.value(u"value"_s).toString(), u"2.0"_s);
    QCOMPARE(odd.value(u"count"_s).toInt(), 1);
    QCOMPARE(odd.value(u"minority"_s).toBool(), true); // 1/21 = 4.8 % < 5 %
    QCOMPARE(nodesOf(odd.value(u"nodes"_s).toArray()), QStringList{m_v20});

    // mem.used: numbers, stats; --groups/--nodes cut the rendering only.
    const Run mem = runBinary(local(u"values"_s, {u"--hunt"_s, m_hunt, u"--path"_s, u"mem.used"_s,
                                                  u"--groups"_s, u"3"_s, u"--nodes"_s, u"0"_s}));
    QCOMPARE(mem.exitCode, 0);
    const QJsonObject m = mem.json();
    QCOMPARE(m.value(u"groupCount"_s).toInt(), 21);
    QCOMPARE(m.value(u"groups"_s).toArray().size(), 3);
    QCOMPARE(m.value(u"groups"_s).toArray().first().toObject().value(u"nodes"_s).toArray().size(),
             0);
    QCOMPARE(m.value(u"stats"_s).toObject().value(u"min"_s).toDouble(), 1000.0);
    QCOMPARE(m.value(u"stats"_s).toObject().value(u"max"_s).toDouble(), 1500.0);
}

void TestQueryCommand::valuesTable()
{
    const Run r = runBinary(local(
        u"values"_s, {u"--hunt"_s, m_hunt, u"--path"_s, u"version"_s, u"--format"_s, u"table"_s}));
    QCOMPARE(r.exitCode, 0);
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.startsWith(u"values of 'version' in hunt %1: 23 nodes, 21 with a value, 1 "
                            "answered without it, 1 failed (1 http_error)\n"_s.arg(m_hunt)),
             qPrintable(out));
    // Five nodes named per group in a table, then how many more.
    QVERIFY2(out.contains(QRegularExpression(
                 u"\\n  \\s+20\\s+95\\.2%  \"1\\.2\"  \\([^)]*, \\+15 more\\)\\n"_s)),
             qPrintable(out));
    QVERIFY2(out.contains(QRegularExpression(u"\\n! \\s+1\\s+4\\.8%  \"2\\.0\"  \\(%1\\)\\n"_s.arg(
                 QRegularExpression::escape(m_v20)))),
             qPrintable(out));
    QVERIFY2(out.contains(u"! = minority value"_s), qPrintable(out));

    // mem.used: 21 distinct numbers, a distribution: the outlier on top, then the bars; no list
    // of 21 one-node groups.
    const Run mem = runBinary(local(
        u"values"_s, {u"--hunt"_s, m_hunt, u"--path"_s, u"mem.used"_s, u"--format"_s, u"table"_s}));
    QCOMPARE(mem.exitCode, 0);
    const QString dist = QString::fromUtf8(mem.out);
    QVERIFY2(dist.contains(u"\n21 distinct values, shown as a distribution\n"_s), qPrintable(dist));
    QVERIFY2(dist.contains(u"  ^ high  %1  1500  score "_s.arg(m_v20)), qPrintable(dist));
    QVERIFY2(!dist.contains(u"COUNT"_s), qPrintable(dist));
    QVERIFY2(dist.contains(u"\ndistribution (20 ranges):\n"_s), qPrintable(dist));
    const QRegularExpression bar(u"\\n\\s+[0-9.,]+ – [0-9.,]+\\s+(\\d+)  #*"_s);
    int inBars = 0;
    for (auto it = bar.globalMatch(dist); it.hasNext();) {
        inBars += it.next().captured(1).toInt();
    }
    QCOMPARE(inBars, 20); // every node but the outlier
}

void TestQueryCommand::valuesCsv()
{
    const Run r = runBinary(local(
        u"values"_s, {u"--hunt"_s, m_hunt, u"--path"_s, u"version"_s, u"--format"_s, u"csv"_s}));
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("value,count,share,minority\r\n"
                               "1.2,20,0.952381,false\r\n"
                               "2.0,1,0.047619,true\r\n"));
}

void TestQueryCommand::latestIsTheNewestHunt()
{
    const Run byId =
        runBinary(local(u"values"_s, {u"--hunt"_s, m_hunt, u"--path"_s, u"version"_s}));
    const Run latest =
        runBinary(local(u"values"_s, {u"--hunt"_s, u"latest"_s, u"--path"_s, u"version"_s}));
    QCOMPARE(latest.exitCode, 0);
    QCOMPARE(latest.json().value(u"hunt"_s).toString(), m_hunt);
    QCOMPARE(latest.out, byId.out);
    // An empty data dir has no latest hunt.
    QTemporaryDir empty;
    QVERIFY(QDir(empty.path()).mkpath(u"hunts"_s));
    const Run none = runBinary({u"values"_s, u"--data-dir"_s, empty.path(), u"--hunt"_s,
                                u"latest"_s, u"--path"_s, u"version"_s});
    QCOMPARE(none.exitCode, 2);
    QVERIFY2(none.err.contains("no hunt is done yet"), none.err.constData());
}

void TestQueryCommand::unknownHuntExitsTwo()
{
    const QString unknown = newHuntId();
    for (const QString &command : {u"values"_s, u"results"_s, u"diff"_s}) {
        QStringList args{u"--hunt"_s, unknown};
        if (command == u"values"_s) {
            args << u"--path"_s << u"version"_s;
        } else if (command == u"diff"_s) {
            args << u"--node"_s << m_v20;
        }
        const Run r = runBinary(local(command, args));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith(QByteArray("artemis-headless " + command.toUtf8() + ": ")),
                 r.err.constData());
        QVERIFY2(r.err.contains(unknown.toUtf8()), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }
    const Run malformed =
        runBinary(local(u"values"_s, {u"--hunt"_s, u"nope"_s, u"--path"_s, u"version"_s}));
    QCOMPARE(malformed.exitCode, 2);
    QVERIFY2(malformed.err.contains("is not a hunt id"), malformed.err.constData());
}

void TestQueryCommand::badPathExitsTwo()
{
    const Run r = runBinary(local(u"values"_s, {u"--hunt"_s, m_hunt, u"--path"_s, u"mem..used"_s}));
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("bad --path 'mem..used'"), r.err.constData());
    QVERIFY(r.out.isEmpty());
    const Run field =
        runBinary(local(u"results"_s, {u"--hunt"_s, m_hunt, u"--fields"_s, u"node,cpu["_s}));
    QCOMPARE(field.exitCode, 2);
    QVERIFY2(field.err.contains("cpu["), field.err.constData());
}

// Issue #22 item 8: a path no node has still answers, with a warning naming the nearest paths
// the hunt does have and their node counts; a --fields typo is an error naming the fields.
void TestQueryCommand::pathNoNodeHasSuggestsNearest_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("warning"); // in the table's warning line
    QTest::addColumn<QString>("first");   // suggestions[0].path in JSON
    QTest::addColumn<int>("nodes");       // suggestions[0].nodes
    QTest::newRow("swapped letters")
        << u"versoin"_s << u"did you mean version (21 nodes)?"_s << u"version"_s << 21;
    QTest::newRow("dropped letter")
        << u"mem.usd"_s << u"did you mean mem.used (21 nodes)?"_s << u"mem.used"_s << 21;
    QTest::newRow("last part only")
        << u"used"_s << u"did you mean mem.used (21 nodes)?"_s << u"mem.used"_s << 21;
    QTest::newRow("one node has it")
        << u"features"_s << u"did you mean feature (1 node)?"_s << u"feature"_s << 1;
    QTest::newRow("nothing near") << u"zzzzzzzz"_s
                                  << u"no node has 'zzzzzzzz' (22 nodes "
                                     u"answered without it)\n"_s
                                  << QString() << 0;
}

void TestQueryCommand::pathNoNodeHasSuggestsNearest()
{
    QFETCH(QString, path);
    QFETCH(QString, warning);
    QFETCH(QString, first);
    QFETCH(int, nodes);
    const Run table = runBinary(
        local(u"values"_s, {u"--hunt"_s, m_hunt, u"--path"_s, path, u"--format"_s, u"table"_s}));
    QCOMPARE(table.exitCode, 0);
    const QString out = QString::fromUtf8(table.out);
    QVERIFY2(out.contains(u"\nwarning: no node has '%1'"_s.arg(path)) && out.contains(warning),
             qPrintable(out));
    const Run json = runBinary(
        local(u"values"_s, {u"--hunt"_s, m_hunt, u"--path"_s, path, u"--format"_s, u"json"_s}));
    QCOMPARE(json.exitCode, 0);
    const QJsonObject answer = json.json();
    QCOMPARE(answer.value(u"warnings"_s).toArray().size(), 1);
    const QJsonArray suggestions = answer.value(u"suggestions"_s).toArray();
    QCOMPARE(suggestions.isEmpty(), first.isEmpty());
    if (!first.isEmpty()) {
        QCOMPARE(suggestions.at(0)[u"path"_s].toString(), first);
        QCOMPARE(suggestions.at(0)[u"nodes"_s].toInt(), nodes);
    }
    // Read back (the GUI's remote Compare) the warning and the suggestions stay.
    const Result<FleetValues> back = fleetValuesFromJson(answer);
    QVERIFY(back);
    QCOMPARE(back->warnings, QStringList{answer.value(u"warnings"_s).toArray().at(0).toString()});
    QCOMPARE(back->suggestions.size(), suggestions.size());
    QCOMPARE(toJson(*back).value(u"suggestions"_s), answer.value(u"suggestions"_s));
    // A path some node has carries no warning.
    const Run found = runBinary(local(
        u"values"_s, {u"--hunt"_s, m_hunt, u"--path"_s, u"version"_s, u"--format"_s, u"json"_s}));
    QVERIFY(!found.json().contains(u"warnings"_s));
    // --fields: a typo of a record field is refused, naming the fields.
    const Run field =
        runBinary(local(u"results"_s, {u"--hunt"_s, m_hunt, u"--fields"_s, u"node,outcom"_s}));
    QCOMPARE(field.exitCode, 2);
    QVERIFY2(field.err.contains("unknown field 'outcom' (did you mean outcome?)"),
             field.err.constData());
}

void TestQueryCommand::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("values without path")
        << QStringList{u"values"_s, u"--hunt"_s, u"latest"_s} << u"--path PATH is required"_s;
    QTest::newRow("values ndjson")
        << QStringList{u"values"_s,  u"--hunt"_s,   u"latest"_s, u"--path"_s,
                       u"version"_s, u"--format"_s, u"ndjson"_s}
        << u"--format must be table, json or csv"_s;
    QTest::newRow("results unknown outcome")
        << QStringList{u"results"_s, u"--hunt"_s, u"latest"_s, u"--outcome"_s, u"exploded"_s}
        << u"unknown outcome 'exploded'"_s;
    QTest::newRow("diff without node")
        << QStringList{u"diff"_s, u"--hunt"_s, u"latest"_s} << u"--node NODE is required"_s;
    QTest::newRow("no hunt") << QStringList{u"values"_s, u"--path"_s, u"version"_s}
                             << u"--hunt ID|latest is required"_s;
}

void TestQueryCommand::usageErrorsExitTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    args << u"--data-dir"_s << m_dir.path();
    const Run r = runBinary(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

void TestQueryCommand::resultsNdjsonCsvFieldsOutcome()
{
    // NDJSON by default: whole records, one per node.
    const Run all = runBinary(local(u"results"_s, {u"--hunt"_s, m_hunt}));
    QCOMPARE(all.exitCode, 0);
    const QList<QByteArray> lines = all.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 23);
    for (const QByteArray &line : lines) {
        const QJsonObject record = QJsonDocument::fromJson(line).object();
        QVERIFY2(record.contains(u"node"_s) && record.contains(u"body"_s), line.constData());
    }

    const Run csv =
        runBinary(local(u"results"_s, {u"--hunt"_s, m_hunt, u"--format"_s, u"csv"_s, u"--fields"_s,
                                       u"node,outcome,version"_s, u"--sort"_s, u"node"_s}));
    QCOMPARE(csv.exitCode, 0);
    QStringList sorted;
    for (const auto &node : m_nodes) {
        sorted.append(node->node());
    }
    sorted.sort();
    QByteArray expected = "node,outcome,version\r\n";
    for (const QString &node : sorted) {
        const QString version = node == m_v20                              ? u"2.0"_s
                                : node == m_noVersion || node == m_failing ? QString()
                                                                           : u"1.2"_s;
        const QString outcome = node == m_failing ? u"http_error"_s : u"ok"_s;
        expected += (node + u',' + outcome + u',' + version + u"\r\n"_s).toUtf8();
    }
    QCOMPARE(csv.out, expected);

    const Run failed =
        runBinary(local(u"results"_s, {u"--hunt"_s, m_hunt, u"--outcome"_s, u"failed"_s,
                                       u"--fields"_s, u"node,outcome,httpStatus"_s}));
    QCOMPARE(failed.exitCode, 0);
    QCOMPARE(failed.out.count('\n'), 1);
    const QJsonObject row = QJsonDocument::fromJson(failed.out).object();
    QCOMPARE(row,
             (QJsonObject{
                 {u"node"_s, m_failing}, {u"outcome"_s, u"http_error"_s}, {u"httpStatus"_s, 500}}));

    // --sort by a path, descending, with --numbers: the largest mem.used first, no value last.
    const Run mem =
        runBinary(local(u"results"_s, {u"--hunt"_s, m_hunt, u"--fields"_s, u"node,mem.used"_s,
                                       u"--sort"_s, u"-mem.used"_s, u"--numbers"_s}));
    QCOMPARE(mem.exitCode, 0);
    const QList<QByteArray> memLines = mem.out.trimmed().split('\n');
    QCOMPARE(memLines.size(), 23);
    QCOMPARE(QJsonDocument::fromJson(memLines.first()).object().value(u"node"_s).toString(), m_v20);
    QCOMPARE(QJsonDocument::fromJson(memLines[1]).object().value(u"mem.used"_s).toDouble(), 1019.0);
    QVERIFY(QJsonDocument::fromJson(memLines.last()).object().value(u"mem.used"_s).isNull());
}

void TestQueryCommand::diffExitsOneForTheOddNodeZeroForAMajorityNode()
{
    const Run odd = runBinary(local(u"diff"_s, {u"--hunt"_s, m_hunt, u"--node"_s, m_v20}));
    QCOMPARE(odd.exitCode, 1);
    const QJsonObject d = odd.json();
    QCOMPARE(d.value(u"node"_s).toString(), m_v20);
    QCOMPARE(d.value(u"compared"_s).toInt(), 21);
    const QJsonArray differences = d.value(u"differences"_s).toArray();
    QCOMPARE(differences.size(), 1);
    QCOMPARE(differences.first().toObject().value(u"path"_s).toString(), u"version"_s);
    QCOMPARE(differences.first().toObject().value(u"expected"_s).toString(), u"1.2"_s);
    QCOMPARE(d.value(u"onlyNode"_s).toArray().size(), 1);
    QCOMPARE(d.value(u"onlyNode"_s).toArray().first().toObject().value(u"path"_s).toString(),
             u"feature"_s);

    const Run table = runBinary(
        local(u"diff"_s, {u"--hunt"_s, m_hunt, u"--node"_s, m_v20, u"--format"_s, u"table"_s}));
    QCOMPARE(table.exitCode, 1);
    // mem.used differs on every node: no majority, said so rather than compared.
    QVERIFY2(table.out.contains("1 differing, 1 only here, 0 missing here; 1 path has no "
                                "majority value (not compared)\n"),
             table.out.constData());
    QVERIFY2(table.out.contains("  ~ version: \"2.0\"  expected \"1.2\""), table.out.constData());
    QVERIFY2(table.out.contains("  + feature: \"beta\""), table.out.constData());

    const Run same = runBinary(local(u"diff"_s, {u"--hunt"_s, m_hunt, u"--node"_s, m_v12.first()}));
    QCOMPARE(same.exitCode, 0);
    QCOMPARE(same.json().value(u"differences"_s).toArray().size(), 0);
    // Against another node, and against 'previous' of a hunt that is no schedule's round.
    const Run pair = runBinary(
        local(u"diff"_s, {u"--hunt"_s, m_hunt, u"--node"_s, m_v12[0], u"--against"_s, m_v12[1]}));
    QCOMPARE(pair.exitCode, 1); // mem.used differs
    QCOMPARE(pair.json()
                 .value(u"differences"_s)
                 .toArray()
                 .first()
                 .toObject()
                 .value(u"path"_s)
                 .toString(),
             u"mem.used"_s);
    const Run previous = runBinary(
        local(u"diff"_s, {u"--hunt"_s, m_hunt, u"--node"_s, m_v20, u"--against"_s, u"previous"_s}));
    QCOMPARE(previous.exitCode, 2);
    QVERIFY2(previous.err.contains("is not a schedule's round"), previous.err.constData());
    const Run failedNode =
        runBinary(local(u"diff"_s, {u"--hunt"_s, m_hunt, u"--node"_s, m_failing}));
    QCOMPARE(failedNode.exitCode, 2);
}

void TestQueryCommand::serverModeAgreesWithDataDirWhileServeHoldsIt()
{
    const QString tokenFile = m_dir.filePath(u"token"_s);
    {
        QFile file(tokenFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("s3cret-token\n");
    }
    Test::ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY2(serve.start({u"--data-dir"_s, m_dir.path(), u"--token-file"_s, tokenFile}) != 0,
             serve.stderrText().constData());
    const QStringList remote{u"--server"_s, serve.base(), u"--token-file"_s, tokenFile};

    for (const QString &path : {u"version"_s, u"mem.used"_s}) {
        const Run fromDir = runBinary(local(u"values"_s, {u"--hunt"_s, m_hunt, u"--path"_s, path}));
        const Run fromServer =
            runBinary(QStringList{u"values"_s, u"--hunt"_s, m_hunt, u"--path"_s, path} + remote);
        QCOMPARE(fromDir.exitCode, 0); // read-only: serve's lock does not stop it
        QVERIFY2(fromServer.exitCode == 0, fromServer.err.constData());
        QCOMPARE(fromServer.json().value(u"groups"_s), fromDir.json().value(u"groups"_s));
        QCOMPARE(fromServer.json(), fromDir.json());
    }
    // latest, results CSV and diff through the service too.
    const Run latest = runBinary(
        QStringList{u"values"_s, u"--hunt"_s, u"latest"_s, u"--path"_s, u"version"_s} + remote);
    QCOMPARE(latest.exitCode, 0);
    QCOMPARE(latest.json().value(u"hunt"_s).toString(), m_hunt);
    const QStringList csvArgs{u"--hunt"_s, m_hunt,        u"--format"_s,
                              u"csv"_s,    u"--fields"_s, u"node,outcome,version"_s,
                              u"--sort"_s, u"-node"_s};
    const Run csvDir = runBinary(local(u"results"_s, csvArgs));
    const Run csvServer = runBinary(QStringList{u"results"_s} + csvArgs + remote);
    QCOMPARE(csvServer.exitCode, 0);
    QCOMPARE(csvServer.out, csvDir.out);
    const Run failedServer =
        runBinary(QStringList{u"results"_s, u"--hunt"_s, m_hunt, u"--outcome"_s, u"failed"_s,
                              u"--fields"_s, u"node"_s}
                  + remote);
    QCOMPARE(failedServer.exitCode, 0);
    QCOMPARE(failedServer.out, (u"{\"node\":\"%1\"}\n"_s.arg(m_failing)).toUtf8());
    const Run diff =
        runBinary(QStringList{u"diff"_s, u"--hunt"_s, m_hunt, u"--node"_s, m_v20} + remote);
    QCOMPARE(diff.exitCode, 1);
    QCOMPARE(diff.json(),
             runBinary(local(u"diff"_s, {u"--hunt"_s, m_hunt, u"--node"_s, m_v20})).json());

    // Errors through the service: an unknown hunt, a bad path, no token.
    const Run unknown = runBinary(
        QStringList{u"values"_s, u"--hunt"_s, newHuntId(), u"--path"_s, u"version"_s} + remote);
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY2(unknown.err.contains("HTTP 404"), unknown.err.constData());
    const Run badPath = runBinary(QStringList{u"diff"_s, u"--hunt"_s, m_hunt, u"--node"_s, m_v20,
                                              u"--against"_s, u"previous"_s}
                                  + remote);
    QCOMPARE(badPath.exitCode, 2);
    QVERIFY2(badPath.err.contains("HTTP 400") && badPath.err.contains("is not a schedule's round"),
             badPath.err.constData());
    const Run noToken = runBinary(
        {u"values"_s, u"--hunt"_s, m_hunt, u"--path"_s, u"version"_s, u"--server"_s, serve.base()});
    QCOMPARE(noToken.exitCode, 2);
    QVERIFY2(noToken.err.contains("HTTP 401"), noToken.err.constData());
    QVERIFY(serve.isRunning());
}

void TestQueryCommand::huntNdjsonPrintsOneLinePerNode()
{
    QTemporaryDir dir;
    FakeNode a, b, broken;
    QVERIFY(a.start() && b.start() && broken.start());
    broken.setBehaviour(FakeNode::Behaviour::Garbage);
    const Run r = runBinary({u"hunt"_s, u"--url"_s, u"metric"_s, u"--attempts"_s, u"1"_s,
                             u"--data-dir"_s, dir.path(), u"--ndjson"_s, u"--node"_s, a.node(),
                             u"--node"_s, b.node(), u"--node"_s, broken.node()});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.endsWith('\n'));
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QHash<QString, QString> outcomes;
    for (const QByteArray &line : lines) {
        QJsonParseError error;
        const QJsonObject record = QJsonDocument::fromJson(line, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
        outcomes.insert(record.value(u"node"_s).toString(), record.value(u"outcome"_s).toString());
    }
    QCOMPARE(outcomes,
             (QHash<QString, QString>{
                 {a.node(), u"ok"_s}, {b.node(), u"ok"_s}, {broken.node(), u"invalid_json"_s}}));
    // The summary went to stderr.
    QVERIFY2(r.err.contains("3 nodes, 2 ok, 1 failed"), r.err.constData());
    QVERIFY2(r.err.contains("results.ndjson"), r.err.constData());
}

// hunt --label and --nodes-file in file_sd JSON, then values --group-by label:dc and an export
// of the label: the labels went into every record and come back out of each face.
void TestQueryCommand::labelsFromFlagAndFileSdGroupValues()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString sd = dir.filePath(u"sd.json"_s);
    QFile file(sd);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(QJsonArray{QJsonObject{
                                 {u"targets"_s, QJsonArray{m_v20, m_noVersion}},
                                 {u"labels"_s, QJsonObject{{u"dc"_s, u"ams1"_s}}},
                             }})
                   .toJson());
    file.close();
    const QString data = dir.filePath(u"data"_s);
    const Run hunt =
        runBinary({u"hunt"_s, u"--url"_s, u"metric"_s, u"--data-dir"_s, data, u"--node"_s,
                   m_v12.at(0) + u","_s + m_v12.at(1), u"--nodes-file"_s, sd, u"--label"_s,
                   u"dc=fra1"_s, u"--label"_s, u"team=obs"_s, u"--json"_s});
    QCOMPARE(hunt.exitCode, 0);
    const QString id = hunt.json().value(u"hunt"_s).toString();
    QCOMPARE(hunt.json().value(u"total"_s).toInt(), 4);

    // values --path version of the hunt, with these --group-by and --format.
    const auto grouped = [&](const QStringList &groupBy, const QString &format) {
        QStringList args{u"values"_s, u"--data-dir"_s, data,        u"--hunt"_s,
                         id,          u"--path"_s,     u"version"_s};
        for (const QString &g : groupBy) {
            args << u"--group-by"_s << g;
        }
        return runBinary(args << u"--format"_s << format);
    };
    const Run values = grouped({u"label:dc"_s}, u"csv"_s);
    QCOMPARE(values.exitCode, 0);
    QCOMPARE(values.out, QByteArray("label,value,count,share,minority\r\n"
                                    "ams1,2.0,1,1,false\r\n"
                                    "fra1,1.2,2,1,false\r\n"));
    const Run table = grouped({u"label:dc"_s}, u"table"_s);
    QCOMPARE(table.exitCode, 0);
    QVERIFY2(table.out.contains("[dc=fra1] values of 'version'"), table.out.constData());
    // --group-by repeated: one block per combination, a column per label, in the given order.
    const Run combined = grouped({u"label:team"_s, u"label:dc"_s}, u"csv"_s);
    QCOMPARE(combined.exitCode, 0);
    QCOMPARE(combined.out, QByteArray("label:team,label:dc,value,count,share,minority\r\n"
                                      "obs,ams1,2.0,1,1,false\r\n"
                                      "obs,fra1,1.2,2,1,false\r\n"));
    const Run combinedTable = grouped({u"label:dc,label:role"_s}, u"table"_s);
    QCOMPARE(combinedTable.exitCode, 0);
    QVERIFY2(combinedTable.out.contains("[dc=fra1 role=(none)] values of 'version'"),
             combinedTable.out.constData());

    const Run results =
        runBinary({u"results"_s, u"--data-dir"_s, data, u"--hunt"_s, id, u"--fields"_s,
                   u"node,label:dc,labels.team"_s, u"--format"_s, u"csv"_s});
    QCOMPARE(results.exitCode, 0);
    QVERIFY2(results.out.contains(QString(m_v20 + u",ams1,obs\r\n"_s).toUtf8()),
             results.out.constData());
    QVERIFY(results.out.contains(QString(m_v12.at(1) + u",fra1,obs\r\n"_s).toUtf8()));

    const Run bad = runBinary({u"hunt"_s, u"--url"_s, u"metric"_s, u"--data-dir"_s, data,
                               u"--node"_s, m_v20, u"--label"_s, u"__x=1"_s});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains("bad label '__x=1'"), bad.err.constData());
    const Run badGroup = runBinary({u"values"_s, u"--data-dir"_s, data, u"--hunt"_s, id,
                                    u"--path"_s, u"version"_s, u"--group-by"_s, u"dc"_s});
    QCOMPARE(badGroup.exitCode, 2);
    const Run twice = grouped({u"label:dc,label:dc"_s}, u"table"_s);
    QCOMPARE(twice.exitCode, 2);
    QVERIFY2(twice.err.contains("groupBy names label:dc twice"), twice.err.constData());
}

// Node answers and labels become CSV cells: a cell a spreadsheet would run as a formula gets a
// leading "'" in every CSV (results and values, from the data dir and through the service),
// numbers stay numbers, and --csv-raw (raw=1) gives the text unchanged.
void TestQueryCommand::csvCellsAreSafeUnlessRaw()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    FakeNode node;
    QVERIFY(node.start());
    node.setJsonBody(R"json({"cmd": "=HYPERLINK(\"http://evil.example\",\"x\")", "n": -2.5,
                             "s": "-2.5", "at": "@SUM(1+1)"})json");
    const QString data = dir.filePath(u"data"_s);
    const Run hunt =
        runBinary({u"hunt"_s, u"--url"_s, u"metric"_s, u"--data-dir"_s, data, u"--node"_s,
                   node.node(), u"--label"_s, u"team=+cmd|calc"_s, u"--json"_s});
    QCOMPARE(hunt.exitCode, 0);
    const QString id = hunt.json().value(u"hunt"_s).toString();
    const QStringList results{u"results"_s,
                              u"--hunt"_s,
                              id,
                              u"--format"_s,
                              u"csv"_s,
                              u"--fields"_s,
                              u"cmd,n,s,at,label:team"_s};
    const QByteArray safeRow = "\"'=HYPERLINK(\"\"http://"
                               "evil.example\"\",\"\"x\"\")\",-2.5,-2.5,'@SUM(1+1),'+cmd|calc\r\n";
    const QByteArray rawRow =
        "\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",-2.5,-2.5,@SUM(1+1),+cmd|calc\r\n";
    const QByteArray header = "cmd,n,s,at,label:team\r\n";
    const Run safe = runBinary(results + QStringList{u"--data-dir"_s, data});
    QCOMPARE(safe.exitCode, 0);
    QCOMPARE(safe.out, header + safeRow);
    const Run raw = runBinary(results + QStringList{u"--data-dir"_s, data, u"--csv-raw"_s});
    QCOMPARE(raw.exitCode, 0);
    QCOMPARE(raw.out, header + rawRow);
    const Run values = runBinary({u"values"_s, u"--data-dir"_s, data, u"--hunt"_s, id, u"--path"_s,
                                  u"at"_s, u"--format"_s, u"csv"_s});
    QCOMPARE(values.exitCode, 0);
    QCOMPARE(values.out, QByteArray("value,count,share,minority\r\n'@SUM(1+1),1,1,false\r\n"));

    // The same through the service (REST format=csv, raw=1).
    Test::ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY2(serve.start({u"--data-dir"_s, data}) != 0, serve.stderrText().constData());
    const QStringList remote{u"--server"_s, serve.base()};
    const Run safeServer = runBinary(results + remote);
    QVERIFY2(safeServer.exitCode == 0, safeServer.err.constData());
    QCOMPARE(safeServer.out, header + safeRow);
    const Run rawServer = runBinary(results + remote + QStringList{u"--csv-raw"_s});
    QVERIFY2(rawServer.exitCode == 0, rawServer.err.constData());
    QCOMPARE(rawServer.out, header + rawRow);
}

// --hunt latest is the newest hunt that is done, never one still running; an answer built from
// a running hunt, asked for by its id, says so: a first line in a table, "state", "done" and
// "total" in JSON, a line on stderr beside CSV, a header on a REST export.
void TestQueryCommand::latestIsDoneAndARunningHuntSaysSo()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString data = dir.filePath(u"data"_s);
    const Run first = runBinary({u"hunt"_s, u"--url"_s, u"metric"_s, u"--data-dir"_s, data,
                                 u"--node"_s, m_v20, u"--json"_s});
    QCOMPARE(first.exitCode, 0);
    const QString doneId = first.json().value(u"hunt"_s).toString();

    FakeNode hang;
    QVERIFY(hang.start());
    hang.setBehaviour(FakeNode::Behaviour::Hang);
    Test::ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY2(serve.start({u"--data-dir"_s, data}) != 0, serve.stderrText().constData());
    Test::HttpClient client(serve.base());
    const Test::HttpReply submitted = client.send(
        "POST", u"/api/v1/hunts"_s,
        QJsonDocument(
            QJsonObject{{u"nodes"_s, QJsonArray{m_v12.at(0), hang.node()}},
                        {u"url"_s, u"metric"_s},
                        {u"options"_s, QJsonObject{{u"timeoutMs"_s, 60000}, {u"attempts"_s, 1}}}})
            .toJson());
    QCOMPARE(submitted.status, 202);
    const QString runningId = submitted.json().value(u"hunt"_s).toString();
    QVERIFY(Test::waitUntil([&] {
        return client.send("GET", u"/api/v1/hunts/"_s + runningId).json().value(u"done"_s) == 1;
    }));
    const QStringList remote{u"--server"_s, serve.base()};

    const Run latest = runBinary(
        QStringList{u"values"_s, u"--hunt"_s, u"latest"_s, u"--path"_s, u"version"_s} + remote);
    QVERIFY2(latest.exitCode == 0, latest.err.constData());
    QCOMPARE(latest.json().value(u"hunt"_s).toString(), doneId);
    QCOMPARE(latest.json().value(u"state"_s).toString(), u"done"_s);
    const Run latestDir = runBinary(
        {u"values"_s, u"--hunt"_s, u"latest"_s, u"--path"_s, u"version"_s, u"--data-dir"_s, data});
    QCOMPARE(latestDir.exitCode, 0);
    QCOMPARE(latestDir.json().value(u"hunt"_s).toString(), doneId);
    QCOMPARE(client.send("GET", u"/api/v1/hunts/latest"_s).json().value(u"id"_s).toString(),
             doneId);

    const QStringList values{u"values"_s, u"--hunt"_s, runningId, u"--path"_s, u"version"_s};
    const Run json = runBinary(values + remote);
    QVERIFY2(json.exitCode == 0, json.err.constData());
    QCOMPARE(json.json().value(u"state"_s).toString(), u"running"_s);
    QCOMPARE(json.json().value(u"done"_s).toInt(), 1);
    QCOMPARE(json.json().value(u"total"_s).toInt(), 2);
    const Run table = runBinary(values + remote + QStringList{u"--format"_s, u"table"_s});
    QVERIFY2(table.exitCode == 0, table.err.constData());
    QVERIFY2(table.out.startsWith("hunt still running: 1 of 2 done\n"), table.out.constData());
    const Run csv = runBinary(QStringList{u"results"_s, u"--hunt"_s, runningId, u"--format"_s,
                                          u"csv"_s, u"--fields"_s, u"node"_s}
                              + remote);
    QVERIFY2(csv.exitCode == 0, csv.err.constData());
    QCOMPARE(csv.err, QByteArray("hunt still running: 1 of 2 done\n"));
    QCOMPARE(csv.out, "node\r\n" + m_v12.at(0).toUtf8() + "\r\n");

    const Test::HttpReply page =
        client.send("GET", u"/api/v1/hunts/%1/results?limit=10"_s.arg(runningId));
    QCOMPARE(page.json().value(u"state"_s).toString(), u"running"_s);
    QCOMPARE(page.json().value(u"done"_s).toInt(), 1);
    QCOMPARE(page.json().value(u"huntTotal"_s).toInt(), 2);
    const Test::HttpReply stream =
        client.send("GET", u"/api/v1/hunts/%1/results?format=ndjson"_s.arg(runningId));
    QCOMPARE(stream.status, 200);
    QCOMPARE(stream.headers.value("artemis-hunt-state"), QByteArray("running; done=1; total=2"));
    const Test::HttpReply diff =
        client.send("GET", u"/api/v1/hunts/%1/diff?node=%2"_s.arg(runningId, m_v12.at(0)));
    QCOMPARE(diff.json().value(u"state"_s).toString(), u"running"_s);
    const int cancelled =
        client.send("POST", u"/api/v1/hunts/%1/cancel"_s.arg(runningId), "{}").status;
    QVERIFY2(cancelled >= 200 && cancelled < 300, QByteArray::number(cancelled).constData());
}

QTEST_GUILESS_MAIN(TestQueryCommand)
#include "tst_querycommand.moc"
