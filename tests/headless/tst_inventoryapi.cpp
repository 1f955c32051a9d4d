// Issue #14 "inventory" over real HTTP: node ranges and labels given to POST /api/v1/hunts and
// /api/v1/schedules, against loopback fake nodes, then seen in results, in values grouped by a
// label, and in CSV exports; and the 400/413 answers for bad ranges, bad labels and a range
// over the node limit.
#include <QtTest>

#include <memory>
#include <vector>

#include "restservice.h"
#include "tests/common/fakenode.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Test;

class TestInventoryApi : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void resultsCarryLabels();
    void huntNamesItsLabels();
    void valuesGroupedByLabel();
    void valuesGroupedByLabelCombination();
    void csvExportHasLabelColumns();
    void scheduleRoundsKeepLabels();
    void errors_data();
    void errors();

private:
    QString api(const QString &rest) const { return u"/api/v1/hunts/"_s + m_hunt + rest; }

    std::unique_ptr<RestService> m_service;
    std::unique_ptr<HttpClient> m_client;
    std::vector<std::unique_ptr<FakeNode>> m_nodes;
    QString m_range;  // "127.0.0.[1-3]:P": three fake nodes, dc=fra1
    QString m_single; // one more, dc=ams1 role=db
    QString m_hunt;
};

void TestInventoryApi::initTestCase()
{
    ServiceOptions options;
    options.maxNodes = 20;
    m_service = std::make_unique<RestService>(options);
    m_client = std::make_unique<HttpClient>(m_service->base());
    // Three nodes on one port of 127.0.0.1-3: one range names them all.
    for (int i = 1; i <= 4; ++i) {
        m_nodes.push_back(std::make_unique<FakeNode>());
        FakeNode &node = *m_nodes.back();
        const quint16 port = i == 1 || i == 4 ? 0 : m_nodes.front()->port();
        const QString address = i == 4 ? u"127.0.0.1"_s : u"127.0.0.%1"_s.arg(i);
        QVERIFY(node.start(QHostAddress(address), port));
        const QString version = i == 3 ? u"1.3"_s : u"1.2"_s;
        node.setJsonBody(QJsonDocument(QJsonObject{{u"version"_s, version}}).toJson());
    }
    m_range = u"127.0.0.[1-3]:%1"_s.arg(m_nodes.front()->port());
    m_single = m_nodes.back()->node();

    const QJsonArray nodes{
        QJsonObject{{u"node"_s, m_range}, {u"labels"_s, QJsonObject{{u"dc"_s, u"fra1"_s}}}},
        QJsonObject{{u"node"_s, m_single},
                    {u"labels"_s, QJsonObject{{u"dc"_s, u"ams1"_s}, {u"role"_s, u"db"_s}}}},
        u"127.0.0.1:1"_s, // refused, no labels
    };
    const HttpReply submitted = m_client->postJson(
        u"/api/v1/hunts"_s, QJsonObject{{u"nodes"_s, nodes},
                                        {u"url"_s, u"metric"_s},
                                        {u"options"_s, QJsonObject{{u"attempts"_s, 1}}}});
    QCOMPARE(submitted.status, 202);
    m_hunt = submitted.json().value(u"hunt"_s).toString();
    const QJsonObject hunt = m_client->waitFinished(m_hunt, 30000);
    QCOMPARE(hunt.value(u"state"_s).toString(), u"done"_s);
    QCOMPARE(hunt.value(u"total"_s).toInt(), 5);
    QCOMPARE(hunt.value(u"counts"_s).toObject().value(u"ok"_s).toInt(), 4);
}

void TestInventoryApi::cleanupTestCase()
{
    m_client.reset();
    m_service.reset();
    m_nodes.clear();
}

