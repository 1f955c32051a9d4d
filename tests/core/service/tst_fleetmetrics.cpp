// FleetMetricsBuilder and renderFleetMetrics (core/service/fleetmetrics.h): the exact text of a
// small fixture (escaping, exported_ labels, info metrics, NaN/Inf, units, a missing path, failed
// and repeated nodes), extract validation, promtool on 1,000 nodes, and 100,000 nodes from a store.
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>

#include "core/base/extract.h"
#include "core/base/huntid.h"
#include "core/fleet/fleetvalues.h"
#include "core/service/fleetmetrics.h"
#include "core/service/fleetmetricscache.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

// Stored lines as results.ndjson holds them (Outcome::toJson's shape, "labels" included).
const QByteArrayList FixtureLines = {
    R"FM({"node":"a:9100","outcome":"ok","attempts":1,"latencyMs":12,"labels":{"dc":"fra\"1","node":"x"},"body":{"mem":{"used":"1.5G"},"version":"1.2.3","temp":"NaN"}})FM",
    R"FM({"node":"b\\weird\nnode","outcome":"ok","attempts":2,"latencyMs":1500,"body":{"mem":{"used":1024},"version":"2.0"}})FM",
    R"FM({"node":"c","outcome":"timeout","attempts":3,"latencyMs":5000,"body":null,"error":"timed out"})FM",
    R"FM({"node":"d","outcome":"denied","attempts":0,"latencyMs":0})FM",
    R"FM({"node":"a:9100","outcome":"ok","attempts":1,"latencyMs":99,"body":{"mem":{"used":1}}})FM",
    R"FM(not json)FM",
    R"FM({"node":"e","outcome":"ok","attempts":1,"latencyMs":3,"body":{"mem":{"used":"n/a"},"version":true,"temp":"-inf"}})FM",
};

const ExtractList FixtureExtracts = {
    {u"build_info"_s, u"version"_s},
    {u"mem_used_bytes"_s, u"mem.used"_s},
    {u"temp"_s, u"temp"_s},
    {u"version"_s, u"version"_s},
};

const char *const FixtureText =
    "# HELP artemis_node_up 1 when the node answered with valid JSON (outcome ok) in the hunt, "
    "else 0.\n"
    "# TYPE artemis_node_up gauge\n"
    "artemis_node_up{node=\"a:9100\",schedule=\"S1\",dc=\"fra\\\"1\",exported_node=\"x\"} 1\n"
    "artemis_node_up{node=\"b\\\\weird\\nnode\",schedule=\"S1\"} 1\n"
    "artemis_node_up{node=\"c\",schedule=\"S1\"} 0\n"
    "artemis_node_up{node=\"d\",schedule=\"S1\"} 0\n"
    "artemis_node_up{node=\"e\",schedule=\"S1\"} 1\n"
    "# HELP artemis_node_fetch_duration_seconds Duration of the node's last fetch attempt in the "
    "hunt, seconds.\n"
    "# TYPE artemis_node_fetch_duration_seconds gauge\n"
    "artemis_node_fetch_duration_seconds{node=\"a:9100\",schedule=\"S1\",dc=\"fra\\\"1\",exported_"
    "node=\"x\"} 0.012\n"
    "artemis_node_fetch_duration_seconds{node=\"b\\\\weird\\nnode\",schedule=\"S1\"} 1.5\n"
    "artemis_node_fetch_duration_seconds{node=\"c\",schedule=\"S1\"} 5\n"
    "artemis_node_fetch_duration_seconds{node=\"e\",schedule=\"S1\"} 0.003\n"
    "# HELP build_info Value at JSON path 'version' of each node's answer, as the label 'value' "
    "(not a number).\n"
    "# TYPE build_info gauge\n"
    "build_info{node=\"a:9100\",schedule=\"S1\",dc=\"fra\\\"1\",exported_node=\"x\",value=\"1.2."
    "3\"} 1\n"
    "build_info{node=\"b\\\\weird\\nnode\",schedule=\"S1\",value=\"2.0\"} 1\n"
    "build_info{node=\"e\",schedule=\"S1\",value=\"true\"} 1\n"
    "# HELP mem_used_bytes Value at JSON path 'mem.used' of each node's answer.\n"
    "# TYPE mem_used_bytes gauge\n"
    "mem_used_bytes{node=\"a:9100\",schedule=\"S1\",dc=\"fra\\\"1\",exported_node=\"x\"} "
    "1610612736\n"
    "mem_used_bytes{node=\"b\\\\weird\\nnode\",schedule=\"S1\"} 1024\n"
    "# HELP mem_used_bytes_info Value at JSON path 'mem.used' of each node's answer, as the label "
    "'value' (not a number).\n"
    "# TYPE mem_used_bytes_info gauge\n"
    "mem_used_bytes_info{node=\"e\",schedule=\"S1\",value=\"n/a\"} 1\n"
    "# HELP temp Value at JSON path 'temp' of each node's answer.\n"
    "# TYPE temp gauge\n"
    "temp{node=\"a:9100\",schedule=\"S1\",dc=\"fra\\\"1\",exported_node=\"x\"} NaN\n"
    "temp{node=\"e\",schedule=\"S1\"} -Inf\n"
    "# HELP version Value at JSON path 'version' of each node's answer.\n"
    "# TYPE version gauge\n"
    "version{node=\"b\\\\weird\\nnode\",schedule=\"S1\"} 2\n"
    "# HELP version_info Value at JSON path 'version' of each node's answer, as the label 'value' "
    "(not a number).\n"
    "# TYPE version_info gauge\n"
    "version_info{node=\"a:9100\",schedule=\"S1\",dc=\"fra\\\"1\",exported_node=\"x\",value=\"1.2."
    "3\"} 1\n"
    "version_info{node=\"e\",schedule=\"S1\",value=\"true\"} 1\n";

