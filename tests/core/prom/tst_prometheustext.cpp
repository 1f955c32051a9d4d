// parsePrometheusText: the exposition format rules, one row per rule (and per reported bug).
#include <QtTest>

#include <QJsonDocument>

#include <cmath>

#include "core/prom/prometheustext.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

class TestPrometheusText : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void rejects_data();
    void rejects();
    void contentType_data();
    void contentType();
    void nodeExporterSample();
    void manyDistinctSeries();
    void manyLabels();
    void sampleLimit();
};

void TestPrometheusText::parse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("expected"); // JSON

    QTest::newRow("empty") << QByteArray() << QByteArray("{}");
    QTest::newRow("plain sample") << QByteArray("node_load1 0.21\n")
                                  << QByteArray(R"({"node_load1":[{"labels":{},"value":0.21}]})");
    QTest::newRow("no final line feed")
        << QByteArray("up 1") << QByteArray(R"({"up":[{"labels":{},"value":1}]})");
    QTest::newRow("CRLF, blank lines, indentation")
        << QByteArray("\r\n  up 1\r\n\t\n  down   0  \r\n")
        << QByteArray(R"({"down":[{"labels":{},"value":0}],"up":[{"labels":{},"value":1}]})");
    QTest::newRow("comments ignored")
        << QByteArray("# just a comment\n#another\n# HELPER not help\nup 1\n")
        << QByteArray(R"({"up":[{"labels":{},"value":1}]})");
    QTest::newRow("HELP and TYPE kept in #meta")
        << QByteArray("# HELP http_requests_total The total number of HTTP requests.\n"
                      "# TYPE http_requests_total counter\n"
                      "http_requests_total{method=\"post\",code=\"200\"} 1027\n"
                      "http_requests_total{method=\"post\",code=\"400\"} 3\n")
        << QByteArray(R"({"#meta":{"http_requests_total":{"help":"The total number of HTTP )"
                      R"(requests.","type":"counter"}},"http_requests_total":[)"
                      R"({"labels":{"code":"200","method":"post"},"value":1027},)"
                      R"({"labels":{"code":"400","method":"post"},"value":3}]})");
    QTest::newRow("HELP escapes")
        << QByteArray("# HELP x Line one\\nline two \\\\ and \\t kept\n")
        << QByteArray(R"({"#meta":{"x":{"help":"Line one\nline two \\ and \\t kept"}}})");
    QTest::newRow("empty HELP") << QByteArray("# HELP x\n")
                                << QByteArray(R"({"#meta":{"x":{"help":""}}})");
    QTest::newRow("label value escapes")
        << QByteArray(R"(msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",)"
                      R"(error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9)")
        << QByteArray(R"({"msdos_file_access_time_seconds":[{"labels":{"error":"Cannot find )"
                      R"(file:\n\"FILE.TXT\"","path":"C:\\DIR\\FILE.TXT"},"value":1458255915}]})");
    QTest::newRow("braces and commas inside label values")
        << QByteArray(R"(x{a="}",b=",{ "} 1)")
        << QByteArray(R"({"x":[{"labels":{"a":"}","b":",{ "},"value":1}]})");
    QTest::newRow("trailing comma, blanks in braces, empty braces")
        << QByteArray("a{ x = \"1\" , } 1\nb{} 2\n")
        << QByteArray(R"({"a":[{"labels":{"x":"1"},"value":1}],"b":[{"labels":{},"value":2}]})");
    QTest::newRow("UTF-8 label value")
        << QByteArray("x{city=\"Zürich\"} 1\n")
        << QByteArray(R"({"x":[{"labels":{"city":"Zürich"},"value":1}]})");
    QTest::newRow("timestamps, negative too")
        << QByteArray("a 1 1395066363000\nb 2 -1395066363000\n")
        << QByteArray(R"({"a":[{"labels":{},"timestamp":1395066363000,"value":1}],)"
                      R"("b":[{"labels":{},"timestamp":-1395066363000,"value":2}]})");
    QTest::newRow("NaN, +Inf, -Inf as strings")
        << QByteArray("a NaN\nb +Inf\nc -Inf\nd nan\ne Inf\n")
        << QByteArray(R"({"a":[{"labels":{},"value":"NaN"}],"b":[{"labels":{},"value":"+Inf"}],)"
                      R"("c":[{"labels":{},"value":"-Inf"}],"d":[{"labels":{},"value":"NaN"}],)"
                      R"("e":[{"labels":{},"value":"+Inf"}]})");
    QTest::newRow("number forms")
        << QByteArray("a -0.5\nb 1e3\nc 1.5E-3\nd 12345678901234\n")
        << QByteArray(R"({"a":[{"labels":{},"value":-0.5}],"b":[{"labels":{},"value":1000}],)"
                      R"("c":[{"labels":{},"value":0.0015}],)"
                      R"("d":[{"labels":{},"value":12345678901234}]})");
    QTest::newRow("histogram")
        << QByteArray("# HELP rpc_seconds RPC latency.\n"
                      "# TYPE rpc_seconds histogram\n"
                      "rpc_seconds_bucket{le=\"0.05\"} 24054\n"
                      "rpc_seconds_bucket{le=\"+Inf\"} 144320\n"
                      "rpc_seconds_sum 53423\n"
                      "rpc_seconds_count 144320\n")
        << QByteArray(R"({"#meta":{"rpc_seconds":{"help":"RPC latency.","type":"histogram"}},)"
                      R"("rpc_seconds_bucket":[{"labels":{"le":"0.05"},"value":24054},)"
                      R"({"labels":{"le":"+Inf"},"value":144320}],)"
                      R"("rpc_seconds_count":[{"labels":{},"value":144320}],)"
                      R"("rpc_seconds_sum":[{"labels":{},"value":53423}]})");
    QTest::newRow("summary with NaN quantile")
        << QByteArray("# TYPE go_gc_duration_seconds summary\n"
                      "go_gc_duration_seconds{quantile=\"0.5\"} NaN\n"
                      "go_gc_duration_seconds{quantile=\"1\"} 0.002\n"
                      "go_gc_duration_seconds_sum 0.01\n"
                      "go_gc_duration_seconds_count 7\n")
        << QByteArray(R"({"#meta":{"go_gc_duration_seconds":{"type":"summary"}},)"
                      R"("go_gc_duration_seconds":[{"labels":{"quantile":"0.5"},"value":"NaN"},)"
                      R"({"labels":{"quantile":"1"},"value":0.002}],)"
                      R"("go_gc_duration_seconds_count":[{"labels":{},"value":7}],)"
                      R"("go_gc_duration_seconds_sum":[{"labels":{},"value":0.01}]})");
    QTest::newRow("colons in names, label names with underscores")
        << QByteArray("job:rate5m{_x=\"1\",le_2=\"b\"} 3\n")
        << QByteArray(R"({"job:rate5m":[{"labels":{"_x":"1","le_2":"b"},"value":3}]})");
    QTest::newRow("OpenMetrics: UNIT, exemplar dropped, EOF ends the text")
        << QByteArray("# TYPE foo_seconds counter\n# UNIT foo_seconds seconds\n"
                      "foo_seconds_total 17 # {trace_id=\"abc\"} 1.0\n"
                      "foo_seconds_created 1 123 # {a=\"b\"} 2\n"
                      "# EOF\nignored after eof\n")
        << QByteArray(R"({"#meta":{"foo_seconds":{"type":"counter","unit":"seconds"}},)"
                      R"("foo_seconds_created":[{"labels":{},"timestamp":123,"value":1}],)"
                      R"("foo_seconds_total":[{"labels":{},"value":17}]})");
    QTest::newRow("NaN and Inf in any case, signed words")
        << QByteArray("a NAN\nb +INF\nc -Infinity\nd iNf\n")
        << QByteArray(R"({"a":[{"labels":{},"value":"NaN"}],"b":[{"labels":{},"value":"+Inf"}],)"
                      R"("c":[{"labels":{},"value":"-Inf"}],"d":[{"labels":{},"value":"+Inf"}]})");
    QTest::newRow("HELP: escapes at both ends, lone trailing backslash kept")
        << QByteArray("# HELP x \\a\\nb\\n\\q\\\n")
        << QByteArray(R"({"#meta":{"x":{"help":"\\a\nb\n\\q\\"}}})");
    QTest::newRow("label value: escapes next to each other and at both ends")
        << QByteArray("x{v=\"\\\"a\\\\\\nb\\\"\"} 1\n")
        << QByteArray(R"({"x":[{"labels":{"v":"\"a\\\nb\""},"value":1}]})");
    QTest::newRow("series interleaved: samples keep their order per name")
        << QByteArray("a 1\nb 2\na 3\n")
        << QByteArray(R"({"a":[{"labels":{},"value":1},{"labels":{},"value":3}],)"
                      R"("b":[{"labels":{},"value":2}]})");
    // Values and labels are now written as JSON text and read back with QJsonDocument::fromJson:
    // these are where the two could disagree with the QJsonValues built before.
    QTest::newRow("JSON text: control characters, quotes and backslashes in values")
        << QByteArray("x{v=\"a\tb\x01"
                      "c\\\\d\\\"e\"} 1\n# HELP x t\x1f\"q\\\\\n")
        << QByteArray(R"({"#meta":{"x":{"help":"t\u001f\"q\\"}},)"
                      R"("x":[{"labels":{"v":"a\tb\u0001c\\d\"e"},"value":1}]})");
    QTest::newRow("JSON text: invalid UTF-8 becomes U+FFFD, as QString::fromUtf8 makes it")
        << QByteArray("x{v=\"a\xff\xc3"
                      "b\"} 1\n")
        << QByteArray("{\"x\":[{\"labels\":{\"v\":\"a\xef\xbf\xbd\xef\xbf\xbd"
                      "b\"},\"value\":1}]}");
    QTest::newRow("JSON text: byte order marks are content, leading ones too")
        << QByteArray("x{v=\"\xef\xbb\xbf\\n\xef\xbb\xbf\"} 1\n")
        << QByteArray("{\"x\":[{\"labels\":{\"v\":\"\\ufeff\\n\\ufeff\"},\"value\":1}]}");
    // A fuzz find: a HELP text starting with a BOM, then blanks and invalid UTF-8 (written back,
    // the blanks after a dropped BOM were taken for the separator).
    QTest::newRow("JSON text: a leading BOM before invalid UTF-8 is kept")
        << QByteArray("# HELP fo \xef\xbb\xbf  0\x82\n")
        << QByteArray("{\"#meta\":{\"fo\":{\"help\":\"\\ufeff  0\xef\xbf\xbd\"}}}");
    QTest::newRow("JSON text: whole numbers past 2^53 stay doubles, interleaved series too")
        << QByteArray("a 4611686018427387904\nb 1\na 9007199254740993\na -9223372036854774784\n")
        << QByteArray(R"({"a":[{"labels":{},"value":4611686018427388000},)"
                      R"({"labels":{},"value":9007199254740992},)"
                      R"({"labels":{},"value":-9223372036854775000}],)"
                      R"("b":[{"labels":{},"value":1}]})");
    QTest::newRow("TYPE without samples, untyped samples")
        << QByteArray("# TYPE idle gauge\nsomething 4\n")
        << QByteArray(R"({"#meta":{"idle":{"type":"gauge"}},)"
                      R"("something":[{"labels":{},"value":4}]})");
}

