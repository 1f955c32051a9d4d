// The REST service over real HTTP on a loopback port chosen at runtime, against fake nodes.
#include <QtTest>

#include <QProcess>
#include <QStandardPaths>

#include "headless/rest/requestguard.h"
#include "headless/rest/router.h"
#include "restservice.h"
#include "tests/common/fakenode.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Test;

class TestRestServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void oldToolCurlLineVerbatim();
    void fetchFormVariants();
    void fetchMissingFields();
    void getFetchIs405();
    void huntFollowedToDoneAndResultsReadBack();
    void ndjsonStreamsWholeResultSet();
    void invalidNodesListedNothingStarted();
    void unknownIdsAre404();
    void wrongMethodsAre405();
    void bodyAndNodeLimitsAre413();
    void busyIs429AndCancelAndDelete();
    void runningHuntNamesItsUnfinishedNodes();
    void listPagingAndStateFilter();
    void tokenGuardsApiButNotProbes();
    void policyDeniesLiteralAndResolvedTargets();
    void probesAndDocs();
    void requestSettingsValidatedAndSecretsNotShown();
};

namespace {

QString startHunt(HttpClient &client, const QStringList &nodes, const QJsonObject &options = {})
{
    QJsonObject body{{u"nodes"_s, QJsonArray::fromStringList(nodes)}, {u"url"_s, u"metric"_s}};
    if (!options.isEmpty()) {
        body.insert(u"options"_s, options);
    }
    const HttpReply reply = client.postJson(u"/api/v1/hunts"_s, body);
    if (reply.status != 202) {
        qWarning("POST /api/v1/hunts: %d %s", reply.status, reply.body.constData());
        return {};
    }
    return reply.json().value(u"hunt"_s).toString();
}

} // namespace

void TestRestServer::oldToolCurlLineVerbatim()
{
    RestService service;
    const QString curl = QStandardPaths::findExecutable(u"curl"_s);
    QVERIFY2(!curl.isEmpty(), "curl is not installed: apt-get install curl");
    // The old tool's line, with its port 5000 replaced by the port of this run. The nodes are
    // this very service, whose GET /metric answers the hunt.
    const QString port = QString::number(service.port());
    QProcess process;
    process.start(curl, {u"-s"_s, u"-w"_s, u"\n%{http_code}"_s, u"-d"_s,
                         u"node=localhost:%1&node=127.0.0.1:%1&url=metric"_s.arg(port),
                         u"http://localhost:%1/fetch"_s.arg(port)});
    QSignalSpy done(&process, &QProcess::finished);
    QVERIFY(done.wait(10000)); // spins our event loop, so the server answers curl
    QCOMPARE(process.exitCode(), 0);
    const QList<QByteArray> out = process.readAllStandardOutput().split('\n');
    QCOMPARE(out.last(), QByteArray("202"));
    const QJsonObject json = QJsonDocument::fromJson(out.first()).object();
    QCOMPARE(json.value(u"success"_s).toString(), u"Request is being processed"_s);
    const QString id = json.value(u"hunt"_s).toString();
    QVERIFY(!id.isEmpty());
    QCOMPARE(json.value(u"status"_s).toString(), u"/api/v1/hunts/"_s + id);

    HttpClient client(service.base());
    const QJsonObject hunt = client.waitFinished(id);
    QCOMPARE(hunt.value(u"state"_s).toString(), u"done"_s);
    QCOMPARE(hunt.value(u"total"_s).toInt(), 2);
    QCOMPARE(hunt.value(u"counts"_s).toObject().value(u"ok"_s).toInt(), 2);
    const HttpReply node =
        client.get(u"/api/v1/hunts/%1/results/%2"_s.arg(id, u"localhost%3A"_s + port));
    QCOMPARE(node.status, 200);
    QCOMPARE(node.json().value(u"outcome"_s).toString(), u"ok"_s);
    QVERIFY(node.json().value(u"body"_s).toObject().contains(u"cpu"_s));
}