QByteArray nodeLine(int i)
{
    // Every 10th node fails; every 7th lacks mem.used; versions 1.0.0 / 1.1.0.
    const QByteArray node =
        "10.0." + QByteArray::number(i / 250) + '.' + QByteArray::number(i % 250) + ":9100";
    const QByteArray labels =
        R"FM("labels":{"dc":"dc)FM" + QByteArray::number(i % 3) + R"FM(","role":"web"})FM";
    if (i % 10 == 9) {
        return R"FM({"node":")FM" + node
               + R"FM(","outcome":"timeout","attempts":2,"latencyMs":2000,)FM" + labels
               + R"FM(,"body":null})FM";
    }
    const QByteArray mem = i % 7 == 0
                               ? QByteArray()
                               : R"FM("mem":{"used":")FM" + QByteArray::number(i) + R"FM(M"},)FM";
    return R"FM({"node":")FM" + node + R"FM(","url":"http://)FM" + node
           + R"FM(/metric","outcome":"ok","httpStatus":200,"attempts":1,"latencyMs":)FM"
           + QByteArray::number(i % 50)
           + R"FM(,"bytes":420,"fetchedAt":"2026-12-01T17:00:00.000Z",)FM" + labels
           + R"FM(,"body":{)FM" + mem + R"FM("version":"1.)FM" + QByteArray::number(i % 2)
           + R"FM(.0","cpu":[12.5,3.25],"load":{"1m":0.5,"5m":0.25},"uptime":123456,"host":"n)FM"
           + QByteArray::number(i) + R"FM("}})FM";
}

const ExtractList FleetExtracts = {
    {u"load1"_s, u"load[\"1m\"]"_s},
    {u"mem_used_bytes"_s, u"mem.used"_s},
    {u"version"_s, u"version"_s},
};

} // namespace

class TestFleetMetrics : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fixture();
    void numbers_data();
    void numbers();
    void labelValues();
    void noExtracts();
    void extracts_data();
    void extracts();
    void promtool();
    void fromStore();
    void cache();
    void cacheWarming();
};

void TestFleetMetrics::fixture()
{
    QVERIFY(validateExtracts(FixtureExtracts));
    FleetMetricsBuilder builder({FixtureExtracts, u"S1"_s});
    int added = 0;
    for (const QByteArray &line : FixtureLines) {
        added += builder.addLine(line) ? 1 : 0;
    }
    QCOMPARE(added, 5); // the repeat of a:9100 and the corrupt line are not added
    const QByteArray text = builder.finish();
    if (text != FixtureText) {
        qWarning().noquote() << "got:\n" << text;
    }
    QCOMPARE(text, QByteArray(FixtureText));
}

void TestFleetMetrics::numbers_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("integer") << 42.0 << QByteArray("42");
    QTest::newRow("negative") << -3.0 << QByteArray("-3");
    QTest::newRow("fraction") << 0.1 << QByteArray("0.1");
    QTest::newRow("large whole") << 15e9 << QByteArray("15000000000");
    QTest::newRow("beyond 2^53") << 1e20 << QByteArray("1e+20");
    QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << QByteArray("NaN");
    QTest::newRow("+inf") << std::numeric_limits<double>::infinity() << QByteArray("+Inf");
    QTest::newRow("-inf") << -std::numeric_limits<double>::infinity() << QByteArray("-Inf");
}

