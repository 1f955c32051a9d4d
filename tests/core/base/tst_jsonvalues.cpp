// JSON paths, loose numbers ("80%", "1234M", "12ms") and summaries used by "compare".
#include <QtTest>

#include <QJsonDocument>
#include <QJsonObject>

#include "core/base/jsonvalues.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

class TestJsonValues : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void number_data();
    void number();
    void path_data();
    void path();
    void badPath_data();
    void badPath();
    void builders();
    void jsonNumberTypes();
    void summary();
    void typesAndText();
};

void TestJsonValues::number_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<double>("value");

    QTest::newRow("integer") << u"42"_s << true << 42.0;
    QTest::newRow("negative decimal") << u"-1.5"_s << true << -1.5;
    QTest::newRow("leading dot") << u".5"_s << true << 0.5;
    QTest::newRow("exponent") << u"1e3"_s << true << 1000.0;
    QTest::newRow("spaces trimmed") << u"  7 "_s << true << 7.0;
    QTest::newRow("thousands groups") << u"1,234,567"_s << true << 1234567.0;
    QTest::newRow("percent") << u"80%"_s << true << 80.0;
    QTest::newRow("percent with space") << u"80 %"_s << true << 80.0;
    QTest::newRow("M is MiB (top)") << u"1234M"_s << true << 1234.0 * 1024 * 1024;
    QTest::newRow("G decimal") << u"1.5G"_s << true << 1.5 * 1024 * 1024 * 1024;
    QTest::newRow("GiB") << u"2GiB"_s << true << 2.0 * 1024 * 1024 * 1024;
    QTest::newRow("Gi (free -h)") << u"2Gi"_s << true << 2.0 * 1024 * 1024 * 1024;
    QTest::newRow("kB") << u"512kB"_s << true << 512.0 * 1024;
    QTest::newRow("K") << u"4K"_s << true << 4096.0;
    QTest::newRow("lower-case g") << u"3g"_s << true << 3.0 * 1024 * 1024 * 1024;
    QTest::newRow("MB") << u"10 MB"_s << true << 10.0 * 1024 * 1024;
    QTest::newRow("mb lower") << u"10mb"_s << true << 10.0 * 1024 * 1024;
    QTest::newRow("bytes") << u"100B"_s << true << 100.0;
    QTest::newRow("T") << u"1T"_s << true << 1024.0 * 1024 * 1024 * 1024;
    QTest::newRow("ms") << u"12ms"_s << true << 12.0;
    QTest::newRow("s -> ms") << u"1.5s"_s << true << 1500.0;
    QTest::newRow("us -> ms") << u"250us"_s << true << 0.25;
    QTest::newRow("ns -> ms") << u"1000000ns"_s << true << 1.0;
    QTest::newRow("min -> ms") << u"2min"_s << true << 120000.0;
    QTest::newRow("h -> ms") << u"1h"_s << true << 3600000.0;
    QTest::newRow("d -> ms") << u"1d"_s << true << 86400000.0;
    QTest::newRow("unknown unit keeps number") << u"45°C"_s << true << 45.0;
    QTest::newRow("rate unit") << u"12 req/s"_s << true << 12.0;
    QTest::newRow("empty") << QString() << false << 0.0;
    QTest::newRow("word") << u"abc"_s << false << 0.0;
    QTest::newRow("two dots") << u"1.2.3"_s << false << 0.0;
    QTest::newRow("decimal comma rejected") << u"1,5"_s << false << 0.0;
    QTest::newRow("sign only") << u"-"_s << false << 0.0;
    QTest::newRow("unit only") << u"%"_s << false << 0.0;
    QTest::newRow("two words") << u"12 ms ago"_s << false << 0.0;
}

void TestJsonValues::number()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(double, value);
    const std::optional<double> parsed = parseLooseNumber(text);
    QCOMPARE(parsed.has_value(), valid);
    if (valid) {
        QVERIFY2(qFuzzyCompare(*parsed, value),
                 qPrintable(u"%1 != %2"_s.arg(*parsed, 0, 'g', 17).arg(value, 0, 'g', 17)));
    }
}

