// The condition language of schedule alerts (core/rules/condition.h): parse errors with positions,
// precedence, short-circuit, missing paths, failed fetches, strings, number-like strings.
#include <QtTest>

#include <QJsonDocument>
#include <QJsonObject>
#include <QtConcurrentRun>

#include "core/rules/condition.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

const char *const BodyJson =
    "{"
    "    \"mem\": {\"usedPercent\": 93.5, \"used\": \"15G\", \"free\": \"80%\", \"name\": \"ram\"},"
    "    \"cpu\": [10, 95.5, \"7%\"],"
    "    \"labels\": {\"k8s.io/name\": \"web\", \"tier\": \"db\"},"
    "    \"version\": \"1.2.3\","
    "    \"healthy\": true,"
    "    \"sick\": false,"
    "    \"nothing\": null,"
    "    \"outcome\": \"body's own\","
    "    \"latency\": \"250ms\","
    "    \"disk\": {\"total\": 1024, \"parts\": [1, 2]},"
    "    \"text\": \"abc\""
    "}";

QJsonValue body()
{
    return QJsonDocument::fromJson(BodyJson).object();
}

} // namespace

class TestCondition : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void evaluate_data();
    void evaluate();
    void failedFetch_data();
    void failedFetch();
    void unknown_data();
    void unknown();
    void errors_data();
    void errors();
    void valueText();
    void limits();
    void copiesShareAndAreThreadSafe();
};

void TestCondition::evaluate_data()
{
    QTest::addColumn<QString>("expr");
    QTest::addColumn<bool>("passed");

    // Numbers and operators.
    QTest::newRow("lt false") << u"mem.usedPercent < 90"_s << false;
    QTest::newRow("lt true") << u"mem.usedPercent < 95"_s << true;
    QTest::newRow("le equal") << u"mem.usedPercent <= 93.5"_s << true;
    QTest::newRow("gt") << u"mem.usedPercent > 93"_s << true;
    QTest::newRow("ge equal") << u"mem.usedPercent >= 93.5"_s << true;
    QTest::newRow("eq number") << u"disk.total == 1024"_s << true;
    QTest::newRow("ne number") << u"disk.total != 1024"_s << false;
    QTest::newRow("number on the left") << u"90 > mem.usedPercent"_s << false;
    QTest::newRow("negative literal") << u"cpu[0] > -5"_s << true;
    QTest::newRow("exponent literal") << u"disk.total == 1.024e3"_s << true;
    QTest::newRow("no spaces") << u"cpu[1]>95&&cpu[0]<11"_s << true;
    QTest::newRow("array index") << u"cpu[1] > 95"_s << true;
    QTest::newRow("index past end is missing") << u"cpu[9] < 1000"_s << false;
    // Number-like strings in the answer and units on literals.
    QTest::newRow("size string vs size literal") << u"mem.used == 15G"_s << true;
    QTest::newRow("size string in bytes") << u"mem.used > 16000000000"_s << true;
    QTest::newRow("percent string") << u"mem.free < 90"_s << true;
    QTest::newRow("percent literal") << u"mem.free == 80%"_s << true;
    QTest::newRow("percent in array") << u"cpu[2] < 10"_s << true;
    QTest::newRow("duration string in ms") << u"latency == 250"_s << true;
    QTest::newRow("duration literal") << u"latency < 1s"_s << true;
    QTest::newRow("binary size literal") << u"disk.total == 1KiB"_s << true;
    QTest::newRow("non-number string vs number") << u"text < 5"_s << false;
    QTest::newRow("non-number string ne number") << u"text != 5"_s << true;
    // Strings.
    QTest::newRow("string eq") << u"mem.name == \"ram\""_s << true;
    QTest::newRow("string ne") << u"mem.name != \"ram\""_s << false;
    QTest::newRow("version string eq") << u"version == \"1.2.3\""_s << true;
    QTest::newRow("string order") << u"version < \"1.3\""_s << true;
    QTest::newRow("string escape") << u"text != \"a\\\"bc\""_s << true;
    QTest::newRow("quoted key") << u"labels[\"k8s.io/name\"] == \"web\""_s << true;
    QTest::newRow("body key named outcome") << u"[\"outcome\"] == \"body's own\""_s << true;
    QTest::newRow("key after dot") << u"labels.tier == \"db\""_s << true;
    QTest::newRow("number-like string vs string literal") << u"mem.free == \"80%\""_s << true;
    // Booleans and null.
    QTest::newRow("bare true path") << u"healthy"_s << true;
    QTest::newRow("bare false path") << u"sick"_s << false;
    QTest::newRow("bare missing path") << u"nope"_s << false;
    QTest::newRow("bare non-bool path") << u"disk.total"_s << false;
    QTest::newRow("not bare") << u"!sick"_s << true;
    QTest::newRow("bool eq") << u"healthy == true"_s << true;
    QTest::newRow("bool ne") << u"sick != false"_s << false;
    QTest::newRow("bool order is false") << u"healthy > false"_s << false;
    QTest::newRow("null eq") << u"nothing == null"_s << true;
    QTest::newRow("null ne") << u"nothing != null"_s << false;
    QTest::newRow("literal true") << u"true"_s << true;
    QTest::newRow("literal false") << u"false"_s << false;
    QTest::newRow("mixed types unequal") << u"healthy == 1"_s << false;
    QTest::newRow("mixed types ne") << u"healthy != \"true\""_s << true;
    QTest::newRow("object ne number") << u"disk != 3"_s << true;
    // Missing paths: every comparison is false.
    QTest::newRow("missing lt") << u"mem.nope < 90"_s << false;
    QTest::newRow("missing ne") << u"mem.nope != 90"_s << false;
    QTest::newRow("missing eq null") << u"mem.nope == null"_s << false;
    QTest::newRow("missing through a scalar") << u"version.major == 1"_s << false;
    QTest::newRow("allowed missing") << u"!exists(mem.nope) || mem.nope < 90"_s << true;
    QTest::newRow("allowed present")
        << u"!exists(mem.usedPercent) || mem.usedPercent < 90"_s << false;
    QTest::newRow("exists present") << u"exists(mem.usedPercent)"_s << true;
    QTest::newRow("exists null") << u"exists(nothing)"_s << true;
    QTest::newRow("exists missing") << u"exists(mem.nope)"_s << false;
    QTest::newRow("not missing comparison") << u"!(mem.nope < 90)"_s << false; // unknown
    // Precedence: ! > comparison grouping > && > ||.
    QTest::newRow("and before or") << u"true || false && false"_s << true;
    QTest::newRow("and before or 2") << u"false && false || true"_s << true;
    QTest::newRow("parens") << u"(true || false) && false"_s << false;
    QTest::newRow("not binds the comparison") << u"!mem.usedPercent < 90"_s << true;
    QTest::newRow("not not") << u"!!healthy"_s << true;
    QTest::newRow("not before and") << u"!sick && healthy"_s << true;
    QTest::newRow("not of group") << u"!(healthy && sick)"_s << true;
    QTest::newRow("nested parens") << u"((((healthy))))"_s << true;
    QTest::newRow("left assoc or") << u"false || false || true"_s << true;
    QTest::newRow("left assoc and") << u"true && true && false"_s << false;
    // Short-circuit (the unevaluated side would give the other answer).
    QTest::newRow("or short-circuits") << u"healthy || mem.nope < 1"_s << true;
    QTest::newRow("and short-circuits") << u"sick && mem.usedPercent > 1"_s << false;
    // Fetch facts.
    QTest::newRow("outcome ok") << u"outcome == \"ok\""_s << true;
    QTest::newRow("outcome ne") << u"outcome != \"timeout\""_s << true;
    QTest::newRow("latency") << u"latencyMs < 100"_s << true;
    QTest::newRow("latency with unit") << u"latencyMs < 1s"_s << true;
    QTest::newRow("latency high") << u"latencyMs > 12"_s << false;
    QTest::newRow("whitespace everywhere") << u"  \t mem.usedPercent\n<\n95  "_s << true;
}