void TestFleetMetrics::numbers()
{
    QFETCH(double, value);
    QFETCH(QByteArray, text);
    QCOMPARE(prometheusNumber(value), text);
}

void TestFleetMetrics::labelValues()
{
    QCOMPARE(prometheusLabelValue(u"a\\b\"c\nd"), QByteArray(R"FM(a\\b\"c\nd)FM"));
    QCOMPARE(prometheusLabelValue(u"größe"), QByteArray("größe"));
}

void TestFleetMetrics::noExtracts()
{
    // No schedule: no schedule label; a node without an attempt has no duration sample.
    FleetMetricsBuilder builder({});
    QVERIFY(builder.addLine(FixtureLines[3]));
    QCOMPARE(builder.finish(),
             QByteArray("# HELP artemis_node_up 1 when the node answered with valid JSON (outcome "
                        "ok) in the hunt, else 0.\n# TYPE artemis_node_up gauge\n"
                        "artemis_node_up{node=\"d\"} 0\n"
                        "# HELP artemis_node_fetch_duration_seconds Duration of the node's last "
                        "fetch attempt in the hunt, seconds.\n"
                        "# TYPE artemis_node_fetch_duration_seconds gauge\n"));
}

void TestFleetMetrics::extracts_data()
{
    QTest::addColumn<QJsonValue>("json");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("error");
    const auto obj = [](std::initializer_list<QPair<QString, QJsonValue>> pairs) {
        QJsonObject o;
        for (const auto &[k, v] : pairs) {
            o.insert(k, v);
        }
        return QJsonValue(o);
    };
    QTest::newRow("absent") << QJsonValue(QJsonValue::Undefined) << true << QString();
    QTest::newRow("two") << obj(
        {{u"mem_used_bytes"_s, u"mem.used"_s}, {u"version"_s, u"version"_s}})
                         << true << QString();
    QTest::newRow("colon and underscore") << obj({{u"_a:b"_s, u"x"_s}}) << true << QString();
    QTest::newRow("whole body") << obj({{u"doc_info"_s, u""_s}}) << true << QString();
    QTest::newRow("not an object") << QJsonValue(u"mem.used"_s) << false << u"must be an object"_s;
    QTest::newRow("path not a string") << obj({{u"a"_s, 1}}) << false << u"must be a string"_s;
    QTest::newRow("dash") << obj({{u"mem-used"_s, u"mem.used"_s}}) << false
                          << u"not a Prometheus metric name"_s;
    QTest::newRow("leading digit")
        << obj({{u"1mem"_s, u"mem"_s}}) << false << u"not a Prometheus metric name"_s;
    QTest::newRow("empty name") << obj({{u""_s, u"mem"_s}}) << false
                                << u"not a Prometheus metric name"_s;
    QTest::newRow("own family") << obj({{u"artemis_node_up"_s, u"up"_s}}) << false
                                << u"Artemis' own"_s;
    QTest::newRow("NAME and NAME_info")
        << obj({{u"v"_s, u"a"_s}, {u"v_info"_s, u"b"_s}}) << false << u"clash"_s;
    QTest::newRow("bad path") << obj({{u"mem"_s, u"mem..used"_s}}) << false << u"bad path"_s;
}

void TestFleetMetrics::extracts()
{
    QFETCH(QJsonValue, json);
    QFETCH(bool, valid);
    QFETCH(QString, error);
    const Result<ExtractList> parsed = extractsFromJson(json);
    QCOMPARE(bool(parsed), valid);
    if (!valid) {
        QCOMPARE(parsed.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(parsed.error().message.contains(error), qPrintable(parsed.error().message));
    } else if (json.isObject()) {
        QCOMPARE(extractsToJson(*parsed), json.toObject());
    }
}

void TestFleetMetrics::promtool()
{
    const QString promtool = QStandardPaths::findExecutable(u"promtool"_s);
    if (promtool.isEmpty()) {
        QSKIP("promtool not installed (Debian package prometheus; scripts/deps.sh test)");
    }
    FleetMetricsBuilder builder({FleetExtracts, u"01JDSCHEDULE"_s});
    for (int i = 0; i < 1000; ++i) {
        QVERIFY(builder.addLine(nodeLine(i)));
    }
    const QByteArray text = builder.finish();
    QVERIFY(text.contains("version_info{node=\"10.0.0.0:9100\",schedule=\"01JDSCHEDULE\","
                          "dc=\"dc0\",role=\"web\",value=\"1.0.0\"} 1\n"));
    QVERIFY(text.contains("mem_used_bytes{node=\"10.0.0.1:9100\",schedule=\"01JDSCHEDULE\","
                          "dc=\"dc1\",role=\"web\"} 1048576\n"));
    QProcess process;
    process.start(promtool, {u"check"_s, u"metrics"_s});
    QVERIFY(process.waitForStarted());
    process.write(text);
    process.closeWriteChannel();
    QVERIFY(process.waitForFinished(30000));
    const QByteArray output = process.readAllStandardOutput() + process.readAllStandardError();
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             output.constData());
    QVERIFY2(output.trimmed().isEmpty(), output.constData()); // no lint complaints either
}

