// /api/v1/schedules over real HTTP on a loopback port chosen at runtime, against fake nodes,
// with the scheduler's minimum interval lowered to 100 ms and its time a ManualClock
// (tests/common/manualclock.h) that the test moves one interval at a time.
#include <QtTest>

#include <QUrl>

#include "core/watch/scheduler.h"
#include "restservice.h"
#include "tests/common/fakenode.h"
#include "tests/common/manualclock.h"
#include "tests/common/wait.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Test;

class TestSchedules : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void createListShowHistoryDelete();
    void huntsWithEveryCreatesSchedule();
    void worstCasePastIntervalWarnsInCreateAndShow();
    void badRequests();
    void documented();

private:
    ServiceOptions fast()
    {
        m_clock = std::make_shared<ManualClock>();
        ServiceOptions options;
        options.minEveryMs = 100;
        options.clock = m_clock;
        return options;
    }

    std::shared_ptr<ManualClock> m_clock; // fast()'s
};

namespace {

QJsonObject scheduleBody(const QStringList &nodes, const QString &every)
{
    return QJsonObject{{u"nodes"_s, QJsonArray::fromStringList(nodes)},
                       {u"url"_s, u"metric"_s},
                       {u"every"_s, every}};
}

// Runs rounds through GET /api/v1/schedules/{id} until `rounds` rounds started and the newest
// is done: polls until the newest is done, then moves `clock` one interval (`everyMs`).
QJsonObject runRounds(HttpClient &client, ManualClock &clock, const QString &id, int rounds,
                      qint64 everyMs)
{
    QJsonObject schedule;
    for (;;) {
        const bool done = waitUntil([&] {
            schedule = client.get(u"/api/v1/schedules/"_s + id).json();
            const QJsonArray list = schedule.value(u"rounds"_s).toArray();
            return !list.isEmpty()
                   && list.first().toObject().value(u"state"_s).toString() == u"done"_s;
        });
        if (!done || schedule.value(u"roundsStarted"_s).toInt() >= rounds
            || schedule.value(u"completed"_s).toBool()) {
            return schedule;
        }
        clock.advance(everyMs);
    }
}

} // namespace