void TestCondition::evaluate()
{
    QFETCH(QString, expr);
    QFETCH(bool, passed);
    const Result<Condition> c = Condition::parse(expr);
    QVERIFY2(c, qPrintable(c ? QString() : c.error().message));
    QCOMPARE(c->evaluate(body(), OutcomeKind::Ok, 12).passed, passed);
}

void TestCondition::failedFetch_data()
{
    QTest::addColumn<QString>("expr");
    QTest::addColumn<bool>("passed");
    QTest::addColumn<QString>("value");

    QTest::newRow("body comparison fails")
        << u"mem.usedPercent < 100"_s << false << u"fetch failed: timeout"_s;
    QTest::newRow("allowance fails too")
        << u"!exists(mem.x) || mem.x < 1"_s << false << u"fetch failed: timeout"_s;
    QTest::newRow("negated body fails")
        << u"!(mem.usedPercent > 100)"_s << false << u"fetch failed: timeout"_s;
    QTest::newRow("body in an or with outcome fails")
        << u"outcome != \"ok\" || mem.x < 1"_s << false << u"fetch failed: timeout"_s;
    QTest::newRow("outcome only is evaluated")
        << u"outcome == \"ok\""_s << false << u"outcome=timeout"_s;
    QTest::newRow("outcome only may pass")
        << u"outcome != \"refused\""_s << true << u"outcome=timeout"_s;
    QTest::newRow("latency only") << u"latencyMs < 5000"_s << true << u"latencyMs=3000"_s;
}