void TestPrometheusText::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, expected);
    const Result<QJsonObject> parsed = parsePrometheusText(text);
    QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().message));
    // Values are doubles as QJsonValue(double) makes them: whole ones up to 2^53 are integers.
    for (const QJsonValue &series : *parsed) {
        for (const QJsonValue &sample : series.toArray()) {
            const QJsonValue value = sample[u"value"_s];
            if (value.isDouble()) {
                const bool whole = std::abs(value.toDouble()) <= 0x1p53
                                   && value.toDouble() == std::trunc(value.toDouble());
                QCOMPARE(value.toVariant().typeId(),
                         whole ? QMetaType::LongLong : QMetaType::Double);
            }
        }
    }
    const QJsonDocument want = QJsonDocument::fromJson(expected);
    QVERIFY2(want.isObject(), "the expected JSON of the row is valid");
    QCOMPARE(QJsonDocument(*parsed).toJson(QJsonDocument::Compact),
             want.toJson(QJsonDocument::Compact));
}

void TestPrometheusText::rejects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error"); // expected part of the message

    QTest::newRow("html") << QByteArray("<html>hi</html>\n")
                          << u"line 1: expected a metric name, found '<'"_s;
    QTest::newRow("no value") << QByteArray("up 1\nlonely\n") << u"line 2: 'lonely' has no value"_s;
    QTest::newRow("bad value") << QByteArray("up one\n")
                               << u"line 1: 'one' is not a number (value of 'up')"_s;
    QTest::newRow("overflowing value") << QByteArray("up 1e999\n") << u"is not a number"_s;
    QTest::newRow("bad timestamp")
        << QByteArray("up 1 soon\n") << u"line 1: 'soon' is not a timestamp"_s;
    QTest::newRow("junk after timestamp")
        << QByteArray("up 1 2 3\n") << u"line 1: unexpected '3' after the value of 'up'"_s;
    QTest::newRow("name starts with a digit")
        << QByteArray("1up 1\n") << u"expected a metric name, found '1'"_s;
    QTest::newRow("unquoted label value")
        << QByteArray("up{a=b} 1\n") << u"the value of label 'a' must be in double quotes"_s;
    QTest::newRow("unterminated label value")
        << QByteArray("up{a=\"b} 1\n") << u"the value of label 'a' has no closing quote"_s;
    QTest::newRow("labels not closed")
        << QByteArray("up{a=\"b\"\n") << u"expected ',' or '}' after label 'a'"_s;
    QTest::newRow("labels not closed after comma")
        << QByteArray("up{a=\"b\",\n") << u"labels not closed with '}'"_s;
    QTest::newRow("invalid escape")
        << QByteArray("up{a=\"\\t\"} 1\n") << u"invalid escape '\\t' in the value of label 'a'"_s;
    QTest::newRow("label name with colon")
        << QByteArray("up{a:b=\"1\"} 1\n") << u"expected '=' after label 'a'"_s;
    QTest::newRow("duplicate label")
        << QByteArray("up{a=\"1\",a=\"2\"} 1\n") << u"label 'a' given twice"_s;
    QTest::newRow("unknown type") << QByteArray("# TYPE up countre\n")
                                  << u"line 1: unknown metric type 'countre' for 'up'"_s;
    QTest::newRow("second TYPE") << QByteArray("# TYPE up gauge\nup 1\n# TYPE up counter\n")
                                 << u"line 3: second # TYPE line for 'up'"_s;
    QTest::newRow("second HELP") << QByteArray("# HELP up a\n# HELP up b\n")
                                 << u"line 2: second # HELP line for 'up'"_s;
    QTest::newRow("HELP without name")
        << QByteArray("# HELP\n") << u"# HELP needs a valid metric name"_s;
    QTest::newRow("TYPE with junk")
        << QByteArray("# TYPE up gauge extra\n") << u"unexpected 'extra' after the type of 'up'"_s;
    QTest::newRow("JSON is not exposition text")
        << QByteArray(R"({"cpu": 1})") << u"expected a metric name, found '{'"_s;
}