void TestInventoryApi::resultsCarryLabels()
{
    const HttpReply reply = m_client->get(api(u"/results?limit=100"_s));
    QCOMPARE(reply.status, 200);
    QHash<QString, QJsonObject> labels;
    for (const QJsonValue &r : reply.json().value(u"results"_s).toArray()) {
        const QJsonObject record = r.toObject();
        labels.insert(record.value(u"node"_s).toString(), record.value(u"labels"_s).toObject());
        QCOMPARE(record.contains(u"labels"_s), record.value(u"node"_s) != u"127.0.0.1:1"_s);
    }
    QCOMPARE(labels.size(), 5);
    const QString port = QString::number(m_nodes.front()->port());
    for (int i = 1; i <= 3; ++i) {
        QCOMPARE(labels.value(u"127.0.0.%1:%2"_s.arg(i).arg(port)),
                 (QJsonObject{{u"dc"_s, u"fra1"_s}}));
    }
    QCOMPARE(labels.value(m_single), (QJsonObject{{u"dc"_s, u"ams1"_s}, {u"role"_s, u"db"_s}}));
    // One result by node, as stored.
    const HttpReply one =
        m_client->get(api(u"/results/"_s + QString::fromUtf8(QUrl::toPercentEncoding(m_single))));
    QCOMPARE(one.status, 200);
    QCOMPARE(one.json().value(u"labels"_s).toObject().value(u"role"_s).toString(), u"db"_s);
}

// The web page's labels column and group-by choice come from here, not from reading results.
void TestInventoryApi::huntNamesItsLabels()
{
    const HttpReply reply = m_client->get(u"/api/v1/hunts/"_s + m_hunt);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value(u"labelNames"_s).toArray(), (QJsonArray{u"dc"_s, u"role"_s}));
    QVERIFY(!reply.json().contains(u"labelNameCount"_s)); // only when the list is cut
    const HttpReply listed = m_client->get(u"/api/v1/hunts?limit=1"_s);
    const QJsonObject first = listed.json().value(u"hunts"_s).toArray().at(0).toObject();
    QCOMPARE(first.value(u"labelNames"_s).toArray(), (QJsonArray{u"dc"_s, u"role"_s}));

    // A hunt without labels says nothing.
    const HttpReply plain =
        m_client->postJson(u"/api/v1/hunts"_s, QJsonObject{{u"nodes"_s, QJsonArray{m_single}},
                                                           {u"url"_s, u"metric"_s}});
    QCOMPARE(plain.status, 202);
    const QJsonObject done =
        m_client->waitFinished(plain.json().value(u"hunt"_s).toString(), 30000);
    QVERIFY(!done.contains(u"labelNames"_s));

    // More names than the manifest lists: the first 100, sorted, and how many there are.
    QJsonObject many;
    for (int i = 0; i <= 100; ++i) {
        many.insert(u"l%1"_s.arg(i, 3, 10, QChar(u'0')), u"x"_s);
    }
    const HttpReply cut = m_client->postJson(
        u"/api/v1/hunts"_s, QJsonObject{{u"nodes"_s, QJsonArray{QJsonObject{{u"node"_s, m_single},
                                                                            {u"labels"_s, many}}}},
                                        {u"url"_s, u"metric"_s}});
    QCOMPARE(cut.status, 202);
    const QJsonObject cutDone =
        m_client->waitFinished(cut.json().value(u"hunt"_s).toString(), 30000);
    const QJsonArray names = cutDone.value(u"labelNames"_s).toArray();
    QCOMPARE(names.size(), 100);
    QCOMPARE(names.first().toString(), u"l000"_s);
    QCOMPARE(names.last().toString(), u"l099"_s);
    QCOMPARE(cutDone.value(u"labelNameCount"_s).toInt(), 101);
}