void TestRestServer::fetchFormVariants()
{
    RestService service;
    FakeNode a, b, c;
    QVERIFY(a.start() && b.start() && c.start());
    HttpClient client(service.base());
    // Repeated node, a comma-separated list, and '+' as a space (trimmed away).
    const QByteArray form = "node=+" + a.node().toUtf8() + "&node=" + b.node().toUtf8() + "%2C"
                            + c.node().toUtf8() + "&url=metric";
    const HttpReply reply = client.send("POST", u"/fetch"_s, form,
                                        {{"Content-Type", "application/x-www-form-urlencoded"}});
    QCOMPARE(reply.status, 202);
    const QJsonObject hunt = client.waitFinished(reply.json().value(u"hunt"_s).toString());
    QCOMPARE(hunt.value(u"total"_s).toInt(), 3);
    QCOMPARE(hunt.value(u"counts"_s).toObject().value(u"ok"_s).toInt(), 3);
    QCOMPARE(a.requestPaths().value(0), QByteArray("/metric"));

    // '+' decodes to a space: a space inside the path is refused, proving the decoding.
    const HttpReply spaced =
        client.send("POST", u"/fetch"_s, "node=" + a.node().toUtf8() + "&url=met+ric");
    QCOMPARE(spaced.status, 400);
    QCOMPARE(spaced.json().value(u"error"_s).toString(), u"Invalid request"_s);
}

void TestRestServer::fetchMissingFields()
{
    RestService service;
    HttpClient client(service.base());
    for (const QByteArray &form : {QByteArray("url=metric"), QByteArray("node=127.0.0.1:1"),
                                   QByteArray(), QByteArray("node=&url=")}) {
        const HttpReply reply = client.send("POST", u"/fetch"_s, form);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value(u"error"_s).toString(), u"Invalid request"_s);
        QVERIFY(reply.json().value(u"details"_s).toString().contains(u"missing"_s));
    }
    QCOMPARE(service.store()->listHunts()->size(), 0);
}

void TestRestServer::getFetchIs405()
{
    RestService service;
    HttpClient client(service.base());
    const HttpReply reply = client.get(u"/fetch"_s);
    QCOMPARE(reply.status, 405);
    QCOMPARE(reply.headers.value("allow"), QByteArray("POST"));
    QCOMPARE(reply.json().value(u"error"_s).toString(), u"Method not allowed"_s);
    QVERIFY(reply.json()
                .value(u"details"_s)
                .toObject()
                .value(u"message"_s)
                .toString()
                .contains(u"POST"_s));
}

void TestRestServer::huntFollowedToDoneAndResultsReadBack()
{
    RestService service;
    FakeNode ok1, ok2, broken;
    QVERIFY(ok1.start() && ok2.start() && broken.start());
    broken.setBehaviour(FakeNode::Behaviour::Status);
    broken.setStatus(404, R"({"error":"nope"})");
    HttpClient client(service.base());
    const QString id = startHunt(client, {ok1.node(), ok2.node(), broken.node()},
                                 {{u"attempts"_s, 1},
                                  {u"timeoutMs"_s, 3000},
                                  {u"headers"_s, QJsonObject{{u"X-Probe"_s, u"yes"_s}}}});
    QVERIFY(!id.isEmpty());
    const QJsonObject hunt = client.waitFinished(id);
    QCOMPARE(hunt.value(u"state"_s).toString(), u"done"_s);
    QCOMPARE(hunt.value(u"progress"_s).toObject().value(u"done"_s).toInt(), 3);
    const QJsonObject counts = hunt.value(u"counts"_s).toObject();
    QCOMPARE(counts.value(u"ok"_s).toInt(), 2);
    QCOMPARE(counts.value(u"http_error"_s).toInt(), 1);
    QVERIFY(!hunt.value(u"finishedAt"_s).toString().isEmpty());
    QCOMPARE(ok1.requestHeaders().value(0).value("x-probe"), QByteArray("yes"));
    // A finished hunt's answer is served from a rendered cache: the same bytes every time,
    // the same content as the first answer after it finished.
    const HttpReply first = client.get(u"/api/v1/hunts/%1"_s.arg(id));
    const HttpReply second = client.get(u"/api/v1/hunts/%1"_s.arg(id));
    QCOMPARE(first.status, 200);
    QCOMPARE(second.body, first.body);
    QCOMPARE(second.json(), hunt);

    // Paged, then filtered.
    const QJsonObject page1 = client.get(u"/api/v1/hunts/%1/results?limit=2"_s.arg(id)).json();
    QCOMPARE(page1.value(u"total"_s).toInt(), 3);
    QCOMPARE(page1.value(u"results"_s).toArray().size(), 2);
    QVERIFY(page1.contains(u"next"_s));
    const QJsonObject page2 =
        client.get(u"/api/v1/hunts/%1/results?limit=2&offset=2"_s.arg(id)).json();
    QCOMPARE(page2.value(u"results"_s).toArray().size(), 1);
    const QJsonObject failed =
        client.get(u"/api/v1/hunts/%1/results?outcome=http_error"_s.arg(id)).json();
    QCOMPARE(failed.value(u"total"_s).toInt(), 1);
    const QJsonObject bad = failed.value(u"results"_s).toArray().first().toObject();
    QCOMPARE(bad.value(u"node"_s).toString(), broken.node());
    QCOMPARE(bad.value(u"httpStatus"_s).toInt(), 404);
    QCOMPARE(client.get(u"/api/v1/hunts/%1/results?outcome=bogus"_s.arg(id)).status, 400);
    QCOMPARE(client.get(u"/api/v1/hunts/%1/results?limit=0"_s.arg(id)).status, 400);

    // One node, URL-encoded.
    const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(ok2.node()));
    const HttpReply one = client.get(u"/api/v1/hunts/%1/results/%2"_s.arg(id, encoded));
    QCOMPARE(one.status, 200);
    QCOMPARE(one.json().value(u"node"_s).toString(), ok2.node());
    QCOMPARE(one.json().value(u"body"_s).toObject().value(u"node"_s).toString(), u"fake"_s);
    QCOMPARE(client.get(u"/api/v1/hunts/%1/results/nosuch%3A1"_s.arg(id)).status, 404);

    // The stored results agree with what the API said.
    const Result<ResultPage> stored = service.store()->readResults(id, {});
    QVERIFY(stored);
    QCOMPARE(stored->total, 3);
}