void TestPrometheusText::rejects()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    const Result<QJsonObject> parsed = parsePrometheusText(text);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().code, ErrorCode::InvalidArgument);
    QVERIFY2(parsed.error().message.contains(error), qPrintable(parsed.error().message));
}

void TestPrometheusText::contentType_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<bool>("prometheus");
    QTest::newRow("0.0.4") << QByteArray("text/plain; version=0.0.4; charset=utf-8") << true;
    QTest::newRow("plain") << QByteArray("text/plain") << true;
    QTest::newRow("case and blanks") << QByteArray(" Text/Plain ;charset=UTF-8") << true;
    QTest::newRow("openmetrics") << QByteArray(
        "application/openmetrics-text; version=1.0.0; charset=utf-8")
                                 << true;
    QTest::newRow("json") << QByteArray("application/json") << false;
    QTest::newRow("html") << QByteArray("text/html; charset=utf-8") << false;
    QTest::newRow("absent") << QByteArray() << false;
}

void TestPrometheusText::contentType()
{
    QFETCH(QByteArray, contentType);
    QFETCH(bool, prometheus);
    QCOMPARE(isPrometheusContentType(contentType), prometheus);
}

// A realistic slice of node_exporter output: every family lands where a user would look.
void TestPrometheusText::nodeExporterSample()
{
    const QByteArray text =
        "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
        "# TYPE node_cpu_seconds_total counter\n"
        "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 8523.22\n"
        "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 312.5\n"
        "node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 8611.03\n"
        "# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in "
        "bytes.\n"
        "# TYPE node_filesystem_avail_bytes gauge\n"
        "node_filesystem_avail_bytes{device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=\"/\"} "
        "2.1474836e+10\n"
        "# HELP node_load1 1m load average.\n"
        "# TYPE node_load1 gauge\n"
        "node_load1 0.42\n";
    const Result<QJsonObject> parsed = parsePrometheusText(text);
    QVERIFY(parsed);
    const QJsonArray cpu = parsed->value(u"node_cpu_seconds_total"_s).toArray();
    QCOMPARE(cpu.size(), 3);
    QCOMPARE(cpu.at(2).toObject().value(u"labels"_s).toObject().value(u"cpu"_s).toString(), u"1"_s);
    QCOMPARE(cpu.at(1).toObject().value(u"value"_s).toDouble(), 312.5);
    QCOMPARE(parsed->value(u"node_filesystem_avail_bytes"_s)[0][u"value"_s].toDouble(),
             2.1474836e+10);
    QCOMPARE(parsed->value(u"node_load1"_s)[0][u"value"_s].toDouble(), 0.42);
    const QJsonObject meta = parsed->value(u"#meta"_s).toObject();
    QCOMPARE(meta.size(), 3);
    QCOMPARE(meta.value(u"node_load1"_s)[u"type"_s].toString(), u"gauge"_s);
}

