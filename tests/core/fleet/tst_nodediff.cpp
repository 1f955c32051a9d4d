// NodeDiff: flattening bodies into leaf paths, node vs node, node vs the hunt's majority.
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "core/base/huntid.h"
#include "core/fleet/nodediff.h"
#include "core/hunt/huntinfo.h"
#include "core/store/resultstore.h"
#include "tests/common/storedhunt.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

using Artemis::Test::huntManifest;

namespace {

QJsonObject object(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

QStringList paths(const QList<NodeDifference> &entries)
{
    QStringList out;
    for (const NodeDifference &d : entries) {
        out.append(d.path);
    }
    return out;
}

} // namespace

class TestNodeDiff : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void flatten();
    void nodeAgainstNode();
    void againstMajority();
    void missingPathWithoutAMajorityNamesNoValue();
    void errors();
};

void TestNodeDiff::flatten()
{
    const QList<LeafValue> leaves =
        flattenJson(object(R"({"b":{"c":[1,{"d":"x"}],"e":{}},"a":1,"f":[],"k.x":true,"n":null})"));
    QStringList got;
    for (const LeafValue &leaf : leaves) {
        got.append(leaf.path);
    }
    QCOMPARE(got, (QStringList{u"a"_s, u"b.c[0]"_s, u"b.c[1].d"_s, u"b.e"_s, u"f"_s, u"[\"k.x\"]"_s,
                               u"n"_s}));
    QCOMPARE(leaves[2].value, QJsonValue(u"x"_s));
    QCOMPARE(leaves[3].value, QJsonValue(QJsonObject{}));
    QVERIFY(leaves[6].value.isNull());
    QCOMPARE(flattenJson(QJsonValue(42)).size(), 1);
    QCOMPARE(flattenJson(QJsonValue(42)).first().path, QString());
    QVERIFY(flattenJson(QJsonValue(QJsonValue::Undefined)).isEmpty());
}

void TestNodeDiff::nodeAgainstNode()
{
    const QJsonObject a = object(R"({"v":"1.4.2","n":1,"s":"1","cfg":{"x":[1,2,3]},"mine":0})");
    const QJsonObject b = object(R"({"v":"1.4.2","n":1.0,"s":1,"cfg":{"x":[1,5]},"theirs":0})");
    const NodeDiff diff = diffNodes(a, b, u"a"_s, u"previous round"_s);
    QCOMPARE(diff.node, u"a"_s);
    QCOMPARE(diff.against, u"previous round"_s);
    QCOMPARE(diff.compared, 1);
    QCOMPARE(paths(diff.differences), (QStringList{u"cfg.x[1]"_s, u"s"_s}));
    QCOMPARE(diff.differences[0].value, QJsonValue(2));
    QCOMPARE(diff.differences[0].expected, QJsonValue(5));
    QCOMPARE(paths(diff.onlyNode), (QStringList{u"cfg.x[2]"_s, u"mine"_s}));
    QCOMPARE(paths(diff.onlyOther), (QStringList{u"theirs"_s}));
    QVERIFY(diffNodes(a, a).differences.isEmpty());
}