void TestRestServer::ndjsonStreamsWholeResultSet()
{
    RestService service;
    FakeNode node;
    QVERIFY(node.start());
    // A stored hunt with many results, written straight to the store (no fetching needed).
    HuntInfo info;
    info.id = u"01J00000000000000000000000"_s;
    info.state = HuntState::Done;
    info.url = u"/metric"_s;
    info.total = 3000;
    info.done = 3000;
    info.createdAt = QDateTime::currentDateTimeUtc();
    QStringList nodes;
    QList<Outcome> outcomes;
    for (int i = 0; i < info.total; ++i) {
        Outcome o;
        o.node = u"10.0.%1.%2:9100"_s.arg(i / 250).arg(i % 250);
        o.url = u"http://"_s + o.node + u"/metric"_s;
        o.outcome = i % 10 == 0 ? OutcomeKind::Timeout : OutcomeKind::Ok;
        o.attempts = 1;
        o.fetchedAt = QDateTime::currentDateTimeUtc();
        o.body = QJsonObject{{u"padding"_s, QString(200, u'x')}};
        nodes.append(o.node);
        outcomes.append(o);
        info.counts.add(o.outcome);
    }
    QVERIFY(service.store()->createHunt(info, nodes));
    QVERIFY(service.store()->appendResults(info.id, outcomes));

    HttpClient client(service.base());
    const HttpReply all = client.get(u"/api/v1/hunts/%1/results"_s.arg(info.id),
                                     {{"Accept", "application/x-ndjson"}});
    QCOMPARE(all.status, 200);
    QCOMPARE(all.headers.value("content-type"), QByteArray("application/x-ndjson"));
    const QList<QByteArray> lines = all.body.trimmed().split('\n');
    QCOMPARE(lines.size(), 3000);
    QCOMPARE(QJsonDocument::fromJson(lines.last()).object().value(u"node"_s).toString(),
             nodes.last());
    const HttpReply timeouts =
        client.get(u"/api/v1/hunts/%1/results?outcome=timeout"_s.arg(info.id),
                   {{"Accept", "application/x-ndjson"}});
    QCOMPARE(timeouts.body.trimmed().split('\n').size(), 300);
    // The connection stays usable after a stream.
    QCOMPARE(client.get(u"/healthz"_s).status, 200);
}