// Keys were inserted into the sorted QJsonObject in hash order, each moving half the object:
// 10 MiB of distinct names took 172 s (issue #13 item 8). Checks the result; speed is a bench's.
void TestPrometheusText::manyDistinctSeries()
{
    QByteArray text;
    int count = 0;
    while (text.size() < 10 * 1024 * 1024) {
        const QByteArray name = "metric_" + QByteArray::number(count);
        text += "# TYPE " + name + " gauge\n" + name + "{instance=\"n" + QByteArray::number(count)
                + "\"} " + QByteArray::number(count) + '\n';
        ++count;
    }
    const Result<QJsonObject> json = parsePrometheusText(text);
    QVERIFY(json);
    QCOMPARE(json->size(), count + 1); // + "#meta"
    QCOMPARE(json->value(u"#meta"_s).toObject().size(), count);
    const QJsonObject last = json->value(u"metric_%1"_s.arg(count - 1)).toArray().at(0).toObject();
    QCOMPARE(last.value(u"value"_s).toDouble(), double(count - 1));
    QCOMPARE(last.value(u"labels"_s).toObject().value(u"instance"_s).toString(),
             u"n%1"_s.arg(count - 1));
}

// Up to PrometheusMaxLabels labels: the same object and the same errors as for a few (duplicates
// are found through a hash table); one more and the text is refused.
void TestPrometheusText::manyLabels()
{
    QByteArray line = "wide{";
    QJsonObject expected;
    for (int i = 0; i < PrometheusMaxLabels; ++i) {
        line += "l" + QByteArray::number(i) + "=\"v" + QByteArray::number(i) + "\",";
        expected.insert(u"l%1"_s.arg(i), u"v%1"_s.arg(i));
    }
    const Result<QJsonObject> json = parsePrometheusText(QByteArray(line + "} 7\n"));
    QVERIFY(json);
    const QJsonObject sample = json->value(u"wide"_s).toArray().at(0).toObject();
    QCOMPARE(sample.value(u"labels"_s).toObject(), expected);
    QCOMPARE(sample.value(u"value"_s).toDouble(), 7.0);

    for (const QByteArray &twice : {QByteArray("l3"), QByteArray("l70"), QByteArray("l1023")}) {
        const QByteArray text = "up 1\n" + line + twice + "=\"again\"} 7\n";
        const Result<QJsonObject> duplicate = parsePrometheusText(text);
        QVERIFY(!duplicate);
        QCOMPARE(duplicate.error().message,
                 u"line 2: label '%1' given twice"_s.arg(QString::fromLatin1(twice)));
    }

    const Result<QJsonObject> over = parsePrometheusText(QByteArray(line + "one_more=\"x\"} 7\n"));
    QVERIFY(!over);
    QCOMPARE(over.error().message,
             u"line 1: more than %1 labels in a sample; such samples are not parsed"_s.arg(
                 PrometheusMaxLabels));
}

