// Projection: choosing fields of outcomes and streaming them as NDJSON, a JSON array or CSV;
// the outcome filter parser.
#include <QtTest>

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/fleet/projection.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

Outcome okOutcome(const QString &node, const QJsonObject &body)
{
    Outcome o;
    o.node = node;
    o.url = u"http://"_s + node + u"/metric"_s;
    o.outcome = OutcomeKind::Ok;
    o.httpStatus = 200;
    o.attempts = 1;
    o.latencyMs = 12;
    o.bytes = 321;
    o.fetchedAt = QDateTime(QDate(2024, 5, 1), QTime(12, 0, 0, 250), Qt::UTC);
    o.body = body;
    return o;
}

QList<Outcome> sample()
{
    QList<Outcome> out;
    out.append(okOutcome(u"10.0.0.1:9100"_s,
                         QJsonObject{
                             {u"text"_s, u"plain"_s},
                             {u"num"_s, 1.5},
                             {u"mem"_s, QJsonObject{{u"used"_s, u"15.9G"_s}}},
                             {u"obj"_s, QJsonObject{{u"a"_s, QJsonArray{1, u"x,y"_s}}}},
                             {u"node"_s, u"self-reported"_s},
                         }));
    out.append(
        okOutcome(u"10.0.0.2:9100"_s, QJsonObject{
                                          {u"text"_s, u"comma, \"quoted\", and\nnewline\r\nCRLF"_s},
                                          {u"num"_s, -3},
                                          {u"mem"_s, QJsonObject{{u"used"_s, 2048}}},
                                          {u"obj"_s, true},
                                      }));
    out.append(okOutcome(u"node-ü-日本"_s, QJsonObject{
                                               {u"text"_s, u"Grüße 🚀 ,"_s},
                                               {u"num"_s, QJsonValue::Null},
                                               {u"mem"_s, QJsonObject{{u"used"_s, u"80%"_s}}},
                                           }));
    Outcome failed = Outcome::unanswered(u"10.0.0.9:9100"_s, u"http://10.0.0.9:9100/metric"_s,
                                         OutcomeKind::Timeout, u"timed out, after 5 s"_s, 3);
    failed.fetchedAt = QDateTime(QDate(2024, 5, 1), QTime(12, 0, 1), Qt::UTC);
    out.append(failed);
    return out;
}

// RFC 4180 reader: records end with CRLF; quoted fields may hold anything, "" is a quote.
QList<QStringList> readCsv(const QString &text, bool *crlfOnly)
{
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    bool fieldStarted = false;
    *crlfOnly = true;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == u'"') {
                if (i + 1 < text.size() && text[i + 1] == u'"') {
                    field.append(u'"');
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field.append(c);
            }
            continue;
        }
        if (c == u'"' && !fieldStarted) {
            quoted = true;
            fieldStarted = true;
        } else if (c == u',') {
            row.append(field);
            field.clear();
            fieldStarted = false;
        } else if (c == u'\r' && i + 1 < text.size() && text[i + 1] == u'\n') {
            row.append(field);
            rows.append(row);
            row.clear();
            field.clear();
            fieldStarted = false;
            ++i;
        } else {
            if (c == u'\n' || c == u'\r') {
                *crlfOnly = false;
            }
            field.append(c);
            fieldStarted = true;
        }
    }
    if (fieldStarted || !row.isEmpty()) {
        *crlfOnly = false; // no CRLF after the last record
        row.append(field);
        rows.append(row);
    }
    return rows;
}

// What a CSV cell must hold for a JSON value, computed independently of the writer.
QString expectedCell(const QJsonValue &value)
{
    if (value.isNull() || value.isUndefined()) {
        return {};
    }
    if (value.isString()) {
        return value.toString();
    }
    if (value.isObject()) {
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    }
    if (value.isArray()) {
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    }
    return jsonValueText(value);
}