void TestRestServer::invalidNodesListedNothingStarted()
{
    RestService service;
    HttpClient client(service.base());
    const HttpReply reply = client.postJson(
        u"/api/v1/hunts"_s, {{u"nodes"_s, QJsonArray{u"127.0.0.1:9100"_s, u"bad node"_s,
                                                     u"bob@10.0.0.1"_s, u"10.0.0.1:70000"_s}},
                             {u"url"_s, u"metric"_s}});
    QCOMPARE(reply.status, 400);
    const QJsonArray bad = reply.json().value(u"details"_s).toObject().value(u"nodes"_s).toArray();
    QCOMPARE(bad.size(), 3);
    QCOMPARE(bad.at(0).toObject().value(u"index"_s).toInt(), 1);
    QCOMPARE(bad.at(1).toObject().value(u"index"_s).toInt(), 2);
    QCOMPARE(bad.at(2).toObject().value(u"index"_s).toInt(), 3);
    for (const QJsonValue &b : bad) {
        QVERIFY(!b.toObject().value(u"reason"_s).toString().isEmpty());
    }
    QCOMPARE(service.store()->listHunts()->size(), 0);

    // Malformed bodies.
    QCOMPARE(client.send("POST", u"/api/v1/hunts"_s, "{\"nodes\": [").status, 400);
    QCOMPARE(client.send("POST", u"/api/v1/hunts"_s, "[1,2]").status, 400);
    QCOMPARE(
        client.postJson(u"/api/v1/hunts"_s, {{u"nodes"_s, QJsonArray{1, 2}}, {u"url"_s, u"m"_s}})
            .status,
        400);
    QCOMPARE(client.postJson(u"/api/v1/hunts"_s, {{u"nodes"_s, QJsonArray{u"a:1"_s}}}).status, 400);
    QCOMPARE(client
                 .postJson(u"/api/v1/hunts"_s, {{u"nodes"_s, QJsonArray{u"a:1"_s}},
                                                {u"url"_s, u"m"_s},
                                                {u"options"_s, QJsonObject{{u"attempts"_s, 99}}}})
                 .status,
             400);
    QCOMPARE(service.store()->listHunts()->size(), 0);
}

void TestRestServer::unknownIdsAre404()
{
    RestService service;
    HttpClient client(service.base());
    for (const QString &path : {u"/api/v1/hunts/01J00000000000000000000000"_s,
                                u"/api/v1/hunts/..%2F..%2Fetc"_s, u"/api/v1/hunts/nope/results"_s,
                                u"/api/v1/hunts/nope/results/a%3A1"_s, u"/nothing-here"_s}) {
        const HttpReply reply = client.get(path);
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.json().value(u"error"_s).toString(), u"Not found"_s);
    }
    QCOMPARE(client.send("POST", u"/api/v1/hunts/01J00000000000000000000000/cancel"_s).status, 404);
    QCOMPARE(client.send("DELETE", u"/api/v1/hunts/01J00000000000000000000000"_s).status, 404);
}

void TestRestServer::wrongMethodsAre405()
{
    RestService service;
    HttpClient client(service.base());
    const HttpReply collection = client.send("DELETE", u"/api/v1/hunts"_s);
    QCOMPARE(collection.status, 405);
    QCOMPARE(collection.headers.value("allow"), QByteArray("POST, GET"));
    QCOMPARE(client.send("PUT", u"/api/v1/hunts/01J00000000000000000000000"_s).status, 405);
    QCOMPARE(client.send("GET", u"/api/v1/hunts/01J00000000000000000000000/cancel"_s).status, 405);
    QCOMPARE(client.send("POST", u"/healthz"_s).status, 405);
    QCOMPARE(client.send("DELETE", u"/fetch"_s).status, 405);
}

void TestRestServer::bodyAndNodeLimitsAre413()
{
    ServiceOptions options;
    options.maxBodyBytes = 4096;
    options.maxNodes = 10;
    RestService service(options);
    HttpClient client(service.base());
    const HttpReply big = client.send("POST", u"/fetch"_s, "node=" + QByteArray(5000, 'a'));
    QCOMPARE(big.status, 413);
    QCOMPARE(big.json().value(u"error"_s).toString(), u"Payload too large"_s);
    QStringList nodes;
    for (int i = 1; i <= 11; ++i) {
        nodes.append(u"10.0.0.%1:9100"_s.arg(i));
    }
    QCOMPARE(client
                 .postJson(u"/api/v1/hunts"_s, {{u"nodes"_s, QJsonArray::fromStringList(nodes)},
                                                {u"url"_s, u"metric"_s}})
                 .status,
             413);
    const QByteArray form = "node=" + nodes.join(u',').toUtf8() + "&url=m";
    QCOMPARE(client.send("POST", u"/fetch"_s, form).status, 413);
    QCOMPARE(service.store()->listHunts()->size(), 0);
}