void TestCondition::failedFetch()
{
    QFETCH(QString, expr);
    QFETCH(bool, passed);
    QFETCH(QString, value);
    const Result<Condition> c = Condition::parse(expr);
    QVERIFY2(c, qPrintable(c ? QString() : c.error().message));
    // A failed node's stored body may still hold something (an error page's JSON): not read.
    const Condition::Verdict v = c->evaluate(body(), OutcomeKind::Timeout, 3000);
    QCOMPARE(v.passed, passed);
    QCOMPARE(v.value, value);
    QCOMPARE(c->readsBody(), value.startsWith(u"fetch failed"_s));
}

void TestCondition::unknown_data()
{
    QTest::addColumn<QString>("expr");
    QTest::addColumn<int>("outcome");     // OutcomeKind
    QTest::addColumn<QString>("verdict"); // passed, failed, unknown

    const int ok = int(OutcomeKind::Ok), timeout = int(OutcomeKind::Timeout);
    QTest::newRow("failed node, body read") << u"disk.used < 90"_s << timeout << u"unknown"_s;
    QTest::newRow("failed node, exists") << u"exists(disk.used)"_s << timeout << u"unknown"_s;
    QTest::newRow("failed node, allowance")
        << u"!exists(mem.x) || mem.x < 1"_s << timeout << u"unknown"_s;
    QTest::newRow("failed node, outcome only") << u"outcome == \"ok\""_s << timeout << u"failed"_s;
    QTest::newRow("failed node, latency only") << u"latencyMs < 5000"_s << timeout << u"passed"_s;
    QTest::newRow("missing path") << u"mem.nope < 90"_s << ok << u"unknown"_s;
    QTest::newRow("missing, negated") << u"!(mem.nope < 90)"_s << ok << u"unknown"_s;
    QTest::newRow("missing bare path") << u"nope"_s << ok << u"unknown"_s;
    QTest::newRow("missing and false") << u"mem.nope < 90 && sick"_s << ok << u"failed"_s;
    QTest::newRow("missing or true") << u"mem.nope < 90 || healthy"_s << ok << u"passed"_s;
    QTest::newRow("missing and true") << u"mem.nope < 90 && healthy"_s << ok << u"unknown"_s;
    QTest::newRow("exists decides: allowed")
        << u"!exists(mem.nope) || mem.nope < 90"_s << ok << u"passed"_s;
    QTest::newRow("exists decides: required")
        << u"exists(mem.nope) && mem.nope < 90"_s << ok << u"failed"_s;
    QTest::newRow("exists missing") << u"exists(mem.nope)"_s << ok << u"failed"_s;
    QTest::newRow("present fails") << u"mem.usedPercent < 90"_s << ok << u"failed"_s;
    QTest::newRow("present passes") << u"mem.usedPercent < 95"_s << ok << u"passed"_s;
    QTest::newRow("null is a value") << u"nothing == null"_s << ok << u"passed"_s;
}

void TestCondition::unknown()
{
    QFETCH(QString, expr);
    QFETCH(int, outcome);
    QFETCH(QString, verdict);
    const Result<Condition> c = Condition::parse(expr);
    QVERIFY2(c, qPrintable(c ? QString() : c.error().message));
    const Condition::Verdict v = c->evaluate(body(), OutcomeKind(outcome), 3000);
    QCOMPARE(v.unknown ? u"unknown"_s : v.passed ? u"passed"_s : u"failed"_s, verdict);
    QVERIFY(!(v.unknown && v.passed));
}

