#include <QTest>

#include "core/inventory/nodefile.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

// Node files (core/inventory/nodefile.h): plain lines, Prometheus file_sd JSON and YAML.
class TestNodeFile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void errors_data();
    void errors();
};

using LabelList = QList<Labels>;
using Format = NodeFile::Format;

void TestNodeFile::parse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("nodes");
    QTest::addColumn<LabelList>("labels");
    QTest::addColumn<Format>("format");
    const Labels fra{{u"dc"_s, u"fra1"_s}, {u"role"_s, u"node"_s}};
    const Labels ams{{u"dc"_s, u"ams1"_s}};
    QTest::newRow("plain") << QByteArray("# fleet\nnode1:9100\n\n[::1]:9100 # v6\nh[1-2]\n")
                           << u"nodes.txt"_s
                           << QStringList{u"node1:9100"_s, u"[::1]:9100"_s, u"h[1-2]"_s}
                           << LabelList{} << Format::Plain;
    QTest::newRow("plain starting with an ipv6 literal")
        << QByteArray("[fe80::1]:9100\n") << u"-"_s << QStringList{u"[fe80::1]:9100"_s}
        << LabelList{} << Format::Plain;
    QTest::newRow("file_sd json") << QByteArray(
        R"([{"targets": ["a:9100", "b:9100"], "labels": {"dc": "fra1", "role": "node"}},
                          {"targets": ["c[1-2]:9100"], "labels": {"dc": "ams1"}},
                          {"targets": ["d:9100"]}])")
                                  << u"sd.json"_s
                                  << QStringList{u"a:9100"_s, u"b:9100"_s, u"c[1-2]:9100"_s,
                                                 u"d:9100"_s}
                                  << LabelList{fra, fra, ams, Labels{}} << Format::FileSdJson;
    QTest::newRow("file_sd json, compact")
        << QByteArray(R"([{"targets":["a"]}])") << u"-"_s << QStringList{u"a"_s}
        << LabelList{Labels{}} << Format::FileSdJson;
    QTest::newRow("empty json") << QByteArray("[]") << u"x"_s << QStringList{} << LabelList{}
                                << Format::FileSdJson;
    QTest::newRow("file_sd yaml") << QByteArray("# from consul\n"
                                                "- targets: ['a:9100', b:9100]\n"
                                                "  labels:\n"
                                                "    dc: fra1\n"
                                                "    role: node\n"
                                                "- targets:\n"
                                                "    - c[1-2]:9100\n"
                                                "  labels: {dc: ams1}\n")
                                  << u"sd.yaml"_s
                                  << QStringList{u"a:9100"_s, u"b:9100"_s, u"c[1-2]:9100"_s}
                                  << LabelList{fra, fra, ams} << Format::FileSdYaml;
    QTest::newRow("yaml by name, numbers as text")
        << QByteArray("-\n  targets: [a]\n  labels: {rack: 12}\n") << u"sd.yml"_s
        << QStringList{u"a"_s} << LabelList{Labels{{u"rack"_s, u"12"_s}}} << Format::FileSdYaml;
    // Service discovery's meta labels are dropped, as Prometheus drops them after relabelling.
    QTest::newRow("json __meta labels dropped")
        << QByteArray(R"([{"targets": ["a"], "labels": {"__meta_dc": "x", "__address__": "a",)"
                      R"( "dc": "fra1"}}])")
        << u"f.json"_s << QStringList{u"a"_s} << LabelList{Labels{{u"dc"_s, u"fra1"_s}}}
        << Format::FileSdJson;
    QTest::newRow("yaml __meta labels dropped")
        << QByteArray("- targets: [a]\n  labels: {__meta_x: y, dc: ams1}\n") << u"f.yml"_s
        << QStringList{u"a"_s} << LabelList{Labels{{u"dc"_s, u"ams1"_s}}} << Format::FileSdYaml;
}

void TestNodeFile::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, name);
    QFETCH(QStringList, nodes);
    QFETCH(LabelList, labels);
    QFETCH(Format, format);
    const Result<NodeFile> file = parseNodeFile(text, name);
    QVERIFY2(file, file ? "" : qPrintable(file.error().message));
    QCOMPARE(file->nodes, nodes);
    QCOMPARE(file->labels, labels);
    QCOMPARE(file->format, format);
}

void TestNodeFile::errors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("json syntax") << QByteArray(R"([{"targets": ["a"])")
                                 << u"not valid file_sd JSON"_s;
    QTest::newRow("json object") << QByteArray(R"([{"labels": {}}])") << u"group 0: 'targets'"_s;
    QTest::newRow("json target not a string")
        << QByteArray(R"([{"targets": [1]}])") << u"'targets' must be an array of strings"_s;
    QTest::newRow("json bad label name")
        << QByteArray(R"([{"targets": ["a"]}, {"targets": ["b"], "labels": {"1x": "1"}}])")
        << u"group 1: 'labels' must map valid names"_s;
    QTest::newRow("json label not a string")
        << QByteArray(R"([{"targets": ["a"], "labels": {"dc": 1}}])")
        << u"group 0: 'labels' must map valid names"_s;
    QTest::newRow("yaml syntax") << QByteArray("- targets: [a\n") << u"not valid file_sd YAML"_s;
    QTest::newRow("yaml no targets")
        << QByteArray("- labels: {dc: x}\n") << u"group 0: 'targets'"_s;
    QTest::newRow("yaml bad label") << QByteArray("- targets: [a]\n  labels: {my-dc: x}\n")
                                    << u"group 0 (line 1): 'labels' must map valid names"_s;
    QTest::newRow("yaml nested label") << QByteArray("- targets: [a]\n  labels: {dc: [x]}\n")
                                       << u"group 0 (line 2): 'labels' must map valid names"_s;
    // yaml-cpp's own messages may quote the text ("unknown escape character: x"): the line only.
    QTest::newRow("yaml syntax, line only")
        << QByteArray("- targets: [a]\n- targets: [\"s3cret\\q\"]\n")
        << u"line 2: not valid file_sd YAML"_s;
    // Issue #22: a binary file given by mistake is refused by position, never echoed.
    QTest::newRow("NUL byte") << QByteArray("10.0.0.1:9100\ns3cret\0\x01\x02", 23)
                              << u"not a text file (NUL byte at byte 20)"_s;
    QTest::newRow("NUL in json") << QByteArray("[{\"targets\": [\"s3cret\0\"]}]", 25)
                                 << u"not a text file"_s;
}

void TestNodeFile::errors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    const Result<NodeFile> file = parseNodeFile(text, u"f.sd"_s);
    QVERIFY(!file);
    QCOMPARE(file.error().code, ErrorCode::InvalidArgument);
    QVERIFY2(file.error().message.contains(message), qPrintable(file.error().message));
    QVERIFY(file.error().message.startsWith(u"f.sd: "_s));
    // Never the text (issue #21): none of the rows' names, values or targets comes back.
    for (const QString &quoted : {u"s3cret"_s, u"my-dc"_s, u"1x"_s, u"[x]"_s}) {
        QVERIFY2(!file.error().message.contains(quoted), qPrintable(file.error().message));
    }
}

QTEST_GUILESS_MAIN(TestNodeFile)
#include "tst_nodefile.moc"