void TestRestServer::busyIs429AndCancelAndDelete()
{
    ServiceOptions options;
    options.maxRunning = 1;
    options.maxQueued = 0;
    RestService service(options);
    FakeNode hang;
    QVERIFY(hang.start());
    hang.setBehaviour(FakeNode::Behaviour::Hang);
    HttpClient client(service.base());
    const QString id = startHunt(client, {hang.node()}, {{u"timeoutMs"_s, 60000}});
    QVERIFY(!id.isEmpty());
    QTRY_COMPARE(hang.requestCount(), 1);

    const HttpReply busy = client.postJson(
        u"/api/v1/hunts"_s, {{u"nodes"_s, QJsonArray{hang.node()}}, {u"url"_s, u"metric"_s}});
    QCOMPARE(busy.status, 429);
    QCOMPARE(busy.json().value(u"error"_s).toString(), u"Too many requests"_s);
    QCOMPARE(client.send("POST", u"/fetch"_s, "node=127.0.0.1:1&url=m").status, 429);

    QCOMPARE(client.get(u"/api/v1/hunts/"_s + id).json().value(u"state"_s).toString(),
             u"running"_s);
    const HttpReply running = client.send("DELETE", u"/api/v1/hunts/"_s + id);
    QCOMPARE(running.status, 409);
    // The service adds its own route to core's advice.
    QVERIFY2(running.json()
                 .value(u"details"_s)
                 .toString()
                 .endsWith(u"cancel it first (POST /api/v1/hunts/%1/cancel)"_s.arg(id)),
             running.body.constData());
    QCOMPARE(client.send("POST", u"/api/v1/hunts/%1/cancel"_s.arg(id)).status, 202);
    const QJsonObject hunt = client.waitFinished(id);
    QCOMPARE(hunt.value(u"state"_s).toString(), u"cancelled"_s);
    QCOMPARE(hunt.value(u"counts"_s).toObject().value(u"cancelled"_s).toInt(), 1);
    QCOMPARE(client.send("POST", u"/api/v1/hunts/%1/cancel"_s.arg(id)).status, 409);

    // "cancelled" is only shown once everything is stored, so DELETE works at once.
    QCOMPARE(client.send("DELETE", u"/api/v1/hunts/"_s + id).status, 200);
    QCOMPARE(client.get(u"/api/v1/hunts/"_s + id).status, 404);
    QVERIFY(!QFileInfo::exists(service.store()->huntDir(id)));
}

// Issue #22 item 5: a running hunt's status names the nodes still waited on, with their state,
// attempt and age, and a rate over the last seconds; a finished hunt has none of it.
void TestRestServer::runningHuntNamesItsUnfinishedNodes()
{
    RestService service;
    FakeNode ok;
    FakeNode hang;
    QVERIFY(ok.start() && hang.start());
    hang.setBehaviour(FakeNode::Behaviour::Hang);
    HttpClient client(service.base());
    const QString id =
        startHunt(client, {ok.node(), hang.node()}, {{u"timeoutMs"_s, 1500}, {u"attempts"_s, 2}});
    QVERIFY(!id.isEmpty());
    auto progress = [&] {
        return client.get(u"/api/v1/hunts/"_s + id).json().value(u"progress"_s).toObject();
    };
    auto oldest = [](const QJsonObject &p) {
        return p.value(u"unfinished"_s).toObject().value(u"oldest"_s).toArray().first().toObject();
    };
    QTRY_COMPARE_WITH_TIMEOUT(progress().value(u"done"_s).toInt(), 1, 5000);
    QJsonObject p = progress();
    QCOMPARE(p.value(u"unfinished"_s).toObject().value(u"count"_s).toInt(), 1);
    QCOMPARE(oldest(p).value(u"node"_s).toString(), hang.node());
    QVERIFY(p.contains(u"nodesPerSecond"_s));
    QVERIFY(p.value(u"sinceLastOutcomeMs"_s).toInteger() >= 0);
    // The first attempt times out after 1.5 s; the node is then retried: attempt 2, older.
    QTRY_COMPARE_WITH_TIMEOUT(oldest(progress()).value(u"attempt"_s).toInt(), 2, 6000);
    p = progress();
    const QJsonObject node = oldest(p);
    QVERIFY2(node.value(u"ageMs"_s).toInteger() >= 1500,
             qPrintable(QString::number(node.value(u"ageMs"_s).toInteger())));
    QVERIFY(
        QStringList({u"in-flight"_s, u"retry-wait"_s}).contains(node.value(u"state"_s).toString()));
    QCOMPARE(p.value(u"done"_s).toInt(), 1);

    const QJsonObject hunt = client.waitFinished(id);
    QCOMPARE(hunt.value(u"counts"_s).toObject().value(u"timeout"_s).toInt(), 1);
    QVERIFY(!progress().contains(u"unfinished"_s));
}

