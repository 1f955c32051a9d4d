// Issue #14: schedules whose nodes come from a source ("nodesFrom": {"file": PATH} or
// {"http": URL}, core/inventory/nodesource.h), read again before every round. Over real HTTP
// against loopback fake nodes and a fake http_sd endpoint (tests/common/fakenode.h), with the
// scheduler's time a ManualClock: file_sd JSON and YAML files whose list changes between rounds,
// an http_sd source that breaks mid-schedule (500, a refused list, bad JSON, a hang, gone) and
// recovers, the 400s, and a restart that keeps the last good list.
#include <QtTest>

#include <functional>
#include <memory>

#include "restservice.h"
#include "tests/common/fakenode.h"
#include "tests/common/manualclock.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Test;

class TestNodeSources : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fileSources();
    void httpSourceBreaksAndRecovers();
    void badRequests_data();
    void badRequests();
    void restartKeepsLastGoodList();
    void nameOfDeniedAddressGetsNothing_data();
    void nameOfDeniedAddressGetsNothing();

private:
    ServiceOptions fast()
    {
        m_clock = std::make_shared<ManualClock>();
        ServiceOptions options = ServiceOptions::fastSchedules(m_clock);
        options.nodeSourceTimeoutMs = 500;
        options.maxNodes = 1000;
        return options;
    }

    std::shared_ptr<ManualClock> m_clock; // fast()'s
};

namespace {

constexpr qint64 EveryMs = 200;

// [{"targets": [...], "labels": {"NAME": "VALUE"}}] as file_sd / http_sd JSON.
QByteArray sdJson(const QStringList &targets, const QString &name, const QString &value)
{
    const QJsonArray groups{QJsonObject{{u"targets"_s, QJsonArray::fromStringList(targets)},
                                        {u"labels"_s, QJsonObject{{name, value}}}}};
    return QJsonDocument(groups).toJson();
}

void writeFile(const QString &path, const QByteArray &text)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(text), text.size());
}

QJsonObject scheduleBody(const QJsonObject &nodesFrom)
{
    return QJsonObject{{u"nodesFrom"_s, nodesFrom},
                       {u"url"_s, u"metric"_s},
                       {u"every"_s, u"200ms"_s},
                       {u"options"_s, QJsonObject{{u"attempts"_s, 1}}}};
}

// Waits until round `round` of schedule `id` has started and its hunt is done; returns the
// schedule's JSON then (empty on timeout).
QJsonObject waitRoundDone(HttpClient &client, const QString &id, int round)
{
    QJsonObject schedule;
    const bool done = waitUntil([&] {
        schedule = client.get(u"/api/v1/schedules/"_s + id).json();
        const QJsonObject newest = schedule.value(u"rounds"_s).toArray().first().toObject();
        return schedule.value(u"roundsStarted"_s).toInt() >= round
               && newest.value(u"round"_s).toInt() == round
               && newest.value(u"state"_s).toString() == u"done"_s;
    });
    return done ? schedule : QJsonObject{};
}

// The newest round's results as node -> labels.
QHash<QString, QJsonObject> newestRoundLabels(HttpClient &client, const QJsonObject &schedule)
{
    const QString hunt =
        schedule.value(u"rounds"_s).toArray().first().toObject().value(u"hunt"_s).toString();
    QHash<QString, QJsonObject> labels;
    const QJsonObject page = client.get(u"/api/v1/hunts/%1/results?limit=100"_s.arg(hunt)).json();
    for (const QJsonValue &r : page.value(u"results"_s).toArray()) {
        labels.insert(r[u"node"_s].toString(), r[u"labels"_s].toObject());
    }
    return labels;
}

QJsonObject sourceOf(const QJsonObject &schedule)
{
    return schedule.value(u"nodesFrom"_s).toObject();
}

} // namespace

