// The hunt request body both ways (issue #23): huntRequestToJson writes what a client (the GUI's
// remote backend) sends to POST /api/v1/hunts and /api/v1/schedules, parseHuntRequestJson is what
// the service reads. A request written then parsed is the request again: nodes and ranges,
// per-node labels, extract, and every option the service needs to fetch (secrets included).

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include "core/hunt/huntrequestjson.h"
#include "tests/common/testca.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::TestCa;

namespace {

constexpr int MaxNodes = 1000;

Result<HuntRequest> roundTrip(const HuntRequest &request)
{
    return parseHuntRequestJson(QJsonDocument(huntRequestToJson(request)).toJson(), MaxNodes);
}

// What the body carries must come back; origin is the service's ("api").
void compareCarried(const HuntRequest &parsed, const HuntRequest &request)
{
    QCOMPARE(parsed.nodes, request.nodes);
    QCOMPARE(parsed.url, request.url);
    QCOMPARE(parsed.labels, request.labels);
    QCOMPARE(parsed.extract, request.extract);
    // FetchOptions has no ==: its complete (wire) form is compared.
    QCOMPARE(parsed.options.toWireJson(), request.options.toWireJson());
    QCOMPARE(parsed.origin, u"api"_s);
}

} // namespace

class TestHuntRequestJson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void plainRequest();
    void optionsWithSecrets();
    void extractLabelsAndRanges();
    void unlabelledNodesAreStrings();
};

void TestHuntRequestJson::plainRequest()
{
    HuntRequest request;
    request.nodes = {u"127.0.0.1:9100"_s, u"db1:9100"_s};
    request.url = u"/metrics"_s;
    const Result<HuntRequest> parsed = roundTrip(request);
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message));
    compareCarried(*parsed, request);
    // No extract given: none written (an older service knows no such field).
    QVERIFY(!huntRequestToJson(request).contains(u"extract"_s));
}

void TestHuntRequestJson::optionsWithSecrets()
{
    HuntRequest request;
    request.nodes = {u"web1:443"_s};
    request.url = u"/health"_s;
    FetchOptions &o = request.options;
    o.timeoutMs = 1500;
    o.attempts = 2;
    o.concurrency = 32;
    o.perHostLimit = 2;
    o.maxBodyBytes = 4096;
    o.backoffBaseMs = 50;
    o.backoffCapMs = 800;
    // By name: the wire form is an object {name: value}.
    o.headers = {{"Accept", "application/json"}, {"X-Token", "s3cret"}};
    o.basicAuth = FetchOptions::BasicAuth{u"ops"_s, u"hunter2"_s};
    o.followRedirects = true;
    o.reuseConnections = true;
    o.insecureSkipVerify = true;
    // The CA text travels (the service may not read the client's files).
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Result<TestCa> ca = TestCa::create(dir.path());
    QVERIFY2(ca, ca ? "" : qPrintable(ca.error().message));
    QVERIFY(o.loadCaFile(ca->caFile(), FileAccess::unrestricted()));
    const Result<HuntRequest> parsed = roundTrip(request);
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message));
    compareCarried(*parsed, request);
    // The secrets travel: the service fetches with them.
    QCOMPARE(parsed->options.headers, o.headers);
    QVERIFY(parsed->options.basicAuth);
    QCOMPARE(parsed->options.basicAuth->password, u"hunter2"_s);
    QCOMPARE(parsed->options.timeoutMs, 1500);
    QCOMPARE(parsed->options.maxBodyBytes, qint64(4096));
    QCOMPARE(parsed->options.caPem, o.caPem);
}

void TestHuntRequestJson::extractLabelsAndRanges()
{
    HuntRequest request;
    request.nodes = {u"node[01-20]:9100"_s, u"db1:9100"_s, u"db2:9100"_s};
    request.url = u"/status.json"_s;
    request.labels = {Labels{{u"dc"_s, u"fra1"_s}, {u"role"_s, u"web"_s}}, Labels{},
                      Labels{{u"dc"_s, u"ams3"_s}}};
    request.extract = {{u"queue_depth"_s, u"queue.depth"_s}, {u"up_seconds"_s, u"uptime"_s}};
    const Result<HuntRequest> parsed = roundTrip(request);
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message));
    compareCarried(*parsed, request);
    // The range stays a range: the service expands it.
    QCOMPARE(parsed->nodes.first(), u"node[01-20]:9100"_s);
    QCOMPARE(parsed->labels.at(0).value(u"role"_s), u"web"_s);
    QVERIFY(parsed->labels.at(1).isEmpty());
}

void TestHuntRequestJson::unlabelledNodesAreStrings()
{
    HuntRequest request;
    request.nodes = {u"a:1"_s, u"b:2"_s};
    request.url = u"/"_s;
    request.labels = {Labels{}, Labels{{u"dc"_s, u"x"_s}}};
    const QJsonArray nodes = huntRequestToJson(request).value(u"nodes"_s).toArray();
    QCOMPARE(nodes.at(0), QJsonValue(u"a:1"_s));
    QCOMPARE(nodes.at(1).toObject().value(u"node"_s), QJsonValue(u"b:2"_s));
    QCOMPARE(nodes.at(1).toObject().value(u"labels"_s).toObject().value(u"dc"_s),
             QJsonValue(u"x"_s));
}

QTEST_GUILESS_MAIN(TestHuntRequestJson)
#include "tst_huntrequestjson.moc"