void TestSchedules::createListShowHistoryDelete()
{
    RestService service(fast());
    HttpClient client(service.base());
    FakeNode a, b;
    QVERIFY(a.start() && b.start());
    a.setJsonBody(R"({"cpu": 12.5, "mem": {"used": "80%"}, "disks": [{"free": 5}]})");

    QJsonObject body = scheduleBody({a.node(), b.node()}, u"200ms"_s);
    body.insert(u"retention"_s, QJsonObject{{u"keep"_s, 10}});
    body.insert(u"spread"_s, u"50ms"_s);
    const HttpReply created = client.postJson(u"/api/v1/schedules"_s, body);
    QCOMPARE(created.status, 201);
    const QJsonObject json = created.json();
    const QString id = json.value(u"schedule"_s).toString();
    QCOMPARE(json.value(u"id"_s).toString(), id);
    QCOMPARE(created.headers.value("location"), QString(u"/api/v1/schedules/"_s + id).toUtf8());
    QCOMPARE(json.value(u"every"_s).toString(), u"200ms"_s);
    QCOMPARE(json.value(u"everyMs"_s).toInteger(), 200);
    QCOMPARE(json.value(u"spreadMs"_s).toInt(), 50);
    QCOMPARE(json.value(u"nodeCount"_s).toInt(), 2);
    QCOMPARE(json.value(u"retention"_s).toObject().value(u"keep"_s).toInt(), 10);
    const QString firstHunt = json.value(u"hunt"_s).toString();
    QVERIFY(!firstHunt.isEmpty());

    const QJsonObject shown = runRounds(client, *m_clock, id, 3, 200);
    QVERIFY2(shown.value(u"roundsStarted"_s).toInt() == 3,
             QJsonDocument(shown).toJson().constData());
    QCOMPARE(shown.value(u"skipped"_s).toInt(), 0);
    QVERIFY(!shown.value(u"nextRunAt"_s).toString().isEmpty());
    const QJsonArray rounds = shown.value(u"rounds"_s).toArray(); // newest first
    QCOMPARE(rounds.last().toObject().value(u"hunt"_s).toString(), firstHunt);
    QCOMPARE(rounds.last().toObject().value(u"round"_s).toInt(), 1);
    QCOMPARE(rounds.first().toObject().value(u"counts"_s).toObject().value(u"ok"_s).toInt(), 2);

    // Each round is an ordinary hunt, linked to its schedule.
    const QJsonObject hunt = client.get(u"/api/v1/hunts/"_s + firstHunt).json();
    QCOMPARE(hunt.value(u"schedule"_s).toString(), id);
    QCOMPARE(hunt.value(u"round"_s).toInt(), 1);
    QCOMPARE(hunt.value(u"spreadMs"_s).toInt(), 50);
    QCOMPARE(hunt.value(u"state"_s).toString(), u"done"_s);

    const HttpReply list = client.get(u"/api/v1/schedules"_s);
    QCOMPARE(list.status, 200);
    QCOMPARE(list.json().value(u"count"_s).toInt(), 1);
    QCOMPARE(
        list.json().value(u"schedules"_s).toArray().first().toObject().value(u"id"_s).toString(),
        id);

    // History of node a: newest first, the value at the path and as a number.
    const QString node = QString::fromUtf8(QUrl::toPercentEncoding(a.node()));
    const HttpReply history =
        client.get(u"/api/v1/schedules/%1/history?node=%2&path=mem.used&limit=2"_s.arg(id, node));
    QCOMPARE(history.status, 200);
    const QJsonObject h = history.json();
    QCOMPARE(h.value(u"node"_s).toString(), a.node());
    QCOMPARE(h.value(u"path"_s).toString(), u"mem.used"_s);
    QCOMPARE(h.value(u"count"_s).toInt(), 2);
    const QJsonArray entries = h.value(u"history"_s).toArray();
    const QJsonObject newest = entries.first().toObject();
    QCOMPARE(newest.value(u"outcome"_s).toString(), u"ok"_s);
    QCOMPARE(newest.value(u"httpStatus"_s).toInt(), 200);
    QCOMPARE(newest.value(u"value"_s).toString(), u"80%"_s);
    QCOMPARE(newest.value(u"number"_s).toDouble(), 80.0);
    QVERIFY(newest.contains(u"latencyMs"_s) && newest.contains(u"fetchedAt"_s));
    QVERIFY(newest.value(u"round"_s).toInt() > entries.last().toObject().value(u"round"_s).toInt());
    const HttpReply indexed =
        client.get(u"/api/v1/schedules/%1/history?node=%2&path=disks%5B0%5D.free"_s.arg(id, node));
    QCOMPARE(indexed.status, 200);
    QCOMPARE(indexed.json()
                 .value(u"history"_s)
                 .toArray()
                 .first()
                 .toObject()
                 .value(u"number"_s)
                 .toDouble(),
             5.0);

    // History errors.
    QCOMPARE(client.get(u"/api/v1/schedules/%1/history"_s.arg(id)).status, 400);
    QCOMPARE(client.get(u"/api/v1/schedules/%1/history?node=10.1.1.1:1"_s.arg(id)).status, 404);
    QCOMPARE(client.get(u"/api/v1/schedules/%1/history?node=%2&path=a..b"_s.arg(id, node)).status,
             400);
    QCOMPARE(client.get(u"/api/v1/schedules/%1/history?node=%2&limit=0"_s.arg(id, node)).status,
             400);
    QCOMPARE(client.get(u"/api/v1/schedules/%1/history?node=%2&limit=x"_s.arg(id, node)).status,
             400);

    // DELETE stops it; the rounds stay as hunts.
    const HttpReply deleted = client.send("DELETE", u"/api/v1/schedules/"_s + id);
    QCOMPARE(deleted.status, 200);
    QCOMPARE(deleted.json().value(u"deleted"_s).toString(), id);
    const QJsonArray kept = deleted.json().value(u"roundsKept"_s).toArray();
    QVERIFY(kept.contains(firstHunt));
    QCOMPARE(client.get(u"/api/v1/schedules/"_s + id).status, 404);
    QCOMPARE(client.send("DELETE", u"/api/v1/schedules/"_s + id).status, 404);
    QCOMPARE(client.get(u"/api/v1/hunts/"_s + firstHunt).status, 200);
    const int requests = a.requestCount();
    m_clock->advance(5 * 200);
    QCOMPARE(a.requestCount(), requests); // no new rounds
    QCOMPARE(client.get(u"/api/v1/schedules"_s).json().value(u"count"_s).toInt(), 0);
}