void TestRestServer::listPagingAndStateFilter()
{
    RestService service;
    FakeNode node;
    QVERIFY(node.start());
    HttpClient client(service.base());
    QStringList ids;
    for (int i = 0; i < 3; ++i) {
        ids.append(startHunt(client, {node.node()}));
        QCOMPARE(client.waitFinished(ids.last()).value(u"state"_s).toString(), u"done"_s);
    }
    const QJsonObject first = client.get(u"/api/v1/hunts?limit=2"_s).json();
    const QJsonArray hunts = first.value(u"hunts"_s).toArray();
    QCOMPARE(hunts.size(), 2);
    QCOMPARE(hunts.at(0).toObject().value(u"id"_s).toString(), ids.at(2)); // newest first
    QCOMPARE(hunts.at(1).toObject().value(u"id"_s).toString(), ids.at(1));
    const QJsonObject rest = client.get(u"/api/v1/hunts?limit=2&before="_s + ids.at(1)).json();
    QCOMPARE(rest.value(u"hunts"_s).toArray().size(), 1);
    QCOMPARE(rest.value(u"hunts"_s).toArray().at(0).toObject().value(u"id"_s).toString(),
             ids.at(0));
    QCOMPARE(client.get(u"/api/v1/hunts?state=done"_s).json().value(u"count"_s).toInt(), 3);
    QCOMPARE(client.get(u"/api/v1/hunts?state=running"_s).json().value(u"count"_s).toInt(), 0);
    QCOMPARE(client.get(u"/api/v1/hunts?state=bogus"_s).status, 400);
    QCOMPARE(client.get(u"/api/v1/hunts?limit=0"_s).status, 400);
}

void TestRestServer::tokenGuardsApiButNotProbes()
{
    ServiceOptions options;
    options.token = "s3cret-token";
    RestService service(options);
    HttpClient anonymous(service.base());
    HttpClient wrong(service.base(), "s3cret-tokeN");
    HttpClient right(service.base(), "s3cret-token");
    for (HttpClient *client : {&anonymous, &wrong}) {
        const HttpReply api = client->get(u"/api/v1/hunts"_s);
        QCOMPARE(api.status, 401);
        QCOMPARE(api.json().value(u"error"_s).toString(), u"Unauthorized"_s);
        QCOMPARE(api.headers.value("www-authenticate"), QByteArray("Bearer"));
        QCOMPARE(client->send("POST", u"/fetch"_s, "node=127.0.0.1:1&url=m").status, 401);
        QCOMPARE(client->get(u"/api/v1/openapi.json"_s).status, 401);
        QCOMPARE(client->get(u"/api/v1/unknown"_s).status, 401);
    }
    QCOMPARE(right.get(u"/api/v1/hunts"_s).status, 200);
    QCOMPARE(right.get(u"/api/v1/openapi.json"_s).status, 200);
    QCOMPARE(anonymous.get(u"/healthz"_s).status, 200);
    QCOMPARE(anonymous.get(u"/readyz"_s).status, 200);
    QCOMPARE(anonymous.get(u"/metric"_s).status, 200);
    QCOMPARE(anonymous.get(u"/metrics"_s).status, 200);
    QCOMPARE(service.store()->listHunts()->size(), 0);

    QVERIFY(bearerTokenMatches("Bearer abc", "abc"));
    QVERIFY(bearerTokenMatches("bearer  abc ", "abc"));
    QVERIFY(!bearerTokenMatches("Bearer abcd", "abc"));
    QVERIFY(!bearerTokenMatches("abc", "abc"));
    QVERIFY(!bearerTokenMatches("Bearer ", ""));
}