void TestInventoryApi::valuesGroupedByLabel()
{
    const HttpReply reply = m_client->get(api(u"/values?path=version&groupBy=label:dc"_s));
    QCOMPARE(reply.status, 200);
    const QJsonObject v = reply.json();
    QCOMPARE(v.value(u"nodes"_s).toInt(), 5); // the whole hunt as before
    QCOMPARE(v.value(u"groupBy"_s).toString(), u"label:dc"_s);
    const QJsonArray slices = v.value(u"byLabel"_s).toArray();
    QCOMPARE(slices.size(), 3);
    const QJsonObject fra = slices.at(0).toObject();
    QCOMPARE(fra.value(u"label"_s).toString(), u"fra1"_s);
    QCOMPARE(fra.value(u"nodes"_s).toInt(), 3);
    const QJsonArray fraGroups = fra.value(u"groups"_s).toArray();
    QCOMPARE(fraGroups.size(), 2);
    QCOMPARE(fraGroups.at(0).toObject().value(u"value"_s).toString(), u"1.2"_s);
    QCOMPARE(fraGroups.at(0).toObject().value(u"count"_s).toInt(), 2);
    const QJsonObject ams = slices.at(1).toObject();
    QCOMPARE(ams.value(u"label"_s).toString(), u"ams1"_s);
    QCOMPARE(ams.value(u"withValue"_s).toInt(), 1);
    const QJsonObject none = slices.at(2).toObject();
    QVERIFY(none.value(u"label"_s).isNull()); // the nodes without a dc label
    QCOMPARE(none.value(u"failed"_s).toObject().value(u"refused"_s).toInt(), 1);

    const HttpReply bad = m_client->get(api(u"/values?path=version&groupBy=dc"_s));
    QCOMPARE(bad.status, 400);
    QVERIFY(bad.body.contains("label:NAME"));
}

// groupBy=label:dc,label:role: one slice per combination seen, a null where nodes lack one.
void TestInventoryApi::valuesGroupedByLabelCombination()
{
    const HttpReply reply =
        m_client->get(api(u"/values?path=version&groupBy=label:dc,label:role"_s));
    QCOMPARE(reply.status, 200);
    const QJsonObject v = reply.json();
    QCOMPARE(v.value(u"groupBy"_s).toString(), u"label:dc,label:role"_s);
    const QJsonArray slices = v.value(u"byLabel"_s).toArray();
    QCOMPARE(slices.size(), 3);
    const QJsonObject db = slices.at(0).toObject(); // both labels: first
    QCOMPARE(db.value(u"labels"_s).toObject(),
             (QJsonObject{{u"dc"_s, u"ams1"_s}, {u"role"_s, u"db"_s}}));
    QCOMPARE(db.value(u"nodes"_s).toInt(), 1);
    QVERIFY(!db.contains(u"label"_s)); // only with one groupBy label
    const QJsonObject fra = slices.at(1).toObject();
    QCOMPARE(fra.value(u"labels"_s).toObject(),
             (QJsonObject{{u"dc"_s, u"fra1"_s}, {u"role"_s, QJsonValue::Null}}));
    QCOMPARE(fra.value(u"nodes"_s).toInt(), 3);
    QCOMPARE(fra.value(u"groupCount"_s).toInt(), 2);
    const QJsonObject none = slices.at(2).toObject();
    QCOMPARE(none.value(u"labels"_s).toObject(),
             (QJsonObject{{u"dc"_s, QJsonValue::Null}, {u"role"_s, QJsonValue::Null}}));
    QCOMPARE(none.value(u"failed"_s).toObject().value(u"refused"_s).toInt(), 1);

    // The parameter repeated is the same list.
    const HttpReply repeated =
        m_client->get(api(u"/values?path=version&groupBy=label:dc&groupBy=label:role"_s));
    QCOMPARE(repeated.status, 200);
    QCOMPARE(repeated.json().value(u"byLabel"_s), v.value(u"byLabel"_s));

    const HttpReply twice = m_client->get(api(u"/values?path=version&groupBy=label:dc,label:dc"_s));
    QCOMPARE(twice.status, 400);
    QVERIFY2(twice.body.contains("label:dc twice"), twice.body.constData());
}

void TestInventoryApi::csvExportHasLabelColumns()
{
    const HttpReply reply =
        m_client->get(api(u"/results?format=csv&sort=node&fields=node,labels.dc,label:role"_s));
    QCOMPARE(reply.status, 200);
    const QStringList lines = QString::fromUtf8(reply.body).split(u"\r\n"_s, Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 6);
    QCOMPARE(lines.at(0), u"node,labels.dc,label:role"_s);
    QVERIFY(lines.contains(m_single + u",ams1,db"_s));
    QVERIFY(lines.contains(u"127.0.0.2:%1,fra1,"_s.arg(m_nodes.front()->port())));
    QVERIFY(lines.contains(u"127.0.0.1:1,,"_s));
}