QByteArray exportAll(const Projection &projection, ExportFormat format,
                     const QList<Outcome> &outcomes)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    ProjectionWriter writer(&buffer, projection, format);
    [&] { QVERIFY(writer.begin()); }();
    for (const Outcome &o : outcomes) {
        [&] { QVERIFY(writer.write(o)); }();
    }
    [&] { QVERIFY(writer.finish()); }();
    [&] { QCOMPARE(writer.bytesWritten(), buffer.data().size()); }();
    return buffer.data();
}

} // namespace

class TestProjection : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void storedRecordGivesTheSameValues();
    void csvRoundTrip();
    void csvQuoting_data();
    void csvQuoting();
    void ndjsonFields();
    void jsonArray();
    void badFields();
    void typoFields_data();
    void typoFields();
    void outcomeFilter_data();
    void outcomeFilter();
    void formats();
};

void TestProjection::csvRoundTrip()
{
    const QStringList fields = {u"node"_s,     u"outcome"_s, u"httpStatus"_s, u"latencyMs"_s,
                                u"attempts"_s, u"bytes"_s,   u"fetchedAt"_s,  u"error"_s,
                                u"url"_s,      u"text"_s,    u"num"_s,        u"obj"_s,
                                u"mem.used"_s, u"absent"_s,  u"body.node"_s};
    const Result<Projection> projection = Projection::parse(fields);
    QVERIFY(projection);
    const QList<Outcome> outcomes = sample();
    const QByteArray csv = exportAll(*projection, ExportFormat::Csv, outcomes);

    bool crlfOnly = false;
    const QList<QStringList> rows = readCsv(QString::fromUtf8(csv), &crlfOnly);
    QVERIFY(crlfOnly);
    QCOMPARE(rows.size(), outcomes.size() + 1);
    QCOMPARE(rows[0], fields);
    for (qsizetype r = 0; r < outcomes.size(); ++r) {
        const QList<QJsonValue> values = projection->values(outcomes[r]);
        QCOMPARE(rows[r + 1].size(), fields.size());
        for (qsizetype c = 0; c < fields.size(); ++c) {
            QCOMPARE(rows[r + 1][c], expectedCell(values[c]));
        }
    }
    // Spot checks against the outcome itself (not through the projection).
    QCOMPARE(rows[2][9], u"comma, \"quoted\", and\nnewline\r\nCRLF"_s);
    QCOMPARE(rows[3][0], u"node-ü-日本"_s);
    QCOMPARE(rows[3][9], u"Grüße 🚀 ,"_s);
    QCOMPARE(rows[1][11], u"{\"a\":[1,\"x,y\"]}"_s);
    QCOMPARE(rows[1][14], u"self-reported"_s);
    QCOMPARE(rows[1][6], u"2024-05-01T12:00:00.250Z"_s);
    QCOMPARE(rows[4][1], u"timeout"_s);
    QCOMPARE(rows[4][7], u"timed out, after 5 s"_s);
    QCOMPARE(rows[4][9], QString()); // a failed node has no body values
}