void TestFleetMetrics::fromStore()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ResultStore store(dir.path());
    QVERIFY(store.open());
    constexpr int Nodes = 100000;
    HuntInfo info;
    info.id = newHuntId();
    info.url = u"/metric"_s;
    info.state = HuntState::Done;
    info.createdAt = QDateTime::currentDateTimeUtc();
    info.total = Nodes;
    info.extract = FleetExtracts;
    QStringList nodes;
    for (int i = 0; i < Nodes; ++i) {
        nodes.append(u"n%1"_s.arg(i));
    }
    QVERIFY(store.createHunt(info, nodes));
    {
        QFile file(store.resultsFile(info.id));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Append));
        QByteArray all;
        for (int i = 0; i < Nodes; ++i) {
            all += nodeLine(i);
            all += '\n';
        }
        all += nodeLine(5) + '\n'; // a repeat: the first record wins
        all += "{\"node\":\"torn"; // a torn last line
        QVERIFY(file.write(all) == all.size());
    }
    QElapsedTimer timer;
    timer.start();
    const Result<QByteArray> text = renderFleetMetrics(store, info);
    const qint64 ms = timer.elapsed();
    QVERIFY2(text, qPrintable(text ? QString() : text.error().message));
    qInfo("rendered %d nodes (%lld bytes of results) into %lld bytes in %lld ms", Nodes,
          QFileInfo(store.resultsFile(info.id)).size(), qint64(text->size()), ms);
    // For scale: one path's fleet values over the same file (core/fleet/fleetvalues.h).
    timer.restart();
    QVERIFY(computeFleetValues(store, info.id, *parseJsonPath(u"mem.used")));
    qInfo("fleet values of one path over the same results: %lld ms", timer.elapsed());
    QCOMPARE(text->count("\nartemis_node_up{"), Nodes);
    QCOMPARE(text->count("\nmem_used_bytes{"), 77142); // ok nodes with mem.used
    QVERIFY(
        text->contains("\nartemis_node_up{node=\"10.0.0.9:9100\",dc=\"dc0\",role=\"web\"} 0\n"));
    // Same text as the builder fed line by line.
    FleetMetricsBuilder builder({FleetExtracts, {}});
    for (int i = 0; i < Nodes; ++i) {
        builder.addLine(nodeLine(i));
    }
    QCOMPARE(*text, builder.finish());

    HuntInfo unknown;
    unknown.id = newHuntId();
    const Result<QByteArray> missing = renderFleetMetrics(store, unknown);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
}

namespace {
// A finished hunt of `nodes` nodeLine()s in `store`.
HuntInfo storedHunt(ResultStore &store, int nodes, const QString &schedule = {})
{
    HuntInfo info;
    info.id = newHuntId();
    info.url = u"/metric"_s;
    info.state = HuntState::Done;
    info.createdAt = QDateTime::currentDateTimeUtc();
    info.finishedAt = info.createdAt;
    info.total = nodes;
    info.done = nodes;
    info.extract = FleetExtracts;
    info.schedule = schedule;
    QStringList names;
    for (int i = 0; i < nodes; ++i) {
        names.append(u"n%1"_s.arg(i));
    }
    if (!store.createHunt(info, names)) {
        return {};
    }
    QFile file(store.resultsFile(info.id));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append)) {
        return {};
    }
    for (int i = 0; i < nodes; ++i) {
        file.write(nodeLine(i) + '\n');
    }
    return info;
}
} // namespace