void TestNodeDiff::againstMajority()
{
    QTemporaryDir dir;
    ResultStore store(dir.path());
    QVERIFY(store.open());
    QList<Outcome> outcomes;
    QStringList nodes;
    for (int i = 0; i < 20; ++i) {
        const QString node = u"node-%1"_s.arg(i);
        nodes.append(node);
        QJsonObject body{
            {u"version"_s, u"1.4.2"_s},
            {u"cfg"_s, QJsonObject{{u"a"_s, 1}, {u"b"_s, 2}}},
            {u"uptime"_s, i * 100},
            {u"list"_s, QJsonArray{1, 2}},
        };
        if (i < 3) {
            body.insert(u"debug"_s, false);
        }
        if (i == 7) {
            body.insert(u"version"_s, u"1.4.1"_s); // a minority the target must not follow
        }
        outcomes.append(Test::okAnswer(node, body));
    }
    outcomes.append(Outcome::unanswered(u"node-20"_s, {}, OutcomeKind::Timeout, u"timeout"_s));
    nodes.append(u"node-20"_s);
    const QString target = u"odd"_s;
    nodes.append(target);
    outcomes.append(Test::okAnswer(target, object(R"({"version":"1.3.0","cfg":{"a":1,"b":3},
            "uptime":5,"list":[1],"debug":true})")));
    // A second record of an already counted node (distributed-mode edge case): ignored.
    outcomes.append(Test::okAnswer(u"node-0"_s, object(R"({"version":"1.3.0"})")));

    const HuntInfo info = huntManifest(int(nodes.size()));
    QVERIFY(store.createHunt(info, nodes));
    QVERIFY(store.appendResults(info.id, outcomes));

    const Result<NodeDiff> diff = diffAgainstMajority(store, info.id, target);
    QVERIFY2(diff, qPrintable(diff ? QString() : diff.error().message));
    QCOMPARE(diff->node, target);
    QCOMPARE(diff->against, u"majority"_s);
    QCOMPARE(diff->compared, 20);
    QCOMPARE(paths(diff->differences), (QStringList{u"cfg.b"_s, u"version"_s}));
    QCOMPARE(diff->differences[0].value, QJsonValue(3));
    QCOMPARE(diff->differences[0].expected, QJsonValue(2));
    QCOMPARE(diff->differences[0].share, 1.0);
    QCOMPARE(diff->differences[1].expected, QJsonValue(u"1.4.2"_s));
    QCOMPARE(diff->differences[1].share, 19.0 / 20.0);
    QCOMPARE(diff->variable, 1); // uptime
    QCOMPARE(paths(diff->onlyNode), (QStringList{u"debug"_s}));
    QCOMPARE(diff->onlyNode[0].share, 3.0 / 20.0);
    QCOMPARE(paths(diff->onlyOther), (QStringList{u"list[1]"_s}));
    QCOMPARE(diff->onlyOther[0].expected, QJsonValue(2));

    const QJsonObject json = toJson(*diff);
    QCOMPARE(json.keys(), (QStringList{u"against"_s, u"compared"_s, u"differences"_s, u"node"_s,
                                       u"onlyNode"_s, u"onlyOther"_s, u"variable"_s}));
    QCOMPARE(json[u"differences"_s].toArray()[0].toObject().keys(),
             (QStringList{u"expected"_s, u"path"_s, u"share"_s, u"value"_s}));
    QCOMPARE(json[u"onlyNode"_s].toArray()[0].toObject().keys(),
             (QStringList{u"path"_s, u"share"_s, u"value"_s}));
    QCOMPARE(json[u"onlyOther"_s].toArray()[0].toObject().keys(),
             (QStringList{u"expected"_s, u"path"_s, u"present"_s, u"share"_s}));
    QCOMPARE(diff->onlyOther[0].share, 1.0);
    QCOMPARE(diff->onlyOther[0].present, 1.0);

    // A node that agrees with the majority has no differences.
    const Result<NodeDiff> normal = diffAgainstMajority(store, info.id, u"node-5"_s);
    QVERIFY(normal);
    QVERIFY(normal->differences.isEmpty());
    QVERIFY(normal->onlyOther.isEmpty());
    QVERIFY(normal->onlyNode.isEmpty());
}

// The trial's case: a path the node lacks that 99 % of the others have, where the most common
// value (42.5) is held by 21 of 140 nodes. The diff must not call 42.5 "expected (99.3 %)": it
// says there is no majority, and how common the path is. A path whose value is a majority names
// it with that value's own share, not the share of nodes having the path.
void TestNodeDiff::missingPathWithoutAMajorityNamesNoValue()
{
    QTemporaryDir dir;
    ResultStore store(dir.path());
    QVERIFY(store.open());
    QList<Outcome> outcomes;
    QStringList nodes;
    for (int i = 0; i < 140; ++i) {
        const QString node = u"node-%1"_s.arg(i);
        nodes.append(node);
        QJsonObject body{{u"build"_s, i < 80 ? u"b1"_s : u"b2"_s}};
        if (i > 0) { // node-0 lacks it too
            body.insert(u"disk"_s, i <= 21 ? 42.5 : 10.0 + i);
        }
        outcomes.append(Test::okAnswer(node, body));
    }
    const QString target = u"odd"_s;
    nodes.append(target);
    outcomes.append(Test::okAnswer(target, QJsonObject{{u"other"_s, 1}}));
    const HuntInfo info = huntManifest(int(nodes.size()));
    QVERIFY(store.createHunt(info, nodes));
    QVERIFY(store.appendResults(info.id, outcomes));

    const Result<NodeDiff> diff = diffAgainstMajority(store, info.id, target);
    QVERIFY2(diff, qPrintable(diff ? QString() : diff.error().message));
    QCOMPARE(diff->compared, 140);
    QCOMPARE(paths(diff->onlyOther), (QStringList{u"build"_s, u"disk"_s}));
    const NodeDifference &build = diff->onlyOther[0];
    QCOMPARE(build.noMajority, false);
    QCOMPARE(build.expected, QJsonValue(u"b1"_s));
    QCOMPARE(build.share, 80.0 / 140.0); // the share of "b1", not of nodes having "build"
    QCOMPARE(build.present, 1.0);
    const NodeDifference &disk = diff->onlyOther[1];
    QCOMPARE(disk.noMajority, true);
    QVERIFY(disk.expected.isUndefined());
    QCOMPARE(disk.present, 139.0 / 140.0);

    const QJsonObject json = toJson(*diff);
    const QJsonObject diskJson = json[u"onlyOther"_s].toArray()[1].toObject();
    QCOMPARE(diskJson.keys(), (QStringList{u"majority"_s, u"path"_s, u"present"_s}));
    QCOMPARE(diskJson[u"majority"_s], QJsonValue(false));
    // And back (the GUI's remote mode reads the service's JSON).
    const Result<NodeDiff> back = nodeDiffFromJson(json);
    QVERIFY(back);
    QCOMPARE(back->onlyOther[1].noMajority, true);
    QCOMPARE(back->onlyOther[1].present, 139.0 / 140.0);
    QCOMPARE(back->onlyOther[0].noMajority, false);
    QCOMPARE(back->onlyOther[0].share, 80.0 / 140.0);
}

void TestNodeDiff::errors()
{
    QTemporaryDir dir;
    ResultStore store(dir.path());
    QVERIFY(store.open());
    const HuntInfo info = huntManifest(0);
    QVERIFY(store.createHunt(info, {u"a"_s, u"b"_s}));
    QVERIFY(store.appendResults(
        info.id, {Test::okAnswer(u"a"_s, object(R"({"x":1})")),
                  Outcome::unanswered(u"b"_s, {}, OutcomeKind::Refused, u"refused"_s)}));
    const Result<NodeDiff> unknown = diffAgainstMajority(store, info.id, u"c"_s);
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().code, ErrorCode::NotFound);
    const Result<NodeDiff> failed = diffAgainstMajority(store, info.id, u"b"_s);
    QVERIFY(!failed);
    QCOMPARE(failed.error().code, ErrorCode::NotFound);
    QVERIFY(failed.error().message.contains(u"refused"_s));
    const Result<NodeDiff> noHunt = diffAgainstMajority(store, newHuntId(), u"a"_s);
    QVERIFY(!noHunt);
    QCOMPARE(noHunt.error().code, ErrorCode::NotFound);
}

QTEST_GUILESS_MAIN(TestNodeDiff)
#include "tst_nodediff.moc"