void TestProjection::csvQuoting_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("cell");
    QTest::addColumn<QString>("raw"); // with CsvCells::Raw; empty: the same as `cell`
    QTest::newRow("plain") << QJsonValue(u"abc"_s) << u"abc"_s << QString();
    QTest::newRow("comma") << QJsonValue(u"a,b"_s) << u"\"a,b\""_s << QString();
    QTest::newRow("quote doubled")
        << QJsonValue(u"say \"hi\""_s) << u"\"say \"\"hi\"\"\""_s << QString();
    QTest::newRow("LF") << QJsonValue(u"a\nb"_s) << u"\"a\nb\""_s << QString();
    QTest::newRow("CR") << QJsonValue(u"a\rb"_s) << u"\"a\rb\""_s << QString();
    QTest::newRow("number") << QJsonValue(2.5) << u"2.5"_s << QString();
    QTest::newRow("big integer") << QJsonValue(qint64(17179869184)) << u"17179869184"_s
                                 << QString();
    QTest::newRow("bool") << QJsonValue(false) << u"false"_s << QString();
    QTest::newRow("null empty") << QJsonValue(QJsonValue::Null) << QString() << QString();
    QTest::newRow("array quoted") << QJsonValue(QJsonArray{1, 2}) << u"\"[1,2]\""_s << QString();
    QTest::newRow("unicode") << QJsonValue(u"日本"_s) << u"日本"_s << QString();
    // Spreadsheet formulas from node answers, labels or a Content-Type: neutralised by a "'".
    QTest::newRow("= formula") << QJsonValue(u"=HYPERLINK(\"http://x\",\"y\")"_s)
                               << u"\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""_s
                               << u"\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""_s;
    QTest::newRow("+ command") << QJsonValue(u"+cmd|' /C calc'!A0"_s) << u"'+cmd|' /C calc'!A0"_s
                               << u"+cmd|' /C calc'!A0"_s;
    QTest::newRow("@ function") << QJsonValue(u"@SUM(1+1)"_s) << u"'@SUM(1+1)"_s << u"@SUM(1+1)"_s;
    QTest::newRow("- formula") << QJsonValue(u"-1+2"_s) << u"'-1+2"_s << u"-1+2"_s;
    QTest::newRow("tab first") << QJsonValue(u"\t=1"_s) << u"'\t=1"_s << u"\t=1"_s;
    QTest::newRow("CR first") << QJsonValue(u"\r=1"_s) << u"\"'\r=1\""_s << u"\"\r=1\""_s;
    QTest::newRow("= with comma") << QJsonValue(u"=A1,B1"_s) << u"\"'=A1,B1\""_s << u"\"=A1,B1\""_s;
    QTest::newRow("negative number") << QJsonValue(-2.5) << u"-2.5"_s << QString();
    QTest::newRow("negative number text") << QJsonValue(u"-2.5"_s) << u"-2.5"_s << QString();
    QTest::newRow("signed exponent text") << QJsonValue(u"+1.5e-3"_s) << u"+1.5e-3"_s << QString();
    QTest::newRow("lone minus") << QJsonValue(u"-"_s) << u"'-"_s << u"-"_s;
    QTest::newRow("minus then text") << QJsonValue(u"-2.5x"_s) << u"'-2.5x"_s << u"-2.5x"_s;
    QTest::newRow("= inside") << QJsonValue(u"a=b"_s) << u"a=b"_s << QString();
    QTest::newRow("object starting {") << QJsonValue(QJsonObject{{u"a"_s, u"=1"_s}})
                                       << u"\"{\"\"a\"\":\"\"=1\"\"}\""_s << QString();
}

void TestProjection::csvQuoting()
{
    QFETCH(QJsonValue, value);
    QFETCH(QString, cell);
    QFETCH(QString, raw);
    QCOMPARE(csvField(value), cell);
    QCOMPARE(csvField(value, CsvCells::Safe), cell);
    QCOMPARE(csvField(value, CsvCells::Raw), raw.isEmpty() ? cell : raw);
}

// Exports project the stored line's JSON (no Outcome built); it must give what projecting the
// Outcome gives, for every field kind, ok or failed, with and without numbers=true.
void TestProjection::storedRecordGivesTheSameValues()
{
    const QStringList fields{u"node"_s,     u"outcome"_s, u"httpStatus"_s, u"latencyMs"_s,
                             u"attempts"_s, u"bytes"_s,   u"fetchedAt"_s,  u"error"_s,
                             u"url"_s,      u"body"_s,    u"version"_s,    u"mem.used"_s};
    for (const bool numbers : {false, true}) {
        const Result<Projection> projection = Projection::parse(fields, numbers);
        QVERIFY(projection);
        for (const Outcome &outcome : sample()) {
            const QJsonObject stored =
                QJsonDocument::fromJson(
                    QJsonDocument(outcome.toJson()).toJson(QJsonDocument::Compact))
                    .object();
            QCOMPARE(projection->recordValues(stored), projection->values(outcome));
        }
    }
}

