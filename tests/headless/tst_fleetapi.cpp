// Issue #12 "fleet answers" over real HTTP: /values, /diff and the /results projections, sorts,
// outcome filters and exports, on one hunt of 64 loopback fake nodes with planted answers.
#include <QtTest>

#include <memory>
#include <vector>

#include "core/base/huntid.h"
#include "restservice.h"
#include "tests/common/fakenode.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Test;

namespace {

constexpr qint64 BaseMem = 2000000000;
constexpr qint64 OutlierMem = 15000000000;
const QString Feature = uR"(beta, "x")"_s; // a comma and a quote: CSV must quote it

// A small RFC 4180 reader: fields separated by ',', records by CRLF, a quoted field may hold
// commas, CR/LF and doubled quotes. Returns the records; *ok is false on malformed input (a
// quote inside an unquoted field, an unterminated quote, or a bare LF as a record end).
QList<QStringList> parseCsv(const QString &text, bool *ok)
{
    QList<QStringList> records;
    QStringList record;
    QString field;
    *ok = true;
    qsizetype i = 0;
    const qsizetype n = text.size();
    bool fieldStarted = false;
    while (i < n) {
        const QChar c = text.at(i);
        if (!fieldStarted && c == u'"') {
            ++i;
            for (;;) {
                if (i >= n) {
                    *ok = false;
                    return records;
                }
                if (text.at(i) == u'"') {
                    if (i + 1 < n && text.at(i + 1) == u'"') {
                        field.append(u'"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field.append(text.at(i++));
            }
            fieldStarted = true;
            if (i < n && text.at(i) != u',' && text.at(i) != u'\r') {
                *ok = false; // junk after a closing quote
                return records;
            }
            continue;
        }
        if (c == u',') {
            record.append(std::exchange(field, QString()));
            fieldStarted = false;
            ++i;
        } else if (c == u'\r') {
            if (i + 1 >= n || text.at(i + 1) != u'\n') {
                *ok = false;
                return records;
            }
            record.append(std::exchange(field, QString()));
            records.append(std::exchange(record, QStringList()));
            fieldStarted = false;
            i += 2;
        } else if (c == u'\n' || c == u'"') {
            *ok = false; // bare LF, or a quote inside an unquoted field
            return records;
        } else {
            field.append(c);
            fieldStarted = true;
            ++i;
        }
    }
    if (fieldStarted || !record.isEmpty()) {
        *ok = false; // RFC 4180 allows a missing last CRLF; our writer always ends with one
    }
    return records;
}

QStringList nodesOf(const QJsonArray &array)
{
    QStringList nodes;
    for (const QJsonValue &v : array) {
        nodes.append(v.isObject() ? v.toObject().value(u"node"_s).toString() : v.toString());
    }
    return nodes;
}

QStringList pathsOf(const QJsonArray &array)
{
    QStringList paths;
    for (const QJsonValue &v : array) {
        paths.append(v.toObject().value(u"path"_s).toString());
    }
    return paths;
}

QString details(const HttpReply &reply)
{
    const QJsonValue d = reply.json().value(u"details"_s);
    return d.isObject() ? d.toObject().value(u"message"_s).toString() : d.toString();
}

} // namespace

class TestFleetApi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void valuesOfVersionGroupsMinorityMissingFailed();
    void valuesOfMemUsedOutlierIsThePlantedNode();
    void valuesErrors_data();
    void valuesErrors();
    void diffAgainstMajority();
    void diffAgainstAnotherNode();
    void diffAgainstPreviousNeedsASchedule();
    void diffErrors();
    void resultsFieldsProjection();
    void resultsOutcomeFilters();
    void resultsSortByNode();
    void resultsSortByPathPutsNoValueLast();
    void resultsNumbersTurnsNumberLikeStrings();
    void csvEqualsJsonPage();
    void ndjsonLineCountEqualsTotal();

private:
    HttpReply get(const QString &path, QList<QPair<QByteArray, QByteArray>> headers = {})
    {
        return m_client->get(path, std::move(headers));
    }
    QString api(const QString &rest) const { return u"/api/v1/hunts/"_s + m_hunt + rest; }
    // Every result of the hunt as one JSON page (limit 1000 > 64).
    QJsonArray page(const QString &query);

    std::unique_ptr<RestService> m_service;
    std::unique_ptr<HttpClient> m_client;
    std::vector<std::unique_ptr<FakeNode>> m_nodes;
    QString m_hunt;
    QStringList m_all;       // every node, as submitted
    QStringList m_v12;       // version 1.2 (the 50, and the outlier)
    QStringList m_v13;       // 6
    QStringList m_v20;       // 2, with the extra key "feature"
    QString m_outlier;       // mem.used 15 GB, version 1.2
    QStringList m_noVersion; // 2 ok answers without version (nor mem)
    QString m_http500, m_garbage, m_refused;
    QHash<QString, qint64> m_mem; // node -> planted mem.used
};

void TestFleetApi::initTestCase()
{
    m_service = std::make_unique<RestService>();
    m_client = std::make_unique<HttpClient>(m_service->base());
    int noise = 0;
    auto add = [&](const QJsonObject &body) -> QString {
        m_nodes.push_back(std::make_unique<FakeNode>());
        FakeNode &node = *m_nodes.back();
        if (!node.start()) {
            return {};
        }
        node.setJsonBody(QJsonDocument(body).toJson(QJsonDocument::Compact));
        m_all.append(node.node());
        return node.node();
    };
    auto versioned = [&](const QString &version, qint64 mem, bool feature = false) {
        QJsonObject body{{u"version"_s, version}, {u"mem"_s, QJsonObject{{u"used"_s, mem}}}};
        if (feature) {
            body.insert(u"feature"_s, Feature);
        }
        const QString node = add(body);
        m_mem.insert(node, mem);
        return node;
    };
    // Deterministic noise: 1000 bytes apart, so every mem.used is distinct (no majority value).
    for (int i = 0; i < 50; ++i) {
        m_v12.append(versioned(u"1.2"_s, BaseMem + 1000 * ++noise));
    }
    for (int i = 0; i < 6; ++i) {
        m_v13.append(versioned(u"1.3"_s, BaseMem + 1000 * ++noise));
    }
    for (int i = 0; i < 2; ++i) {
        m_v20.append(versioned(u"2.0"_s, BaseMem + 1000 * ++noise, true));
    }
    m_outlier = versioned(u"1.2"_s, OutlierMem);
    m_v12.append(m_outlier);
    for (int i = 0; i < 2; ++i) {
        m_noVersion.append(add(QJsonObject{{u"uptime"_s, 100 + i}}));
    }
    m_http500 = add({});
    m_nodes.back()->setBehaviour(FakeNode::Behaviour::Status);
    m_nodes.back()->setStatus(500, R"({"error":"boom"})");
    m_garbage = add({});
    m_nodes.back()->setBehaviour(FakeNode::Behaviour::Garbage);
    m_refused = u"127.0.0.1:1"_s; // nothing listens on port 1
    m_all.append(m_refused);
    QVERIFY(!m_all.contains(QString()));
    QCOMPARE(m_all.size(), 64);

    const HttpReply submitted = m_client->postJson(
        u"/api/v1/hunts"_s,
        QJsonObject{{u"nodes"_s, QJsonArray::fromStringList(m_all)},
                    {u"url"_s, u"metric"_s},
                    {u"options"_s, QJsonObject{{u"attempts"_s, 1}, {u"timeoutMs"_s, 5000}}}});
    QCOMPARE(submitted.status, 202);
    m_hunt = submitted.json().value(u"hunt"_s).toString();
    const QJsonObject hunt = m_client->waitFinished(m_hunt, 30000);
    QCOMPARE(hunt.value(u"state"_s).toString(), u"done"_s);
    QCOMPARE(hunt.value(u"total"_s).toInt(), 64);
    QCOMPARE(hunt.value(u"counts"_s).toObject().value(u"ok"_s).toInt(), 61);
}

void TestFleetApi::cleanupTestCase()
{
    m_client.reset();
    m_service.reset();
    m_nodes.clear();
}

QJsonArray TestFleetApi::page(const QString &query)
{
    const HttpReply reply = get(api(u"/results?limit=1000"_s + query));
    if (reply.status != 200) {
        qWarning("results%s: %d %s", qPrintable(query), reply.status, reply.body.constData());
        return {};
    }
    return reply.json().value(u"results"_s).toArray();
}

void TestFleetApi::valuesOfVersionGroupsMinorityMissingFailed()
{
    const HttpReply reply = get(api(u"/values?path=version&nodes=100"_s));
    QCOMPARE(reply.status, 200);
    const QJsonObject v = reply.json();
    QCOMPARE(v.value(u"path"_s).toString(), u"version"_s);
    QCOMPARE(v.value(u"nodes"_s).toInt(), 64);
    QCOMPARE(v.value(u"withValue"_s).toInt(), 59);
    QCOMPARE(v.value(u"missing"_s).toInt(), 2);
    QCOMPARE(v.value(u"failed"_s).toObject(),
             (QJsonObject{{u"http_error"_s, 1}, {u"invalid_json"_s, 1}, {u"refused"_s, 1}}));
    QCOMPARE(v.value(u"groupCount"_s).toInt(), 3);
    const QJsonArray groups = v.value(u"groups"_s).toArray();
    QCOMPARE(groups.size(), 3);
    struct Expected
    {
        QString value;
        int count;
        bool minority;
        QStringList nodes;
    };
    const QList<Expected> expected{{u"1.2"_s, 51, false, m_v12},
                                   {u"1.3"_s, 6, false, m_v13}, // 10.2 % is not a minority
                                   {u"2.0"_s, 2, true, m_v20}}; // 3.4 % < 5 % while 1.2 holds 86 %
    for (int i = 0; i < 3; ++i) {
        const QJsonObject g = groups[i].toObject();
        QCOMPARE(g.value(u"value"_s).toString(), expected[i].value);
        QCOMPARE(g.value(u"count"_s).toInt(), expected[i].count);
        QCOMPARE(g.value(u"share"_s).toDouble(), expected[i].count / 59.0);
        QCOMPARE(g.value(u"minority"_s).toBool(), expected[i].minority);
        QStringList nodes = nodesOf(g.value(u"nodes"_s).toArray());
        QStringList want = expected[i].nodes;
        nodes.sort();
        want.sort();
        QCOMPARE(nodes, want);
    }
    // Version strings read as numbers ("1.2" -> 1.2), so there are stats, and with MAD 0 the
    // meanAD fallback scores 2.0 at 0.7979 * 0.8 / (2.2 / 59) = 17.1: both 2.0 nodes are
    // outliers, 1.3 (2.1) is not.
    const QJsonObject stats = v.value(u"stats"_s).toObject();
    QCOMPARE(stats.value(u"count"_s).toInt(), 59);
    QCOMPARE(stats.value(u"min"_s).toDouble(), 1.2);
    QCOMPARE(stats.value(u"max"_s).toDouble(), 2.0);
    QStringList outliers = nodesOf(v.value(u"outliers"_s).toArray());
    QStringList want20 = m_v20;
    outliers.sort();
    want20.sort();
    QCOMPARE(outliers, want20);

    // groups=1&nodes=2 cuts what is rendered, never the counts.
    const QJsonObject cut = get(api(u"/values?path=version&groups=1&nodes=2"_s)).json();
    QCOMPARE(cut.value(u"groups"_s).toArray().size(), 1);
    QCOMPARE(cut.value(u"groupCount"_s).toInt(), 3);
    const QJsonObject first = cut.value(u"groups"_s).toArray().first().toObject();
    QCOMPARE(first.value(u"count"_s).toInt(), 51);
    QCOMPARE(first.value(u"nodes"_s).toArray().size(), 2);
}

void TestFleetApi::valuesOfMemUsedOutlierIsThePlantedNode()
{
    const HttpReply reply = get(api(u"/values?path=mem.used"_s));
    QCOMPARE(reply.status, 200);
    const QJsonObject v = reply.json();
    QCOMPARE(v.value(u"withValue"_s).toInt(), 59);
    QCOMPARE(v.value(u"missing"_s).toInt(), 2);
    QCOMPARE(v.value(u"groupCount"_s).toInt(), 59); // every value distinct
    const QJsonArray outliers = v.value(u"outliers"_s).toArray();
    QCOMPARE(outliers.size(), 1);
    const QJsonObject o = outliers.first().toObject();
    QCOMPARE(o.value(u"node"_s).toString(), m_outlier);
    QCOMPARE(o.value(u"number"_s).toDouble(), double(OutlierMem));
    QCOMPARE(o.value(u"value"_s).toDouble(), double(OutlierMem));
    QVERIFY2(o.value(u"score"_s).toDouble() > 3.5,
             qPrintable(QString::number(o.value(u"score"_s).toDouble())));
    const QJsonObject stats = v.value(u"stats"_s).toObject();
    QCOMPARE(stats.value(u"count"_s).toInt(), 59);
    QCOMPARE(stats.value(u"min"_s).toDouble(), double(BaseMem + 1000));
    QCOMPARE(stats.value(u"max"_s).toDouble(), double(OutlierMem));
    // Nearest rank over 59 values: p50 is the 30th smallest (noise 30000), p90 the 54th.
    QCOMPARE(stats.value(u"p50"_s).toDouble(), double(BaseMem + 30 * 1000));
    QCOMPARE(stats.value(u"p90"_s).toDouble(), double(BaseMem + 54 * 1000));
    QCOMPARE(stats.value(u"p99"_s).toDouble(), double(OutlierMem));
}

void TestFleetApi::valuesErrors_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("double dot") << u"path=mem..used"_s << 400 << u"bad path 'mem..used'"_s;
    QTest::newRow("open bracket") << u"path=cpu%5B"_s << 400 << u"bad path 'cpu['"_s;
    QTest::newRow("no path") << u"groups=3"_s << 400 << u"'path' is required"_s;
    QTest::newRow("groups 0") << u"path=version&groups=0"_s << 400 << u"'groups' must be"_s;
}

void TestFleetApi::valuesErrors()
{
    QFETCH(QString, query);
    QFETCH(int, status);
    QFETCH(QString, message);
    const HttpReply reply = get(api(u"/values?"_s + query));
    QCOMPARE(reply.status, status);
    QVERIFY2(details(reply).contains(message), reply.body.constData());

    // An unknown hunt (a well-formed id) and a malformed one.
    const HttpReply unknown = get(u"/api/v1/hunts/%1/values?path=version"_s.arg(newHuntId()));
    QCOMPARE(unknown.status, 404);
    QCOMPARE(get(u"/api/v1/hunts/nosuchhunt/values?path=version"_s).status, 404);
}

void TestFleetApi::diffAgainstMajority()
{
    const HttpReply reply = get(api(u"/diff?node="_s + m_v20.first()));
    QCOMPARE(reply.status, 200);
    const QJsonObject d = reply.json();
    QCOMPARE(d.value(u"node"_s).toString(), m_v20.first());
    QCOMPARE(d.value(u"against"_s).toString(), u"majority"_s);
    QCOMPARE(d.value(u"compared"_s).toInt(), 60); // the other 60 ok nodes
    // mem.used: 58 of 60 have it, all different: no majority value, not a difference.
    QCOMPARE(d.value(u"variable"_s).toInt(), 1);
    const QJsonArray differences = d.value(u"differences"_s).toArray();
    QCOMPARE(pathsOf(differences), QStringList{u"version"_s});
    const QJsonObject version = differences.first().toObject();
    QCOMPARE(version.value(u"value"_s).toString(), u"2.0"_s);
    QCOMPARE(version.value(u"expected"_s).toString(), u"1.2"_s);
    QCOMPARE(version.value(u"share"_s).toDouble(), 51 / 60.0);
    const QJsonArray onlyNode = d.value(u"onlyNode"_s).toArray();
    QCOMPARE(pathsOf(onlyNode), QStringList{u"feature"_s});
    QCOMPARE(onlyNode.first().toObject().value(u"value"_s).toString(), Feature);
    QCOMPARE(onlyNode.first().toObject().value(u"share"_s).toDouble(), 1 / 60.0);
    QCOMPARE(d.value(u"onlyOther"_s).toArray().size(), 0);

    // A majority node differs in nothing.
    const QJsonObject same = get(api(u"/diff?node="_s + m_v12.first())).json();
    QCOMPARE(same.value(u"differences"_s).toArray().size(), 0);
    QCOMPARE(same.value(u"onlyNode"_s).toArray().size(), 0);
    QCOMPARE(same.value(u"onlyOther"_s).toArray().size(), 0);
    // A node without version lacks what the majority has.
    const QJsonObject lacking = get(api(u"/diff?node="_s + m_noVersion.first())).json();
    QStringList lacks = pathsOf(lacking.value(u"onlyOther"_s).toArray());
    lacks.sort();
    QCOMPARE(lacks, (QStringList{u"mem.used"_s, u"version"_s}));
    QCOMPARE(pathsOf(lacking.value(u"onlyNode"_s).toArray()), QStringList{u"uptime"_s});
}

void TestFleetApi::diffAgainstAnotherNode()
{
    const QString other = m_v12.first();
    const HttpReply reply = get(api(u"/diff?node=%1&against=%2"_s.arg(m_v20.first(), other)));
    QCOMPARE(reply.status, 200);
    const QJsonObject d = reply.json();
    QCOMPARE(d.value(u"against"_s).toString(), other);
    QCOMPARE(d.value(u"compared"_s).toInt(), 1);
    QStringList paths = pathsOf(d.value(u"differences"_s).toArray());
    paths.sort();
    QCOMPARE(paths, (QStringList{u"mem.used"_s, u"version"_s}));
    for (const QJsonValue &x : d.value(u"differences"_s).toArray()) {
        const QJsonObject o = x.toObject();
        if (o.value(u"path"_s).toString() == u"mem.used"_s) {
            QCOMPARE(o.value(u"value"_s).toDouble(), double(m_mem.value(m_v20.first())));
            QCOMPARE(o.value(u"expected"_s).toDouble(), double(m_mem.value(other)));
        }
    }
    QCOMPARE(pathsOf(d.value(u"onlyNode"_s).toArray()), QStringList{u"feature"_s});
    QCOMPARE(d.value(u"onlyOther"_s).toArray().size(), 0);
    // The two 2.0 nodes differ in mem.used only.
    const QJsonObject twins =
        get(api(u"/diff?node=%1&against=%2"_s.arg(m_v20[0], m_v20[1]))).json();
    QCOMPARE(pathsOf(twins.value(u"differences"_s).toArray()), QStringList{u"mem.used"_s});
    QCOMPARE(twins.value(u"onlyNode"_s).toArray().size(), 0);
}

void TestFleetApi::diffAgainstPreviousNeedsASchedule()
{
    const HttpReply reply = get(api(u"/diff?node=%1&against=previous"_s.arg(m_v20.first())));
    QCOMPARE(reply.status, 400);
    QVERIFY2(details(reply).contains(u"is not a schedule's round"_s), reply.body.constData());
}

void TestFleetApi::diffErrors()
{
    HttpReply reply = get(api(u"/diff"_s));
    QCOMPARE(reply.status, 400);
    QVERIFY2(details(reply).contains(u"'node' is required"_s), reply.body.constData());
    // A failed node has no answer to compare, against the majority or as the other side.
    reply = get(api(u"/diff?node="_s + m_http500));
    QCOMPARE(reply.status, 404);
    reply = get(api(u"/diff?node=%1&against=%2"_s.arg(m_v12.first(), m_garbage)));
    QCOMPARE(reply.status, 404);
    QVERIFY2(details(reply).contains(u"outcome invalid_json"_s), reply.body.constData());
    reply = get(api(u"/diff?node=10.9.9.9%3A1"_s));
    QCOMPARE(reply.status, 404);
    reply = get(u"/api/v1/hunts/%1/diff?node=%2"_s.arg(newHuntId(), m_v12.first()));
    QCOMPARE(reply.status, 404);
}

void TestFleetApi::resultsFieldsProjection()
{
    const HttpReply reply = get(api(u"/results?fields=node,outcome,mem.used,version&limit=1000"_s));
    QCOMPARE(reply.status, 200);
    const QJsonObject body = reply.json();
    QCOMPARE(body.value(u"fields"_s).toArray(),
             (QJsonArray{u"node"_s, u"outcome"_s, u"mem.used"_s, u"version"_s}));
    QCOMPARE(body.value(u"total"_s).toInt(), 64);
    const QJsonArray rows = body.value(u"results"_s).toArray();
    QCOMPARE(rows.size(), 64);
    QSet<QString> seen;
    for (const QJsonValue &r : rows) {
        const QJsonObject row = r.toObject();
        QStringList keys = row.keys();
        keys.sort();
        QCOMPARE(keys, (QStringList{u"mem.used"_s, u"node"_s, u"outcome"_s, u"version"_s}));
        const QString node = row.value(u"node"_s).toString();
        seen.insert(node);
        if (m_mem.contains(node)) {
            QCOMPARE(row.value(u"outcome"_s).toString(), u"ok"_s);
            QCOMPARE(row.value(u"mem.used"_s).toDouble(), double(m_mem.value(node)));
        } else {
            QVERIFY2(row.value(u"mem.used"_s).isNull(), qPrintable(node)); // absent: null
            QVERIFY(row.value(u"version"_s).isNull());
        }
        if (m_v20.contains(node)) {
            QCOMPARE(row.value(u"version"_s).toString(), u"2.0"_s);
        }
    }
    QCOMPARE(seen, QSet<QString>(m_all.cbegin(), m_all.cend()));
    // A bad field names it.
    const HttpReply bad = get(api(u"/results?fields=node,mem..used"_s));
    QCOMPARE(bad.status, 400);
    QVERIFY2(bad.body.contains("mem..used"), bad.body.constData());
}

void TestFleetApi::resultsOutcomeFilters()
{
    QStringList failed = nodesOf(page(u"&outcome=failed"_s));
    failed.sort();
    QStringList want{m_http500, m_garbage, m_refused};
    want.sort();
    QCOMPARE(failed, want);

    QStringList two = nodesOf(page(u"&outcome=timeout,refused,invalid_json"_s));
    two.sort();
    QStringList wantTwo{m_garbage, m_refused};
    wantTwo.sort();
    QCOMPARE(two, wantTwo);
    QCOMPARE(nodesOf(page(u"&outcome=http_error"_s)), QStringList{m_http500});
    QCOMPARE(page(u"&outcome=ok"_s).size(), 61);
    QCOMPARE(get(api(u"/results?outcome=timeout"_s)).json().value(u"total"_s).toInt(), 0);

    const HttpReply unknown = get(api(u"/results?outcome=ok,exploded"_s));
    QCOMPARE(unknown.status, 400);
    QVERIFY2(details(unknown).contains(u"unknown outcome 'exploded'"_s), unknown.body.constData());
    // The filter applies to the streamed formats too.
    const HttpReply ndjson = get(api(u"/results?format=ndjson&outcome=failed&fields=node"_s));
    QCOMPARE(ndjson.status, 200);
    QCOMPARE(ndjson.body.count('\n'), 3);
}

void TestFleetApi::resultsSortByNode()
{
    QStringList ascending = m_all;
    ascending.sort(); // text order, as ResultSort compares nodes
    QCOMPARE(nodesOf(page(u"&sort=node&fields=node"_s)), ascending);
    QStringList descending(ascending.crbegin(), ascending.crend());
    QCOMPARE(nodesOf(page(u"&sort=-node&fields=node"_s)), descending);
    // Paged: the second page of 10 continues the order, and `next` keeps the sort.
    const QJsonObject page2 = get(api(u"/results?sort=node&limit=10&offset=10"_s)).json();
    QCOMPARE(nodesOf(page2.value(u"results"_s).toArray()), ascending.mid(10, 10));
    QVERIFY2(page2.value(u"next"_s).toString().contains(u"sort=node"_s),
             qPrintable(page2.value(u"next"_s).toString()));
    QCOMPARE(get(api(u"/results?sort=mem..used"_s)).status, 400);
}

void TestFleetApi::resultsSortByPathPutsNoValueLast()
{
    QStringList withValue = m_mem.keys();
    std::sort(withValue.begin(), withValue.end(),
              [&](const QString &a, const QString &b) { return m_mem.value(a) < m_mem.value(b); });
    QStringList withoutValue; // in file order: compare as sets below
    for (const QString &node : m_all) {
        if (!m_mem.contains(node)) {
            withoutValue.append(node);
        }
    }
    withoutValue.sort();
    for (const bool descending : {false, true}) {
        const QStringList got = nodesOf(
            page(descending ? u"&sort=-mem.used&fields=node"_s : u"&sort=mem.used&fields=node"_s));
        QCOMPARE(got.size(), 64);
        QStringList want = withValue;
        if (descending) {
            std::reverse(want.begin(), want.end());
        }
        QCOMPARE(got.mid(0, 59), want);
        QStringList tail = got.mid(59);
        tail.sort();
        QCOMPARE(tail, withoutValue); // 3 failed + 2 missing, last in either direction
    }
    // Streamed sorted exports agree with the page.
    const HttpReply ndjson = get(api(u"/results?format=ndjson&sort=-mem.used&fields=node"_s));
    QCOMPARE(ndjson.status, 200);
    const QList<QByteArray> lines = ndjson.body.split('\n');
    QCOMPARE(QJsonDocument::fromJson(lines.first()).object().value(u"node"_s).toString(),
             m_outlier);
}

void TestFleetApi::resultsNumbersTurnsNumberLikeStrings()
{
    const QJsonArray plain = page(u"&fields=node,version&outcome=ok"_s);
    const QJsonArray numbers = page(u"&fields=node,version&outcome=ok&numbers=true"_s);
    QCOMPARE(numbers.size(), plain.size());
    for (qsizetype i = 0; i < plain.size(); ++i) {
        const QJsonObject p = plain[i].toObject();
        const QJsonObject n = numbers[i].toObject();
        QCOMPARE(n.value(u"node"_s).toString(), p.value(u"node"_s).toString()); // not a number
        if (p.value(u"version"_s).isString()) {
            QVERIFY(n.value(u"version"_s).isDouble());
            QCOMPARE(n.value(u"version"_s).toDouble(), p.value(u"version"_s).toString().toDouble());
        } else {
            QVERIFY(n.value(u"version"_s).isNull());
        }
    }
}

void TestFleetApi::csvEqualsJsonPage()
{
    const QString fields = u"node,outcome,httpStatus,mem.used,version,feature"_s;
    const QStringList names = fields.split(u',');
    const QJsonArray rows = page(u"&fields="_s + fields);
    QCOMPARE(rows.size(), 64);
    // By ?format=csv and by Accept: text/csv, the same bytes.
    const HttpReply csv = get(api(u"/results?format=csv&fields="_s + fields));
    QCOMPARE(csv.status, 200);
    QVERIFY2(csv.headers.value("content-type").startsWith("text/csv"),
             csv.headers.value("content-type").constData());
    const HttpReply accepted = get(api(u"/results?fields="_s + fields), {{"Accept", "text/csv"}});
    QCOMPARE(accepted.status, 200);
    QCOMPARE(accepted.body, csv.body);
    QVERIFY(csv.body.contains(R"("beta, ""x""")")); // quoted, inner quotes doubled

    bool ok = false;
    const QList<QStringList> records = parseCsv(QString::fromUtf8(csv.body), &ok);
    QVERIFY2(ok, csv.body.left(400).constData());
    QCOMPARE(records.size(), 65);
    QCOMPARE(records.first(), names);
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QJsonObject row = rows[i].toObject();
        const QStringList &cells = records[i + 1];
        QCOMPARE(cells.size(), names.size());
        for (qsizetype c = 0; c < names.size(); ++c) {
            const QJsonValue value = row.value(names[c]);
            const QString where =
                u"row %1 (%2) %3"_s.arg(i).arg(row.value(u"node"_s).toString(), names[c]);
            if (value.isNull() || value.isUndefined()) {
                QVERIFY2(cells[c].isEmpty(), qPrintable(where + u": "_s + cells[c]));
            } else if (value.isDouble()) {
                bool number = false;
                QCOMPARE(cells[c].toDouble(&number), value.toDouble());
                QVERIFY2(number, qPrintable(where + u": "_s + cells[c]));
            } else {
                QVERIFY2(value.isString(), qPrintable(where));
                QCOMPARE(cells[c], value.toString());
            }
        }
    }
    // Without ?fields= the CSV has the record's columns and the body.
    const HttpReply whole = get(api(u"/results?format=csv"_s));
    QCOMPARE(whole.status, 200);
    const QList<QStringList> all = parseCsv(QString::fromUtf8(whole.body), &ok);
    QVERIFY(ok);
    QCOMPARE(all.size(), 65);
    QVERIFY2(all.first().contains(u"body"_s) && all.first().first() == u"node"_s,
             qPrintable(all.first().join(u',')));
}

void TestFleetApi::ndjsonLineCountEqualsTotal()
{
    for (const bool byAccept : {false, true}) {
        const HttpReply reply = byAccept
                                    ? get(api(u"/results"_s), {{"Accept", "application/x-ndjson"}})
                                    : get(api(u"/results?format=ndjson"_s));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.body.endsWith('\n'));
        const QList<QByteArray> lines = reply.body.trimmed().split('\n');
        QCOMPARE(lines.size(), 64);
        QSet<QString> nodes;
        for (const QByteArray &line : lines) {
            QJsonParseError error;
            const QJsonObject record = QJsonDocument::fromJson(line, &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
            nodes.insert(record.value(u"node"_s).toString());
        }
        QCOMPARE(nodes, QSet<QString>(m_all.cbegin(), m_all.cend()));
    }
    // With fields: each line has exactly those keys.
    const HttpReply projected = get(api(u"/results?format=ndjson&fields=node,version"_s));
    const QList<QByteArray> lines = projected.body.trimmed().split('\n');
    QCOMPARE(lines.size(), 64);
    QCOMPARE(QJsonDocument::fromJson(lines.first()).object().keys(),
             (QStringList{u"node"_s, u"version"_s}));
    QCOMPARE(get(api(u"/results?format=xml"_s)).status, 400);
}

QTEST_GUILESS_MAIN(TestFleetApi)
#include "tst_fleetapi.moc"