void TestNodeSources::fileSources()
{
    RestService service(fast());
    HttpClient client(service.base());
    FakeNode a, b;
    QVERIFY(a.start() && b.start());
    QTemporaryDir dir;
    const QString path = dir.filePath(u"nodes.json"_s);
    writeFile(path, sdJson({a.node()}, u"dc"_s, u"fra1"_s));

    const HttpReply created =
        client.postJson(u"/api/v1/schedules"_s, scheduleBody({{u"file"_s, path}}));
    QCOMPARE(created.status, 201);
    QVERIFY(created.headers.value("location").startsWith("/api/v1/schedules/"));
    const QString id = created.json().value(u"schedule"_s).toString();
    QCOMPARE(sourceOf(created.json()).value(u"file"_s).toString(), path);
    QCOMPARE(sourceOf(created.json()).value(u"nodes"_s).toInt(), 1);

    QJsonObject schedule = waitRoundDone(client, id, 1);
    QVERIFY(!schedule.isEmpty());
    QHash<QString, QJsonObject> labels = newestRoundLabels(client, schedule);
    QCOMPARE(labels.keys(), QStringList{a.node()});
    QCOMPARE(labels.value(a.node()), (QJsonObject{{u"dc"_s, u"fra1"_s}}));

    // The same file rewritten as file_sd YAML with two nodes and other labels: the next round
    // runs on it.
    writeFile(path, u"# two now\n- targets: ['%1', '%2']\n  labels:\n    dc: ams1\n"_s
                        .arg(a.node(), b.node())
                        .toUtf8());
    m_clock->advance(EveryMs);
    schedule = waitRoundDone(client, id, 2);
    QVERIFY(!schedule.isEmpty());
    labels = newestRoundLabels(client, schedule);
    QCOMPARE(labels.size(), 2);
    QCOMPARE(labels.value(b.node()), (QJsonObject{{u"dc"_s, u"ams1"_s}}));
    QCOMPARE(schedule.value(u"nodeCount"_s).toInt(), 2);
    QCOMPARE(sourceOf(schedule).value(u"nodes"_s).toInt(), 2);
    QVERIFY(!sourceOf(schedule).contains(u"lastError"_s));

    // Broken: the round runs on the last good list and the schedule says why, with the place.
    writeFile(path, "[{\"targets\": [\"a\"], }]");
    m_clock->advance(EveryMs);
    schedule = waitRoundDone(client, id, 3);
    QVERIFY(!schedule.isEmpty());
    QCOMPARE(newestRoundLabels(client, schedule).size(), 2);
    QVERIFY2(sourceOf(schedule).value(u"lastError"_s).toString().contains(u"at byte"_s),
             qPrintable(sourceOf(schedule).value(u"lastError"_s).toString()));
    QCOMPARE(sourceOf(schedule).value(u"failures"_s).toInt(), 1);

    QVERIFY(QFile::remove(path));
    m_clock->advance(EveryMs);
    schedule = waitRoundDone(client, id, 4);
    QVERIFY(!schedule.isEmpty());
    QCOMPARE(newestRoundLabels(client, schedule).size(), 2);
    QVERIFY(sourceOf(schedule).value(u"lastError"_s).toString().contains(u"does not exist"_s));
    QCOMPARE(sourceOf(schedule).value(u"failures"_s).toInt(), 2);
}