// PrometheusMaxSamples samples parse (interleaved series: order kept); one more is refused, naming
// its line. Checks the result; speed is a bench's.
void TestPrometheusText::sampleLimit()
{
    QByteArray text = "# TYPE a gauge\n";
    for (qsizetype i = 0; i < PrometheusMaxSamples; ++i) {
        text += (i % 2 ? "b " : "a ") + QByteArray::number(i) + '\n';
    }
    const Result<QJsonObject> json = parsePrometheusText(text);
    QVERIFY2(json, json ? "" : qPrintable(json.error().message));
    QCOMPARE(json->size(), 3);
    const QJsonArray b = json->value(u"b"_s).toArray();
    QCOMPARE(b.size(), PrometheusMaxSamples / 2);
    QCOMPARE(b.last()[u"value"_s].toInteger(), PrometheusMaxSamples - 1);
    QCOMPARE(json->value(u"a"_s)[1][u"value"_s].toInteger(), 2);

    const Result<QJsonObject> over = parsePrometheusText(QByteArray(text + "# a comment\nc 1\n"));
    QVERIFY(!over);
    QCOMPARE(over.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(over.error().message,
             u"line %1: more than %2 samples; larger expositions are not parsed"_s
                 .arg(PrometheusMaxSamples + 3)
                 .arg(PrometheusMaxSamples));
}

QTEST_GUILESS_MAIN(TestPrometheusText)
#include "tst_prometheustext.moc"