void TestProjection::ndjsonFields()
{
    const Result<Projection> projection = Projection::parse(
        {u"node"_s, u"mem.used"_s, u"outcome"_s, u"latencyMs"_s, u"absent"_s}, true);
    QVERIFY(projection);
    const QList<Outcome> outcomes = sample();
    const QByteArray ndjson = exportAll(*projection, ExportFormat::Ndjson, outcomes);
    QVERIFY(ndjson.endsWith('\n'));
    const QList<QByteArray> lines = ndjson.chopped(1).split('\n');
    QCOMPARE(lines.size(), outcomes.size());
    QVERIFY(lines[0].startsWith("{\"node\":\"10.0.0.1:9100\",\"mem.used\":")); // field order
    QList<QJsonObject> objects;
    for (const QByteArray &line : lines) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QVERIFY(doc.isObject());
        QCOMPARE(doc.object().size(), 5);
        objects.append(doc.object());
    }
    QCOMPARE(objects[0][u"mem.used"_s], QJsonValue(15.9 * 1024 * 1024 * 1024)); // numbers=true
    QCOMPARE(objects[1][u"mem.used"_s], QJsonValue(2048));
    QCOMPARE(objects[2][u"mem.used"_s], QJsonValue(80));
    QCOMPARE(objects[2][u"node"_s], QJsonValue(u"node-ü-日本"_s));
    QCOMPARE(objects[0][u"latencyMs"_s], QJsonValue(12));
    QVERIFY(objects[0][u"absent"_s].isNull());
    QCOMPARE(objects[3][u"outcome"_s], QJsonValue(u"timeout"_s));
    QVERIFY(objects[3][u"mem.used"_s].isNull());

    const Result<Projection> strings = Projection::parse({u"mem.used"_s});
    QVERIFY(strings);
    QCOMPARE(strings->toJson(outcomes[0]), QJsonObject({{u"mem.used"_s, u"15.9G"_s}}));
    const Result<Projection> whole = Projection::parse({u"body"_s});
    QVERIFY(whole);
    QCOMPARE(whole->values(outcomes[1]).first(), outcomes[1].body);
}

void TestProjection::jsonArray()
{
    const Result<Projection> projection = Projection::parse({u"node"_s, u"text"_s});
    QVERIFY(projection);
    const QList<Outcome> outcomes = sample();
    const QByteArray json = exportAll(*projection, ExportFormat::JsonArray, outcomes);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(doc.isArray());
    QCOMPARE(doc.array().size(), outcomes.size());
    for (qsizetype i = 0; i < outcomes.size(); ++i) {
        QCOMPARE(doc.array()[i].toObject(), projection->toJson(outcomes[i]));
    }
    const QByteArray empty = exportAll(*projection, ExportFormat::JsonArray, {});
    QCOMPARE(QJsonDocument::fromJson(empty).array().size(), 0);
    QVERIFY(QJsonDocument::fromJson(empty).isArray());
}

// Issue #22: a bare name next to a record field is a typo, refused with the known fields; real
// body paths (and body.NAME for a clash) still pass.
void TestProjection::typoFields_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("suggestion"); // empty: accepted
    QTest::newRow("outcom") << u"outcome"_s.chopped(1) << u"did you mean outcome?"_s;
    QTest::newRow("nod") << u"nod"_s << u"did you mean node?"_s;
    QTest::newRow("latencyms") << u"latencyms"_s << u"did you mean latencyMs?"_s;
    QTest::newRow("httpstatus case") << u"HttpStatus"_s << u"did you mean httpStatus?"_s;
    QTest::newRow("fetched_at") << u"fetched_at"_s << u"did you mean fetchedAt?"_s;
    QTest::newRow("body path") << u"version"_s << QString();
    QTest::newRow("dotted body path") << u"mem.used"_s << QString();
    QTest::newRow("clash spelled out") << u"body.nod"_s << QString();
}