void TestNodeSources::httpSourceBreaksAndRecovers()
{
    RestService service(fast());
    HttpClient client(service.base());
    FakeNode a, b, c;
    QVERIFY(a.start() && b.start() && c.start());
    auto sd = std::make_unique<FakeNode>();
    QVERIFY(sd->start());
    const quint16 sdPort = sd->port();
    sd->setJsonBody(sdJson({a.node(), b.node()}, u"role"_s, u"web"_s));
    const QString url = u"http://127.0.0.1:%1/sd"_s.arg(sdPort);

    const HttpReply created =
        client.postJson(u"/api/v1/schedules"_s, scheduleBody({{u"http"_s, url}}));
    QCOMPARE(created.status, 201);
    const QString id = created.json().value(u"schedule"_s).toString();
    QCOMPARE(sd->requestPaths().value(0), QByteArray("/sd"));
    QJsonObject schedule = waitRoundDone(client, id, 1);
    QVERIFY(!schedule.isEmpty());
    QCOMPARE(newestRoundLabels(client, schedule).value(a.node()),
             (QJsonObject{{u"role"_s, u"web"_s}}));

    // Each breakage in turn: the round still runs, on the last good list (a and b).
    const QList<std::pair<std::function<void()>, QString>> breakages{
        {[&] {
             sd->setStatus(500, "oops");
             sd->setBehaviour(FakeNode::Behaviour::Status);
         },
         u"HTTP 500"_s},
        {[&] {
             sd->setBehaviour(FakeNode::Behaviour::Json);
             sd->setJsonBody(sdJson({u"bob@10.0.0.1"_s}, u"role"_s, u"web"_s));
         },
         u"the list read was refused"_s},
        {[&] { sd->setBehaviour(FakeNode::Behaviour::Garbage); }, u"not http_sd JSON"_s},
        {[&] {
             sd->setJsonBody("[{\"targets\": 5}]");
             sd->setBehaviour(FakeNode::Behaviour::Json);
         },
         u"'targets' must be an array"_s},
        {[&] { sd->setBehaviour(FakeNode::Behaviour::Hang); }, u"timed out after 500 ms"_s},
        {[&] { sd.reset(); }, u"refused"_s},
    };
    int round = 1;
    for (const auto &[breakIt, expected] : breakages) {
        breakIt();
        m_clock->advance(EveryMs);
        schedule = waitRoundDone(client, id, ++round);
        QVERIFY2(!schedule.isEmpty(), qPrintable(expected));
        const QHash<QString, QJsonObject> labels = newestRoundLabels(client, schedule);
        QCOMPARE(labels.size(), 2);
        QVERIFY(labels.contains(a.node()) && labels.contains(b.node()));
        const QJsonObject source = sourceOf(schedule);
        QVERIFY2(source.value(u"lastError"_s).toString().contains(expected),
                 qPrintable(source.value(u"lastError"_s).toString()));
        QVERIFY(source.value(u"lastError"_s).toString().startsWith(u"nodesFrom "_s + url));
        QCOMPARE(source.value(u"failures"_s).toInt(), round - 1);
        QCOMPARE(source.value(u"nodes"_s).toInt(), 2);
        QVERIFY(source.contains(u"lastErrorAt"_s));
    }

    // Back, with three nodes and another label: used at once, and the error is gone.
    sd = std::make_unique<FakeNode>();
    QVERIFY(sd->start(QHostAddress::LocalHost, sdPort));
    sd->setJsonBody(sdJson({a.node(), b.node(), c.node()}, u"role"_s, u"db"_s));
    m_clock->advance(EveryMs);
    schedule = waitRoundDone(client, id, ++round);
    QVERIFY(!schedule.isEmpty());
    const QHash<QString, QJsonObject> labels = newestRoundLabels(client, schedule);
    QCOMPARE(labels.size(), 3);
    QCOMPARE(labels.value(c.node()), (QJsonObject{{u"role"_s, u"db"_s}}));
    const QJsonObject source = sourceOf(schedule);
    QVERIFY(!source.contains(u"lastError"_s));
    QCOMPARE(source.value(u"failures"_s).toInt(), 0);
    QCOMPARE(source.value(u"nodes"_s).toInt(), 3);
    QVERIFY(source.contains(u"lastErrorAt"_s));
    QCOMPARE(client.get(u"/api/v1/schedules"_s)
                 .json()[u"schedules"_s][0][u"nodesFrom"_s][u"nodes"_s]
                 .toInt(),
             3);
}