void TestRestServer::policyDeniesLiteralAndResolvedTargets()
{
    ServiceOptions options;
    QVERIFY(options.policy->deny(u"127.0.0.0/8"_s));
    RestService service(options);
    FakeNode node;
    QVERIFY(node.start());
    HttpClient client(service.base());

    // Literal addresses and metadata names are refused at submit, each one named.
    const HttpReply literal = client.postJson(
        u"/api/v1/hunts"_s, {{u"nodes"_s, QJsonArray{u"169.254.169.254"_s, u"10.1.1.1:80"_s,
                                                     u"metadata.google.internal"_s, node.node()}},
                             {u"url"_s, u"metric"_s}});
    QCOMPARE(literal.status, 400);
    const QJsonArray denied =
        literal.json().value(u"details"_s).toObject().value(u"nodes"_s).toArray();
    QCOMPARE(denied.size(), 3);
    QCOMPARE(denied.at(0).toObject().value(u"node"_s).toString(), u"169.254.169.254"_s);
    QCOMPARE(denied.at(1).toObject().value(u"node"_s).toString(), u"metadata.google.internal"_s);
    QCOMPARE(denied.at(2).toObject().value(u"index"_s).toInt(), 3);
    QCOMPARE(service.store()->listHunts()->size(), 0);

    // A name is only denied by what it resolves to: the hunt runs, the node ends `denied`.
    const QString byName = u"localhost:%1"_s.arg(node.port());
    const QString id = startHunt(client, {byName});
    QVERIFY(!id.isEmpty());
    const QJsonObject hunt = client.waitFinished(id);
    QCOMPARE(hunt.value(u"counts"_s).toObject().value(u"denied"_s).toInt(), 1);
    const QJsonObject outcome = client.get(u"/api/v1/hunts/%1/results/%2"_s.arg(id, byName)).json();
    QCOMPARE(outcome.value(u"outcome"_s).toString(), u"denied"_s);
    QVERIFY2(outcome.value(u"error"_s).toString().contains(u"127.0.0.1"_s)
                 || outcome.value(u"error"_s).toString().contains(u"::1"_s),
             qPrintable(outcome.value(u"error"_s).toString()));
    QCOMPARE(node.requestCount(), 0);
}