void TestSchedules::huntsWithEveryCreatesSchedule()
{
    RestService service(fast());
    HttpClient client(service.base());
    FakeNode a;
    QVERIFY(a.start());
    QJsonObject body = scheduleBody({a.node()}, u"150ms"_s);
    body.insert(u"rounds"_s, 2);
    body.insert(u"retention"_s, QJsonObject{{u"maxAge"_s, u"1h"_s}});
    const HttpReply reply = client.postJson(u"/api/v1/hunts"_s, body);
    QCOMPARE(reply.status, 201);
    const QJsonObject json = reply.json();
    QVERIFY(json.value(u"success"_s).toString().contains(u"Schedule created"_s));
    const QString id = json.value(u"schedule"_s).toString();
    QCOMPARE(json.value(u"status"_s).toString(), u"/api/v1/schedules/"_s + id);
    QCOMPARE(json.value(u"maxRounds"_s).toInt(), 2);
    QCOMPARE(json.value(u"retention"_s).toObject().value(u"maxAge"_s).toString(), u"1h"_s);
    const QJsonObject done = runRounds(client, *m_clock, id, 2, 150);
    QCOMPARE(done.value(u"roundsStarted"_s).toInt(), 2);
    QVERIFY(done.value(u"completed"_s).toBool());
    m_clock->advance(3 * 150);
    QCOMPARE(client.get(u"/api/v1/schedules/"_s + id).json().value(u"roundsStarted"_s).toInt(), 2);
    QCOMPARE(a.requestCount(), 2);
    // Both rounds show in the ordinary hunts list, linked.
    const QJsonArray hunts = client.get(u"/api/v1/hunts"_s).json().value(u"hunts"_s).toArray();
    QCOMPARE(hunts.size(), 2);
    for (const QJsonValue &h : hunts) {
        QCOMPARE(h.toObject().value(u"schedule"_s).toString(), id);
    }
    // Without "every", schedule fields are refused; a plain hunt still answers 202.
    QJsonObject noEvery = body;
    noEvery.remove(u"every"_s);
    QCOMPARE(client.postJson(u"/api/v1/hunts"_s, noEvery).status, 400);
    noEvery.remove(u"rounds"_s);
    noEvery.remove(u"retention"_s);
    QCOMPARE(client.postJson(u"/api/v1/hunts"_s, noEvery).status, 202);
}

// Issue #22 item 3: a schedule whose worst case (timeout x attempts + backoff) passes its
// interval says so in the 201 and wherever it is shown later; one that fits says nothing.
void TestSchedules::worstCasePastIntervalWarnsInCreateAndShow()
{
    RestService service(fast());
    HttpClient client(service.base());
    QJsonObject body = scheduleBody({u"127.0.0.1:9"_s}, u"1s"_s);
    body.insert(u"options"_s, QJsonObject{{u"timeoutMs"_s, 5000}, {u"attempts"_s, 3}});
    const HttpReply created = client.postJson(u"/api/v1/schedules"_s, body);
    QCOMPARE(created.status, 201);
    const QJsonArray warnings = created.json().value(u"warnings"_s).toArray();
    QCOMPARE(warnings.size(), 1);
    QVERIFY2(warnings[0].toString().contains(u"round deadline"_s),
             qPrintable(warnings[0].toString()));
    const QString id = created.json().value(u"schedule"_s).toString();
    QCOMPARE(client.get(u"/api/v1/schedules/"_s + id).json().value(u"warnings"_s).toArray(),
             warnings);
    const QJsonArray listed =
        client.get(u"/api/v1/schedules"_s).json().value(u"schedules"_s).toArray();
    QCOMPARE(listed.size(), 1);
    QCOMPARE(listed[0].toObject().value(u"warnings"_s).toArray(), warnings);

    QJsonObject fits = scheduleBody({u"127.0.0.1:9"_s}, u"1h"_s);
    const HttpReply quiet = client.postJson(u"/api/v1/schedules"_s, fits);
    QCOMPARE(quiet.status, 201);
    QVERIFY(!quiet.json().contains(u"warnings"_s));
}