void TestInventoryApi::scheduleRoundsKeepLabels()
{
    const QJsonObject body{
        {u"nodes"_s, QJsonArray{QJsonObject{{u"node"_s, m_single},
                                            {u"labels"_s, QJsonObject{{u"dc"_s, u"ams1"_s}}}}}},
        {u"url"_s, u"metric"_s},
        {u"every"_s, u"1h"_s}};
    const HttpReply created = m_client->postJson(u"/api/v1/schedules"_s, body);
    QCOMPARE(created.status, 201);
    const QString hunt = created.json().value(u"hunt"_s).toString();
    QCOMPARE(m_client->waitFinished(hunt, 30000).value(u"state"_s).toString(), u"done"_s);
    const HttpReply results = m_client->get(u"/api/v1/hunts/"_s + hunt + u"/results"_s);
    const QJsonArray rows = results.json().value(u"results"_s).toArray();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.at(0).toObject().value(u"labels"_s).toObject(),
             (QJsonObject{{u"dc"_s, u"ams1"_s}}));
    const QString id = created.json().value(u"schedule"_s).toString();
    QCOMPARE(m_client->send("DELETE", u"/api/v1/schedules/"_s + id).status, 200);
}

void TestInventoryApi::errors_data()
{
    QTest::addColumn<QJsonArray>("nodes");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("reason"); // in details.nodes[0].reason, or the message
    QTest::newRow("bad label name") << QJsonArray{QJsonObject{
        {u"node"_s, u"a:1"_s}, {u"labels"_s, QJsonObject{{u"__x"_s, u"1"_s}}}}}
                                    << 400 << u"invalid label name '__x'"_s;
    QTest::newRow("label not a string")
        << QJsonArray{QJsonObject{{u"node"_s, u"a:1"_s}, {u"labels"_s, QJsonObject{{u"dc"_s, 1}}}}}
        << 400 << u"string value"_s;
    QTest::newRow("unknown key in a node object")
        << QJsonArray{QJsonObject{{u"node"_s, u"a:1"_s}, {u"lables"_s, QJsonObject{}}}} << 400
        << u"only 'node' and 'labels'"_s;
    QTest::newRow("range start above end")
        << QJsonArray{u"a:1"_s, u"h[5-1]:9100"_s} << 400 << u"5 is above 1"_s;
    QTest::newRow("range of letters") << QJsonArray{u"h[a-b]"_s} << 400 << u"not a number"_s;
    QTest::newRow("unclosed range") << QJsonArray{u"h[1-3:9100"_s} << 400 << u"unclosed '['"_s;
    QTest::newRow("range over the node limit")
        << QJsonArray{u"10.0.[0-255].[1-254]:9100"_s} << 413
        << u"'10.0.[0-255].[1-254]:9100' expands to 65024 nodes; at most 20"_s;
}

void TestInventoryApi::errors()
{
    QFETCH(QJsonArray, nodes);
    QFETCH(int, status);
    QFETCH(QString, reason);
    const HttpReply reply = m_client->postJson(
        u"/api/v1/hunts"_s, QJsonObject{{u"nodes"_s, nodes}, {u"url"_s, u"metric"_s}});
    QCOMPARE(reply.status, status);
    const QJsonValue details = reply.json().value(u"details"_s);
    const QJsonArray bad = details.toObject().value(u"nodes"_s).toArray();
    const QString text = status == 400 ? bad.at(0).toObject().value(u"reason"_s).toString()
                                       : QString::fromUtf8(reply.body);
    QVERIFY2(text.contains(reason), reply.body.constData());
    QCOMPARE(m_service->engine()->activeHunts().size(), 0); // nothing started
}

QTEST_GUILESS_MAIN(TestInventoryApi)
#include "tst_inventoryapi.moc"