void TestFleetMetrics::cache()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ResultStore store(dir.path());
    QVERIFY(store.open());
    const HuntInfo info = storedHunt(store, 300);
    QVERIFY(!info.id.isEmpty());
    const QByteArray fresh = *renderFleetMetrics(store, info);

    FleetMetricsCache cache(&store);
    QCOMPARE(*cache.text(info), fresh);
    QCOMPARE(*cache.text(info), fresh);
    QCOMPARE(cache.stats().renders, 1);
    QCOMPARE(cache.stats().hits, 1);
    QCOMPARE(cache.stats().bytes, fresh.size());
    // Kept, not read again: the file's later bytes do not show until the key changes.
    {
        QFile file(store.resultsFile(info.id));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Append));
        file.write(nodeLine(300) + '\n');
    }
    QCOMPARE(*cache.text(info), fresh);
    // Everything the text depends on is in the key.
    HuntInfo noExtracts = info;
    noExtracts.extract.clear();
    QCOMPARE(*cache.text(noExtracts), *renderFleetMetrics(store, noExtracts));
    HuntInfo resumed = info;
    resumed.done = 301;
    resumed.finishedAt = info.finishedAt.addSecs(5);
    const QByteArray more = *cache.text(resumed);
    QCOMPARE(more.count("\nartemis_node_up{"), 301);
    HuntInfo scheduled = info;
    scheduled.schedule = u"S1"_s;
    QVERIFY(cache.text(scheduled)->contains(",schedule=\"S1\""));
    QCOMPARE(cache.stats().renders, 4);
    QCOMPARE(cache.stats().entries, 4);

    // forget(): the hunt's texts go (a deleted round).
    cache.forget(info.id);
    QCOMPARE(cache.stats().entries, 0);
    QCOMPARE(cache.stats().bytes, 0);
    QCOMPARE(cache.text(info)->count("\nartemis_node_up{"), 301);
    QCOMPARE(cache.stats().renders, 5);

    // An error is answered and not kept.
    HuntInfo unknown;
    unknown.id = newHuntId();
    unknown.state = HuntState::Done;
    QCOMPARE(cache.text(unknown).error().code, ErrorCode::NotFound);
    QCOMPARE(cache.stats().entries, 1);

    // Bounded by bytes, oldest out first; the newest stays even when it alone is larger.
    const qsizetype bothBytes =
        renderFleetMetrics(store, info)->size() + renderFleetMetrics(store, noExtracts)->size();
    FleetMetricsCache small(&store, bothBytes + 10);
    QVERIFY(small.text(info));
    QVERIFY(small.text(noExtracts));
    QCOMPARE(small.stats().entries, 2);
    QVERIFY(small.text(scheduled));
    QCOMPARE(small.stats().entries, 1);
    QVERIFY(small.text(scheduled));
    QCOMPARE(small.stats().hits, 1);
    FleetMetricsCache tiny(&store, 10);
    QVERIFY(tiny.text(info));
    QVERIFY(tiny.text(info));
    QCOMPARE(tiny.stats().hits, 1);

    // Concurrent requests for one key render once.
    FleetMetricsCache shared(&store);
    QList<QFuture<QByteArray>> futures;
    for (int i = 0; i < 4; ++i) {
        futures.append(QtConcurrent::run([&shared, info] { return *shared.text(info); }));
    }
    for (QFuture<QByteArray> &f : futures) {
        QCOMPARE(f.result().count("\nartemis_node_up{"), 301);
    }
    QCOMPARE(shared.stats().renders, 1);
    QCOMPARE(shared.stats().hits, 3);
}

void TestFleetMetrics::cacheWarming()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ResultStore store(dir.path());
    QVERIFY(store.open());
    const HuntInfo round1 = storedHunt(store, 200, u"S1"_s);
    const HuntInfo other = storedHunt(store, 200, u"S2"_s);
    FleetMetricsCache cache(&store);
    // Never scraped: a finished round is not rendered ahead.
    cache.onHuntFinished(round1);
    QCOMPARE(cache.stats().warmed, 0);
    cache.noteScraped(u"S1"_s);
    cache.onHuntFinished(other); // S2 was not scraped
    HuntInfo running = round1;
    running.state = HuntState::Running;
    cache.onHuntFinished(running);
    QCOMPARE(cache.stats().warmed, 0);
    cache.onHuntFinished(round1);
    QCOMPARE(cache.stats().warmed, 1);
    QTRY_COMPARE_WITH_TIMEOUT(cache.stats().renders, 1, 10000);
    QCOMPARE(*cache.text(round1), *renderFleetMetrics(store, round1));
    QCOMPARE(cache.stats().hits, 1);
    QCOMPARE(cache.stats().renders, 1);
}

QTEST_GUILESS_MAIN(TestFleetMetrics)
#include "tst_fleetmetrics.moc"