void TestSchedules::badRequests()
{
    RestService service; // the service's own minimum: 1 s
    HttpClient client(service.base());
    FakeNode a;
    QVERIFY(a.start());
    struct Case
    {
        const char *name;
        QJsonObject body;
        const char *mention;
    };
    auto with = [&](const QString &key, const QJsonValue &value) {
        QJsonObject body = scheduleBody({a.node()}, u"5s"_s);
        body.insert(key, value);
        return body;
    };
    QJsonObject noEvery = scheduleBody({a.node()}, u"5s"_s);
    noEvery.remove(u"every"_s);
    const QList<Case> cases = {
        {"missing every", noEvery, "every"},
        {"below minimum", scheduleBody({a.node()}, u"200ms"_s), "from 1s"},
        {"bare number", with(u"every"_s, u"30"_s), "not a duration"},
        {"number every", with(u"every"_s, 30), "duration string"},
        {"bad unit", with(u"every"_s, u"5 parsecs"_s), "unknown unit"},
        {"spread too wide", with(u"spread"_s, u"4s"_s), "half"},
        {"retention keep 0", with(u"retention"_s, QJsonObject{{u"keep"_s, 0}}), "keep"},
        {"retention unknown", with(u"retention"_s, QJsonObject{{u"count"_s, 3}}), "count"},
        {"retention bad age", with(u"retention"_s, QJsonObject{{u"maxAge"_s, u"old"_s}}), "maxAge"},
        {"rounds negative", with(u"rounds"_s, -1), "rounds"},
        {"unknown field", with(u"cron"_s, u"* * *"_s), "cron"},
        {"invalid node", scheduleBody({u"bob@x:1"_s}, u"5s"_s), "user"},
    };
    for (const Case &c : cases) {
        const HttpReply reply = client.postJson(u"/api/v1/schedules"_s, c.body);
        QVERIFY2(reply.status == 400, c.name);
        QCOMPARE(reply.json().value(u"error"_s).toString(), u"Invalid request"_s);
        QVERIFY2(reply.body.contains(c.mention),
                 QByteArray(QByteArray(c.name) + ": " + reply.body).constData());
    }
    QCOMPARE(client.send("POST", u"/api/v1/schedules"_s, "{not json").status, 400);
    // Nothing was created or fetched.
    QCOMPARE(client.get(u"/api/v1/schedules"_s).json().value(u"count"_s).toInt(), 0);
    QCOMPARE(a.requestCount(), 0);
    QCOMPARE(client.get(u"/api/v1/schedules/01ZZZZZZZZZZZZZZZZZZZZZZZZ"_s).status, 404);
    QCOMPARE(client.get(u"/api/v1/schedules/../../etc"_s).status, 404);
    const HttpReply put = client.send("PUT", u"/api/v1/schedules"_s, "{}");
    QCOMPARE(put.status, 405);
    QVERIFY(put.headers.value("allow").contains("POST"));
}

void TestSchedules::documented()
{
    RestService service;
    HttpClient client(service.base());
    const QJsonObject paths =
        client.get(u"/api/v1/openapi.json"_s).json().value(u"paths"_s).toObject();
    for (const QString &path : {u"/api/v1/schedules"_s, u"/api/v1/schedules/{id}"_s,
                                u"/api/v1/schedules/{id}/history"_s}) {
        QVERIFY2(paths.contains(path), qPrintable(path));
    }
    QVERIFY(paths.value(u"/api/v1/schedules"_s).toObject().contains(u"post"_s));
    QVERIFY(paths.value(u"/api/v1/schedules/{id}"_s).toObject().contains(u"delete"_s));
}

QTEST_GUILESS_MAIN(TestSchedules)
#include "tst_schedules.moc"