void TestCondition::errors_data()
{
    QTest::addColumn<QString>("expr");
    QTest::addColumn<QString>("message"); // starts with

    QTest::newRow("empty") << u""_s << u"position 1: empty condition"_s;
    QTest::newRow("blank") << u"   "_s << u"position 4: empty condition"_s;
    QTest::newRow("single =") << u"a = 1"_s << u"position 3: '=' must be '=='"_s;
    QTest::newRow("single &") << u"a & b"_s << u"position 3: '&' must be '&&'"_s;
    QTest::newRow("single |") << u"a | b"_s << u"position 3: '|' must be '||'"_s;
    QTest::newRow("unexpected char") << u"a < 1 # x"_s << u"position 7: unexpected '#'"_s;
    QTest::newRow("missing rhs") << u"a <"_s << u"position 4: expected a path or a value"_s;
    QTest::newRow("missing operand") << u"a < 1 &&"_s << u"position 9: expected a path"_s;
    QTest::newRow("dangling or") << u"|| a"_s << u"position 1: expected a path"_s;
    QTest::newRow("unclosed paren") << u"(a < 1"_s << u"position 7: expected ')'"_s;
    QTest::newRow("extra paren") << u"a < 1)"_s << u"position 6: expected '&&', '||' or the end"_s;
    QTest::newRow("two operands") << u"a b"_s << u"position 3: expected '&&', '||' or the end"_s;
    QTest::newRow("chained comparison")
        << u"1 < a < 3"_s << u"position 7: comparisons do not chain"_s;
    QTest::newRow("bare number") << u"5"_s << u"position 2: expected a comparison after '5'"_s;
    QTest::newRow("bare string") << u"\"x\" && a"_s << u"position 5: expected a comparison"_s;
    QTest::newRow("bare outcome") << u"outcome"_s << u"position 8: expected a comparison"_s;
    QTest::newRow("unterminated string") << u"a == \"abc"_s << u"position 6: unterminated string"_s;
    QTest::newRow("unterminated bracket") << u"a[0 < 1"_s << u"position 2: unterminated '['"_s;
    QTest::newRow("bad index") << u"a[x] < 1"_s << u"position 1: bad JSON path"_s;
    QTest::newRow("unknown unit") << u"a < 5xyz"_s << u"position 6: unknown unit 'xyz'"_s;
    QTest::newRow("unknown outcome")
        << u"outcome == \"timout\""_s << u"position 12: unknown outcome \"timout\""_s;
    QTest::newRow("unknown outcome left")
        << u"\"okay\" != outcome"_s << u"position 1: unknown outcome \"okay\""_s;
    QTest::newRow("exists without paren") << u"exists a"_s << u"position 8: expected '('"_s;
    QTest::newRow("exists of a number") << u"exists(5)"_s << u"position 8: exists() takes a path"_s;
    QTest::newRow("exists unclosed") << u"exists(a"_s << u"position 9: expected ')'"_s;
    QTest::newRow("not alone") << u"!"_s << u"position 2: expected a path"_s;
    QTest::newRow("trailing dot") << u"a. < 1"_s << u"position 2: unexpected '.'"_s;
    QTest::newRow("compare without left") << u"< 1"_s << u"position 1: expected a path"_s;
}

void TestCondition::errors()
{
    QFETCH(QString, expr);
    QFETCH(QString, message);
    const Result<Condition> c = Condition::parse(expr);
    QVERIFY(!c);
    QCOMPARE(c.error().code, ErrorCode::InvalidArgument);
    QVERIFY2(c.error().message.startsWith(message), qPrintable(c.error().message));
}

void TestCondition::valueText()
{
    const Result<Condition> c =
        Condition::parse(u"mem.usedPercent < 90 && mem.nope < 1 || mem.usedPercent < 0 || "
                         "latencyMs > 1 || outcome != \"ok\""_s);
    QVERIFY(c);
    const Condition::Verdict v = c->evaluate(body(), OutcomeKind::Ok, 12);
    QVERIFY(v.passed);
    QCOMPARE(v.value, u"mem.usedPercent=93.5, mem.nope=missing, latencyMs=12, outcome=ok"_s);
    QCOMPARE(c->text().left(15), u"mem.usedPercent"_s);
}

void TestCondition::limits()
{
    const QString deep = QString(200, u'(') + u"true"_s + QString(200, u')');
    const Result<Condition> tooDeep = Condition::parse(deep);
    QVERIFY(!tooDeep);
    QVERIFY2(tooDeep.error().message.contains(u"nested deeper"_s),
             qPrintable(tooDeep.error().message));
    const Result<Condition> nots = Condition::parse(QString(QString(200, u'!') + u"true"_s));
    QVERIFY(!nots);
    const Result<Condition> fine =
        Condition::parse(QString(QString(50, u'(') + u"true"_s + QString(50, u')')));
    QVERIFY(fine);
    QString longOr = u"a < 1"_s;
    while (longOr.size() < Condition::MaxLength - 20) {
        longOr += u" || a < 1"_s; // long but flat: fine
    }
    QVERIFY(Condition::parse(longOr));
    QVERIFY(!Condition::parse(QString(Condition::MaxLength + 1, u' ')));
}

void TestCondition::copiesShareAndAreThreadSafe()
{
    const Result<Condition> c = Condition::parse(u"mem.usedPercent > 90"_s);
    QVERIFY(c);
    const Condition copy = *c;
    const QJsonValue b = body();
    QList<QFuture<bool>> futures;
    for (int i = 0; i < 8; ++i) {
        futures.append(QtConcurrent::run([copy, b] {
            bool all = true;
            for (int k = 0; k < 2000; ++k) {
                all = all && copy.evaluate(b, OutcomeKind::Ok, k).passed;
            }
            return all;
        }));
    }
    for (QFuture<bool> &f : futures) {
        QVERIFY(f.result());
    }
}

QTEST_GUILESS_MAIN(TestCondition)
#include "tst_condition.moc"