void TestProjection::typoFields()
{
    QFETCH(QString, field);
    QFETCH(QString, suggestion);
    const Result<Projection> p = Projection::parse({u"node"_s, field});
    if (suggestion.isEmpty()) {
        QVERIFY2(p, qPrintable(p ? QString() : p.error().message));
        return;
    }
    QVERIFY(!p);
    QCOMPARE(p.error().code, ErrorCode::InvalidArgument);
    const QString message = p.error().message;
    QVERIFY2(message.contains(u"unknown field '%1'"_s.arg(field)) && message.contains(suggestion)
                 && message.contains(u"node, outcome, httpStatus, latencyMs"_s)
                 && message.contains(u"body." + field),
             qPrintable(message));
}

void TestProjection::badFields()
{
    const Result<Projection> none = Projection::parse({});
    QVERIFY(!none);
    QCOMPARE(none.error().code, ErrorCode::InvalidArgument);
    const Result<Projection> bad = Projection::parse({u"node"_s, u"mem..used"_s});
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, ErrorCode::InvalidArgument);
    QVERIFY2(bad.error().message.contains(u"mem..used"_s), qPrintable(bad.error().message));
}

void TestProjection::outcomeFilter_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QList<int>>("kinds"); // OutcomeKind values, when valid
    QTest::addColumn<QString>("unknown");  // the name the error must mention
    QList<int> allButOk;
    for (int i = 1; i < OutcomeKindCount; ++i) {
        allButOk.append(i);
    }
    QList<int> all = allButOk;
    all.prepend(0);
    QTest::newRow("failed") << u"failed"_s << true << allButOk << QString();
    QTest::newRow("one") << u"ok"_s << true << QList<int>{0} << QString();
    QTest::newRow("comma list") << u"timeout,refused"_s << true
                                << QList<int>{int(OutcomeKind::Timeout), int(OutcomeKind::Refused)}
                                << QString();
    QTest::newRow("spaces") << u" dns , tls "_s << true
                            << QList<int>{int(OutcomeKind::Dns), int(OutcomeKind::Tls)}
                            << QString();
    QTest::newRow("failed plus ok") << u"failed,ok"_s << true << all << QString();
    QTest::newRow("unknown") << u"bogus"_s << false << QList<int>{} << u"bogus"_s;
    QTest::newRow("unknown in list") << u"timeout,timout"_s << false << QList<int>{} << u"timout"_s;
    QTest::newRow("case matters") << u"Timeout"_s << false << QList<int>{} << u"Timeout"_s;
    QTest::newRow("empty: every outcome") << QString() << true << all << QString();
    QTest::newRow("all") << u"all"_s << true << all << QString();
}

void TestProjection::outcomeFilter()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QList<int>, kinds);
    QFETCH(QString, unknown);
    const Result<OutcomeFilter> filter = OutcomeFilter::parse(text);
    QCOMPARE(bool(filter), valid);
    if (!valid) {
        QCOMPARE(filter.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(filter.error().message.contains(u"'"_s + unknown + u"'"_s),
                 qPrintable(filter.error().message));
        return;
    }
    for (int k = 0; k < OutcomeKindCount; ++k) {
        QCOMPARE(filter->matches(static_cast<OutcomeKind>(k)), kinds.contains(k));
    }
    // toString() reads back as the same filter.
    QCOMPARE(*OutcomeFilter::parse(filter->toString()), *filter);
}

void TestProjection::formats()
{
    QCOMPARE(*exportFormatFromName(u"csv"), ExportFormat::Csv);
    QCOMPARE(*exportFormatFromName(u"ndjson"), ExportFormat::Ndjson);
    QCOMPARE(*exportFormatFromName(u"json"), ExportFormat::JsonArray);
    const Result<ExportFormat> bad = exportFormatFromName(u"xml");
    QVERIFY(!bad);
    QVERIFY(bad.error().message.contains(u"'xml'"_s));
}

QTEST_GUILESS_MAIN(TestProjection)
#include "tst_projection.moc"