void TestJsonValues::path_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected"); // jsonValueText of the value, "<undefined>" if absent

    QTest::newRow("root") << QString()
                          << u"{\"a\":{\"b\":[1,{\"c\":\"x\"}]},\"k.v\":5,\"n\":null}"_s;
    QTest::newRow("key") << u"n"_s << u"null"_s;
    QTest::newRow("nested key") << u"a.b"_s << u"[1,{\"c\":\"x\"}]"_s;
    QTest::newRow("index") << u"a.b[0]"_s << u"1"_s;
    QTest::newRow("index then key") << u"a.b[1].c"_s << u"x"_s;
    QTest::newRow("quoted key with dot") << u"[\"k.v\"]"_s << u"5"_s;
    QTest::newRow("missing key") << u"a.zz"_s << u"<undefined>"_s;
    QTest::newRow("index out of range") << u"a.b[9]"_s << u"<undefined>"_s;
    QTest::newRow("index on object") << u"a[0]"_s << u"<undefined>"_s;
    QTest::newRow("key on scalar") << u"n.x"_s << u"<undefined>"_s;
}

void TestJsonValues::path()
{
    QFETCH(QString, path);
    QFETCH(QString, expected);
    const QJsonObject doc =
        QJsonDocument::fromJson(R"({"a":{"b":[1,{"c":"x"}]},"k.v":5,"n":null})").object();
    const Result<JsonPath> parsed = parseJsonPath(path);
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message));
    const QJsonValue value = jsonValueAt(doc, *parsed);
    QCOMPARE(value.isUndefined() ? u"<undefined>"_s : jsonValueText(value), expected);
    QCOMPARE(jsonPathToString(*parsed), path); // canonical forms round-trip
}

void TestJsonValues::badPath_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("leading dot") << u".a"_s;
    QTest::newRow("double dot") << u"a..b"_s;
    QTest::newRow("trailing dot") << u"a."_s;
    QTest::newRow("unclosed index") << u"a[1"_s;
    QTest::newRow("non-numeric index") << u"a[x]"_s;
    QTest::newRow("unterminated quote") << u"a[\"x]"_s;
    QTest::newRow("key right after index") << u"a[0]b"_s;
}

void TestJsonValues::badPath()
{
    QFETCH(QString, path);
    const Result<JsonPath> parsed = parseJsonPath(path);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().code, ErrorCode::InvalidArgument);
    QVERIFY(parsed.error().message.contains(path));
}

void TestJsonValues::builders()
{
    QCOMPARE(jsonPathAppendKey(QString(), u"mem"_s), u"mem"_s);
    QCOMPARE(jsonPathAppendKey(u"mem"_s, u"used"_s), u"mem.used"_s);
    QCOMPARE(jsonPathAppendIndex(u"cpu"_s, 3), u"cpu[3]"_s);
    QCOMPARE(jsonPathAppendKey(u"labels"_s, u"a \"b\".c"_s), uR"(labels["a \"b\".c"])"_s);
    const Result<JsonPath> back = parseJsonPath(uR"(labels["a \"b\".c"])"_s);
    QVERIFY(back);
    QCOMPARE(back->size(), 2);
    QCOMPARE(back->at(1).key, u"a \"b\".c"_s);
    QCOMPARE(jsonPathAppendKey(QString(), u"1st"_s), uR"(["1st"])"_s);
}

void TestJsonValues::jsonNumberTypes()
{
    QCOMPARE(jsonNumber(QJsonValue(2.5)), std::optional<double>(2.5));
    QCOMPARE(jsonNumber(QJsonValue(u"80%"_s)), std::optional<double>(80.0));
    QVERIFY(!jsonNumber(QJsonValue(true)));
    QVERIFY(!jsonNumber(QJsonValue()));
    QVERIFY(!jsonNumber(QJsonValue(QJsonValue::Undefined)));
    QVERIFY(!jsonNumber(QJsonObject{}));
}

void TestJsonValues::summary()
{
    QVERIFY(!summarize({}));
    const auto odd = summarize({5, 1, 3});
    QVERIFY(odd);
    QCOMPARE(odd->count, 3);
    QCOMPARE(odd->min, 1.0);
    QCOMPARE(odd->median, 3.0);
    QCOMPARE(odd->max, 5.0);
    QCOMPARE(odd->mean, 3.0);
    const auto even = summarize({4, 1, 3, 2});
    QCOMPARE(even->median, 2.5);
}

void TestJsonValues::typesAndText()
{
    QCOMPARE(jsonTypeName(QJsonValue(1)), u"number"_s);
    QCOMPARE(jsonTypeName(QJsonValue(u"x"_s)), u"string"_s);
    QCOMPARE(jsonTypeName(QJsonValue(QJsonValue::Undefined)), u"undefined"_s);
    QCOMPARE(jsonValueText(QJsonValue(3.0)), u"3"_s);
    QCOMPARE(jsonValueText(QJsonValue(0.25)), u"0.25"_s);
    QCOMPARE(jsonValueText(QJsonValue(false)), u"false"_s);
}

QTEST_GUILESS_MAIN(TestJsonValues)
#include "tst_jsonvalues.moc"