void TestNodeSources::badRequests_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");

    static QTemporaryDir dir;
    auto file = [&](const QString &name, const QByteArray &text) {
        const QString path = dir.filePath(name);
        QFile f(path);
        if (f.open(QIODevice::WriteOnly)) {
            f.write(text);
        }
        return QJsonObject{{u"file"_s, path}};
    };
    const QString schedules = u"/api/v1/schedules"_s;
    QJsonObject both = scheduleBody({{u"file"_s, u"/x"_s}});
    both.insert(u"nodes"_s, QJsonArray{u"127.0.0.1:1"_s});
    QJsonObject neither = scheduleBody({});
    neither.remove(u"nodesFrom"_s);

    QTest::newRow("nodes and nodesFrom") << schedules << both << 400 << u"not both"_s;
    QTest::newRow("neither") << schedules << neither << 400 << u"or 'nodesFrom'"_s;
    QTest::newRow("ftp URL") << schedules << scheduleBody({{u"http"_s, u"ftp://h/sd"_s}}) << 400
                             << u"http:// or https://"_s;
    QTest::newRow("user info") << schedules
                               << scheduleBody({{u"http"_s, u"http://u:p@127.0.0.1/sd"_s}}) << 400
                               << u"no user info"_s;
    QTest::newRow("URL denied by policy")
        << schedules << scheduleBody({{u"http"_s, u"http://169.254.169.254/sd"_s}}) << 400
        << u"refused by the target policy"_s;
    QTest::newRow("file and http")
        << schedules << scheduleBody({{u"file"_s, u"/x"_s}, {u"http"_s, u"http://h/"_s}}) << 400
        << u"{\"file\": PATH} or {\"http\": URL}"_s;
    QTest::newRow("not an object")
        << schedules
        << QJsonObject{{u"nodesFrom"_s, u"/x"_s}, {u"url"_s, u"metric"_s}, {u"every"_s, u"1s"_s}}
        << 400 << u"{\"file\": PATH}"_s;
    QTest::newRow("relative path")
        << schedules << scheduleBody({{u"file"_s, u"nodes.json"_s}}) << 400 << u"absolute path"_s;
    QTest::newRow("missing file") << schedules
                                  << scheduleBody({{u"file"_s, dir.filePath(u"none.json"_s)}})
                                  << 400 << u"does not exist"_s;
    QTest::newRow("empty list") << schedules << scheduleBody(file(u"empty.json"_s, "[]")) << 400
                                << u"the list has no targets"_s;
    QTest::newRow("bad YAML") << schedules
                              << scheduleBody(file(u"bad.yaml"_s, "- targets: [a\n  labels: {"))
                              << 400 << u"not valid file_sd YAML"_s;
    // (__meta_* labels are dropped as Prometheus drops them: tst_nodefile.)
    QTest::newRow("bad label name")
        << schedules
        << scheduleBody(file(u"badlabel.json"_s, sdJson({u"127.0.0.1:1"_s}, u"my-dc"_s, u"1"_s)))
        << 400 << u"group 0: 'labels' must map valid names"_s;
    QTest::newRow("over the node limit")
        << schedules << scheduleBody(file(u"big.txt"_s, "10.0.[0-9].[1-200]:9100\n")) << 413
        << u"at most 1000"_s;
    QTest::newRow("source unreachable")
        << schedules << scheduleBody({{u"http"_s, u"http://127.0.0.1:1/sd"_s}}) << 400
        << u"nodesFrom http://127.0.0.1:1/sd: "_s;
    QTest::newRow("only on /schedules")
        << u"/api/v1/hunts"_s << scheduleBody({{u"file"_s, u"/x"_s}}) << 400
        << u"unknown field 'nodesFrom'"_s;
}

void TestNodeSources::badRequests()
{
    QFETCH(QString, path);
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    QFETCH(QString, error);
    RestService service(fast());
    HttpClient client(service.base());
    const HttpReply reply = client.postJson(path, body);
    QCOMPARE(reply.status, status);
    // The message is "details", or its "message" when the details are structured.
    const QJsonValue details = reply.json().value(u"details"_s);
    const QString message =
        details.isString() ? details.toString() : details[u"message"_s].toString();
    QVERIFY2(message.contains(error), reply.body.constData());
    QCOMPARE(service.scheduler()->list().size(), 0);
}

// Issue #21: the service's own stack (scheduler -> NodeSourceReader, the system resolver)
// resolves a nodesFrom name and checks its addresses: `localhost` under --deny 127.0.0.0/8 or
// --allow 10.0.0.0/8 is refused at creation (400, naming the address) and the listener behind
// it receives no connection; without the rule the same source is read.
void TestNodeSources::nameOfDeniedAddressGetsNothing_data()
{
    QTest::addColumn<QString>("allow");
    QTest::addColumn<QString>("deny");
    QTest::addColumn<int>("status");
    QTest::newRow("deny 127/8") << QString() << u"127.0.0.0/8"_s << 400;
    QTest::newRow("deny loopback") << QString() << u"loopback"_s << 400;
    QTest::newRow("allow 10/8") << u"10.0.0.0/8"_s << QString() << 400;
    QTest::newRow("default policy") << QString() << QString() << 201;
}