void TestRestServer::probesAndDocs()
{
    RestService service;
    HttpClient client(service.base());
    const HttpReply health = client.get(u"/healthz"_s);
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json(), QJsonObject({{u"status"_s, u"ok"_s}}));
    const HttpReply ready = client.get(u"/readyz"_s);
    QCOMPARE(ready.status, 200);
    QCOMPARE(ready.json().value(u"status"_s).toString(), u"ready"_s);
    const QJsonObject storage = ready.json().value(u"storage"_s).toObject();
    QCOMPARE(storage.value(u"writable"_s).toBool(), true);
    QVERIFY(!storage.contains(u"error"_s));
    QVERIFY(storage.value(u"freeBytes"_s).toDouble() > 0);
    QVERIFY(storage.value(u"totalBytes"_s).toDouble() >= storage.value(u"freeBytes"_s).toDouble());
    QVERIFY2(!ready.body.contains(service.dataDir().toUtf8()), ready.body.constData());
    // The write probe leaves nothing behind: the data dir's lock and owner record only.
    QCOMPARE(QDir(service.dataDir()).entryList(QDir::Files | QDir::Hidden, QDir::Name),
             (QStringList{u".artemis.lock"_s, u".artemis.owner"_s}));

    const QJsonObject metric = client.get(u"/metric"_s).json();
    for (const QString &key :
         {u"cpu"_s, u"memory"_s, u"load"_s, u"uptimeSeconds"_s, u"disk"_s, u"network"_s}) {
        QVERIFY2(metric.contains(key), qPrintable(key));
    }
    QVERIFY(metric.value(u"cpu"_s).toObject().value(u"cores"_s).toArray().size() >= 1);
    QVERIFY(metric.value(u"memory"_s).toObject().value(u"total"_s).toDouble() > 0);
    QCOMPARE(metric.value(u"disk"_s).toObject().value(u"path"_s).toString(), service.dataDir());

    const HttpReply prom = client.get(u"/metrics"_s);
    QCOMPARE(prom.status, 200);
    QVERIFY(prom.headers.value("content-type").startsWith("text/plain"));
    for (const char *name :
         {"artemis_hunts{state=\"running\"}", "artemis_fetches_total{outcome=\"ok\"}",
          "artemis_fetch_latency_seconds_bucket{le=\"+Inf\"}", "artemis_fetches_in_flight",
          "artemis_http_requests_total{method=\"GET\",route=\"/metric\",status=\"200\"} 1",
          "process_resident_memory_bytes"}) {
        QVERIFY2(prom.body.contains(name), name);
    }

    const HttpReply spec = client.get(u"/api/v1/openapi.json"_s);
    QCOMPARE(spec.status, 200);
    QCOMPARE(spec.headers.value("content-type"), QByteArray("application/json"));
    // resources/openapi.json gets the project's version at configure time.
    QCOMPARE(spec.json().value(u"info"_s).toObject().value(u"version"_s).toString(),
             QStringLiteral(ARTEMIS_VERSION));
    const QJsonObject paths = spec.json().value(u"paths"_s).toObject();
    for (const QString &path :
         {u"/fetch"_s, u"/api/v1/hunts"_s, u"/api/v1/hunts/{id}"_s, u"/api/v1/hunts/{id}/cancel"_s,
          u"/api/v1/hunts/{id}/results"_s, u"/api/v1/hunts/{id}/results/{node}"_s, u"/metric"_s,
          u"/metrics"_s, u"/healthz"_s, u"/readyz"_s}) {
        QVERIFY2(paths.contains(path), qPrintable(path));
    }
    // GET / is the web page (resources/web/; tst_webpage drives it in a browser): its module
    // and the API links, under a policy that loads nothing from elsewhere.
    const HttpReply index = client.get(u"/"_s);
    QCOMPARE(index.status, 200);
    QCOMPARE(index.headers.value("content-type"), QByteArray("text/html; charset=utf-8"));
    QVERIFY(index.body.contains("<script type=\"module\" src=\"/web/app.js\">"));
    QVERIFY(index.body.contains("href=\"/api/v1/openapi.json\""));
    QVERIFY(index.headers.value("content-security-policy").startsWith("default-src 'self';"));
    QCOMPARE(index.headers.value("cache-control"), QByteArray("no-cache"));
    const HttpReply module = client.get(u"/web/app.js"_s);
    QCOMPARE(module.status, 200);
    QCOMPARE(module.headers.value("content-type"), QByteArray("text/javascript; charset=utf-8"));
    QVERIFY(!module.headers.value("etag").isEmpty());
    QCOMPARE(client.get(u"/web/missing.js"_s).status, 404);
    QCOMPARE(client.get(u"/web/..%2Fopenapi.json"_s).status, 404);
}

void TestRestServer::requestSettingsValidatedAndSecretsNotShown()
{
    RestService service;
    HttpClient client(service.base());
    const HttpReply bad = client.postJson(
        u"/api/v1/hunts"_s, {{u"nodes"_s, QJsonArray{u"127.0.0.1:1"_s}},
                             {u"url"_s, u"m"_s},
                             {u"options"_s, QJsonObject{{u"caFile"_s, u"/nonexistent/ca.pem"_s}}}});
    QCOMPARE(bad.status, 400);
    QVERIFY2(bad.body.contains("CA file '/nonexistent/ca.pem' does not exist"),
             bad.body.constData());

    const QString id = startHunt(client, {u"127.0.0.1:1"_s},
                                 {{u"headers"_s, QJsonObject{{u"X-Key"_s, u"v-api-9"_s}}},
                                  {u"basicAuth"_s, QJsonObject{{u"username"_s, u"api-user"_s},
                                                               {u"password"_s, u"pw-api-3"_s}}},
                                  {u"followRedirects"_s, true}});
    QVERIFY(!id.isEmpty());
    const HttpReply shown = client.get(u"/api/v1/hunts/"_s + id);
    QCOMPARE(shown.status, 200);
    QVERIFY(!shown.body.contains("v-api-9"));
    QVERIFY(!shown.body.contains("pw-api-3"));
    const QJsonObject options = shown.json().value(u"options"_s).toObject();
    QCOMPARE(options.value(u"basicAuth"_s)[u"username"_s].toString(), u"api-user"_s);
    QCOMPARE(options.value(u"headerNames"_s)[0].toString(), u"X-Key"_s);
    QCOMPARE(options.value(u"followRedirects"_s).toBool(), true);
}

QTEST_GUILESS_MAIN(TestRestServer)
#include "tst_restserver.moc"