void TestNodeSources::nameOfDeniedAddressGetsNothing()
{
    QFETCH(QString, allow);
    QFETCH(QString, deny);
    QFETCH(int, status);
    FakeNode sd, node;
    QVERIFY(sd.start(QHostAddress::LocalHost) && node.start());
    sd.setJsonBody(sdJson({node.node()}, u"dc"_s, u"a"_s));
    ServiceOptions options = fast();
    if (!allow.isEmpty()) {
        QVERIFY(options.policy->allow(allow));
    }
    if (!deny.isEmpty()) {
        QVERIFY(options.policy->deny(deny));
    }
    RestService service(options);
    HttpClient client(service.base());
    const HttpReply reply =
        client.postJson(u"/api/v1/schedules"_s,
                        scheduleBody({{u"http"_s, u"http://localhost:%1/sd"_s.arg(sd.port())}}));
    QCOMPARE(reply.status, status);
    if (status != 400) {
        QCOMPARE(sd.connectionCount(), 1);
        return;
    }
    const QString details = reply.json().value(u"details"_s).toString();
    QVERIFY2(details.contains(u"127.0.0.1"_s) && details.contains(u"refused"_s),
             reply.body.constData());
    QCOMPARE(sd.connectionCount(), 0);
    QCOMPARE(service.scheduler()->list().size(), 0);
}

void TestNodeSources::restartKeepsLastGoodList()
{
    auto clock = std::make_shared<ManualClock>();
    StackOptions options;
    options.scheduler->minEveryMs = 100;
    options.scheduler->clock = clock;
    StackFixture fixture;
    QVERIFY2_OK(fixture.open(options));
    FakeNode a, b;
    QVERIFY(a.start() && b.start());
    const QString path = fixture.filePath(u"nodes.yaml"_s);
    writeFile(path, u"- targets: ['%1']\n"_s.arg(a.node()).toUtf8());

    ScheduleSpec spec;
    spec.nodesFrom = NodeSource{NodeSource::Kind::File, path};
    spec.url = u"metric"_s;
    spec.everyMs = EveryMs;
    spec.origin = u"api"_s;
    std::optional<Result<Schedule>> created;
    QObject context;
    fixture.scheduler()->createLater(spec, &context,
                                     [&](const Result<Schedule> &s) { created = s; });
    QVERIFY(!created); // never inside the call
    QTRY_VERIFY_WITH_TIMEOUT(created.has_value(), 10000);
    QVERIFY2_OK(*created);
    const QString id = (*created)->id;
    QCOMPARE((*created)->spec.nodes, QStringList{a.node()});

    auto newestDone = [&](int round) {
        const std::optional<Schedule> s = fixture.scheduler()->find(id);
        return s && s->roundsStarted == round
               && !fixture.engine()->activeInfo(s->rounds.last().hunt).has_value();
    };
    QTRY_VERIFY_WITH_TIMEOUT(newestDone(1), 10000);
    writeFile(
        path,
        u"- targets: ['%1', '%2']\n  labels: {dc: fra1}\n"_s.arg(a.node(), b.node()).toUtf8());
    clock->advance(EveryMs);
    QTRY_VERIFY_WITH_TIMEOUT(newestDone(2), 10000);
    const QStringList good{a.node(), b.node()};
    QCOMPARE(fixture.scheduler()->find(id)->spec.nodes, good);

    // "Restart" with the source gone: the last good list and its labels come back.
    fixture.close();
    QVERIFY(QFile::remove(path));
    QVERIFY2_OK(fixture.open(options));
    QVERIFY2_OK(fixture.scheduler()->load());
    std::optional<Schedule> loaded = fixture.scheduler()->find(id);
    QVERIFY(loaded);
    QCOMPARE(loaded->spec.nodes, good);
    QCOMPARE(loaded->spec.labels.size(), 2);
    QCOMPARE(loaded->spec.labels.at(1).value(u"dc"_s), u"fra1"_s);
    QVERIFY(loaded->spec.nodesFrom == spec.nodesFrom);
    QVERIFY(loaded->sourceStatus.lastReadAt.isValid());

    clock->advance(EveryMs);
    QTRY_VERIFY_WITH_TIMEOUT(newestDone(3), 10000);
    loaded = fixture.scheduler()->find(id);
    QVERIFY(loaded->sourceStatus.lastError.contains(u"does not exist"_s));
    const Result<HuntInfo> third = fixture.catalog()->find(loaded->rounds.last().hunt);
    QVERIFY2_OK(third);
    QCOMPARE(third->total, 2);
}

QTEST_GUILESS_MAIN(TestNodeSources)
#include "tst_nodesources.moc"
