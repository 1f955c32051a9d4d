// Signed and sealed broker messages (issue 15 item 2), end to end: a real redis-server, the real
// `artemis-headless serve --broker --broker-secret-file` coordinator and a real worker with the
// same file. Forged jobs and results are injected with `redis-cli`, as anyone who can write to
// Redis could: the stored results must be the true ones, the bait node never fetched, and the
// refusals counted in /metrics. Header values and passwords never appear in Redis in clear.
// A worker without a secret stops with a clear error when the coordinator signs; one with another
// secret warns and keeps refusing; without a secret a coordinator refuses hunts with credentials.
// No downgrade, no replay (issue 21 item 6): `artemis:signing none` in Redis changes nothing a
// signing worker accepts; a genuine signed job captured from Redis and added again after its hunt
// ended (with or without its spec put back) is refused, and so is a genuinely signed but expired
// job.
// Visibility (item 6): every stored outcome names its worker (API, CSV export); the worker's
// own --metrics-listen and GET /api/v1/workers show its nodes, errors, refusals and rate.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include "brokertest.h"
#include "core/broker/brokersecret.h"
#include "core/broker/redisurl.h"
#include "core/broker/wire.h"
#include "headless/cli/filelimit.h"
#include "redisserver.h"
#include "tests/chaos/chaoschecks.h"
#include "tests/common/childprocess.h"
#include "tests/common/serveprocess.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::HttpClient;

namespace {
constexpr int NodeCount = 12;
constexpr int WaitMs = 60000;
constexpr char Secret[] = "6b1f0c0e4f0a7d2e9c3b5a8d1e2f3a4b\n";
constexpr char OtherSecret[] = "not-the-fleet-secret-at-all";
} // namespace

class TestBrokerSecret : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void credentialsSealedAndSent();
    void authRulesPerGroup();
    void forgedJobsNotFetched();
    void forgedResultsNotStored();
    void workerVisibility();
    void replayedJobRefused();
    void signingNoneChangesNothing();
    void expiredJobRefused();
    void misconfiguredWorkers();
    void noSecretRefusesCredentials();

private:
    QString writeFile(const QString &name, const QByteArray &content);
    std::unique_ptr<QProcess> startWorker(const QString &name, const QString &secretFile,
                                          const QString &redisUrl, const QStringList &extra = {});
    QByteArray redisCli(const QList<QByteArray> &args);
    QString startSlowHunt(HttpClient &client, int delayMs, const QJsonObject &extra = {});
    qint64 metric(HttpClient &client, const QByteArray &name);
    qint64 workerMetric(const QByteArray &name);
    QByteArray addJob(const QList<QByteArray> &fields);
    int nodeRequests();

    Test::NodePool m_nodes;
    Test::FakeNode m_bait;
    QTemporaryDir m_dir;
    QString m_secretFile;
    std::unique_ptr<Test::RedisServer> m_redis;
    std::unique_ptr<Test::ServeProcess> m_serve;
    std::unique_ptr<RedisConnection> m_probe; // exact bytes in and out, where redis-cli trims
    std::unique_ptr<QProcess> m_worker;
    QByteArray m_workerLog;
};

void TestBrokerSecret::initTestCase()
{
    const QString missing = Test::RedisServer::missingReason();
    if (!missing.isEmpty()) {
        QFAIL(qPrintable(missing));
    }
    QVERIFY(raiseOpenFileLimit() > NodeCount + 200);
    QVERIFY(m_nodes.start(NodeCount));
    QVERIFY(m_bait.start());
    QVERIFY(m_dir.isValid());
    m_secretFile = writeFile(u"secret"_s, Secret);
    m_redis = std::make_unique<Test::RedisServer>();
    QVERIFY(m_redis->start());
    QTRY_VERIFY_WITH_TIMEOUT(m_redis->ready(), 10000);
    m_probe = std::make_unique<RedisConnection>(*RedisUrl::parse(m_redis->url()), u"probe"_s);
    m_probe->open();
    m_serve = std::make_unique<Test::ServeProcess>(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY2(
        m_serve->start({u"--data-dir"_s, m_dir.path() + u"/data"_s, u"--broker"_s, m_redis->url(),
                        u"--broker-secret-file"_s, m_secretFile, u"--allow-files"_s, m_dir.path()})
            != 0,
        m_serve->stderrText().constData());
    m_worker = startWorker(u"w1"_s, m_secretFile, m_redis->url(),
                           {u"--metrics-listen"_s, u"127.0.0.1:0"_s});
    QVERIFY(m_worker);
    connect(m_worker.get(), &QProcess::readyReadStandardError, this,
            [this] { m_workerLog += m_worker->readAllStandardError(); });
    HttpClient client(m_serve->base());
    QTRY_COMPARE_WITH_TIMEOUT(
        client.get(u"/api/v1/workers"_s).json().value(u"workers"_s).toArray().size(), 1, WaitMs);
}

void TestBrokerSecret::cleanupTestCase()
{
    if (m_worker) {
        m_worker->kill();
        m_worker->waitForFinished(10000);
    }
    if (QTest::currentTestFailed() && m_serve) {
        qWarning("serve stderr:\n%s\nworker stderr:\n%s", m_serve->stderrText().constData(),
                 m_workerLog.constData());
    }
    m_serve.reset();
    m_probe.reset();
    m_redis.reset();
}

QString TestBrokerSecret::writeFile(const QString &name, const QByteArray &content)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size()) {
        return {};
    }
    return path;
}

std::unique_ptr<QProcess> TestBrokerSecret::startWorker(const QString &name,
                                                        const QString &secretFile,
                                                        const QString &redisUrl,
                                                        const QStringList &extra)
{
    QStringList args;
    if (!secretFile.isEmpty()) {
        args << u"--broker-secret-file"_s << secretFile;
    }
    args << extra;
    return Test::startWorker(QStringLiteral(ARTEMIS_HEADLESS_BIN), redisUrl, name, args,
                             Test::WorkerStderr::Captured);
}

QByteArray TestBrokerSecret::redisCli(const QList<QByteArray> &args)
{
    QProcess cli;
    QStringList list{u"-p"_s, QString::number(m_redis->port())};
    for (const QByteArray &arg : args) {
        list.append(QString::fromUtf8(arg));
    }
    cli.start(u"redis-cli"_s, list);
    if (!cli.waitForFinished(10000) || cli.exitCode() != 0) {
        qWarning("redis-cli failed: %s", cli.readAllStandardError().constData());
        return {};
    }
    return cli.readAllStandardOutput().trimmed();
}

QString TestBrokerSecret::startSlowHunt(HttpClient &client, int delayMs, const QJsonObject &extra)
{
    m_nodes.setSlow(delayMs);
    QJsonObject options{{u"attempts"_s, 1}, {u"concurrency"_s, NodeCount}};
    for (auto it = extra.begin(); it != extra.end(); ++it) {
        options.insert(it.key(), it.value());
    }
    return Test::submitHunt(client, m_nodes.names(), options);
}

namespace {
// The value of `series` (a name, with its labels if it has any) in Prometheus text; -1 when
// absent.
qint64 sampleValue(const QByteArray &text, const QByteArray &series)
{
    const QByteArray prefix = series + ' ';
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(prefix)) {
            return line.mid(prefix.size()).toLongLong();
        }
    }
    return -1;
}
} // namespace

qint64 TestBrokerSecret::metric(HttpClient &client, const QByteArray &name)
{
    return sampleValue(client.get(u"/metrics"_s).body, name);
}

qint64 TestBrokerSecret::workerMetric(const QByteArray &name)
{
    static const QRegularExpression announced(u"metrics on (http://\\S+)/metrics"_s);
    const QRegularExpressionMatch match = announced.match(QString::fromUtf8(m_workerLog));
    if (!match.hasMatch()) {
        return -2; // the worker has not said where its metrics are
    }
    HttpClient client(match.captured(1));
    return sampleValue(client.get(u"/metrics"_s).body, name + "{worker=\"w1\"}");
}

QByteArray TestBrokerSecret::addJob(const QList<QByteArray> &fields)
{
    const RedisReply reply =
        Test::redisCommand(*m_probe, QList<QByteArray>{"XADD", Wire::JobsStream, "*"} + fields);
    return reply.type == RedisReply::Type::String ? reply.str : QByteArray();
}

int TestBrokerSecret::nodeRequests()
{
    int requests = m_bait.requestCount();
    for (int i = 0; i < NodeCount; ++i) {
        requests += m_nodes.at(i).requestCount();
    }
    return requests;
}

void TestBrokerSecret::credentialsSealedAndSent()
{
    HttpClient client(m_serve->base());
    const QString id =
        startSlowHunt(client, 1500,
                      {{u"headers"_s, QJsonObject{{u"X-Api-Key"_s, u"hdr-s3cret"_s}}},
                       {u"basicAuth"_s,
                        QJsonObject{{u"username"_s, u"ops"_s}, {u"password"_s, u"pw-s3cret"_s}}}});
    QVERIFY(!id.isEmpty());
    // While it runs, Redis holds the spec and the jobs: signed, credentials sealed.
    const QByteArray spec = redisCli({"GET", Wire::huntKey(id)});
    QVERIFY2(spec.startsWith("artemis-mac "), spec.constData());
    QVERIFY2(!spec.contains("s3cret"), spec.constData());
    QVERIFY(spec.contains("sealed"));
    QVERIFY(redisCli({"GET", Wire::SigningKey}).startsWith("hmac-sha256 "));

    const QJsonObject hunt = Test::pollHunt(client, id, &Test::isFinishedState, WaitMs);
    QCOMPARE(hunt.value(u"state"_s).toString(), u"done"_s);
    const Test::ResultsFile file = Test::readResultsFile(m_dir.path() + u"/data"_s, id);
    QCOMPARE(file.ok, NodeCount);
    // The worker opened them: every node got the header and the Basic credentials.
    const QByteArray basic = "Basic " + QByteArray("ops:pw-s3cret").toBase64();
    for (int i = 0; i < NodeCount; ++i) {
        const QList<QHash<QByteArray, QByteArray>> headers = m_nodes.at(i).requestHeaders();
        QVERIFY(!headers.isEmpty());
        QCOMPARE(headers.last().value("x-api-key"), QByteArray("hdr-s3cret"));
        QCOMPARE(headers.last().value("authorization"), basic);
    }
    // Each outcome names the worker that fetched it, in the API and in the CSV export.
    for (const QJsonObject &result : Test::pageResults(client, id, 100)) {
        QCOMPARE(result.value(u"worker"_s).toString(), u"w1"_s);
    }
    const QList<QByteArray> csv =
        client.get(u"/api/v1/hunts/%1/results?format=csv"_s.arg(id)).body.split('\n');
    QVERIFY2(csv.first().contains(",worker,"), csv.first().constData());
    QVERIFY2(csv.value(1).contains(",w1,"), csv.value(1).constData());
}

void TestBrokerSecret::authRulesPerGroup()
{
    // Two groups by label, read by the coordinator from its --allow-files dir; the workers get
    // the resolved values sealed and each node's labels in its signed job.
    const QString fra = writeFile(u"fra1.pass"_s, "pw-fra1-s3cret\n");
    const QString other = writeFile(u"default.token"_s, "tok-default-s3cret\n");
    QJsonArray nodes;
    for (int i = 0; i < NodeCount; ++i) {
        nodes.append(
            QJsonObject{{u"node"_s, m_nodes.names().at(i)},
                        {u"labels"_s, QJsonObject{{u"dc"_s, i % 2 ? u"ams1"_s : u"fra1"_s}}}});
    }
    const QJsonArray auth{
        QJsonObject{{u"match"_s, QJsonObject{{u"dc"_s, u"fra1"_s}}},
                    {u"basicAuth"_s, QJsonObject{{u"user"_s, u"svc"_s}, {u"passwordFile"_s, fra}}}},
        QJsonObject{{u"match"_s, QJsonObject{}}, {u"bearerTokenFile"_s, other}}};
    m_nodes.setSlow(1500);
    HttpClient client(m_serve->base());
    const Test::HttpReply submitted = client.postJson(
        u"/api/v1/hunts"_s,
        {{u"nodes"_s, nodes},
         {u"url"_s, u"metric"_s},
         {u"options"_s,
          QJsonObject{{u"attempts"_s, 1}, {u"concurrency"_s, NodeCount}, {u"auth"_s, auth}}}});
    QCOMPARE(submitted.status, 202);
    const QString id = submitted.json().value(u"hunt"_s).toString();
    const QByteArray spec = redisCli({"GET", Wire::huntKey(id)});
    QVERIFY2(!spec.isEmpty() && !spec.contains("s3cret"), spec.constData());
    const QJsonObject hunt = Test::pollHunt(client, id, &Test::isFinishedState, WaitMs);
    QCOMPARE(hunt.value(u"state"_s).toString(), u"done"_s);
    const QByteArray basic = "Basic " + QByteArray("svc:pw-fra1-s3cret").toBase64();
    for (int i = 0; i < NodeCount; ++i) {
        const QList<QHash<QByteArray, QByteArray>> headers = m_nodes.at(i).requestHeaders();
        QVERIFY(!headers.isEmpty());
        QCOMPARE(headers.last().value("authorization"),
                 i % 2 ? QByteArray("Bearer tok-default-s3cret") : basic);
    }
    // The manifest keeps the files' paths only.
    QFile manifest(m_dir.path() + u"/data/hunts/"_s + id + u"/hunt.json"_s);
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    const QByteArray stored = manifest.readAll();
    QVERIFY(stored.contains(fra.toUtf8()) && !stored.contains("s3cret"));
}

void TestBrokerSecret::forgedJobsNotFetched()
{
    HttpClient client(m_serve->base());
    const QString id = startSlowHunt(client, 2000);
    QVERIFY(!id.isEmpty());
    const QByteArray hunt = id.toUtf8();
    const QByteArray bait = "[\"" + m_bait.node().toUtf8() + "\"]";
    const BrokerSecretPtr other = *BrokerSecret::fromBytes(OtherSecret);
    const qint64 later = QDateTime::currentMSecsSinceEpoch() + 3600 * 1000;
    // Jobs for the running hunt (its spec is genuine): unsigned, a made-up MAC, and a MAC made
    // with another secret.
    const QByteArray genuine = redisCli({"XRANGE", Wire::JobsStream, "-", "+", "COUNT", "1"});
    QVERIFY2(genuine.contains("mac"), genuine.constData()); // the coordinator signs its jobs
    QVERIFY(!addJob(Wire::jobFields(nullptr, hunt, later, bait)).isEmpty());
    QVERIFY(!addJob(Wire::jobFields(nullptr, hunt, later, bait)
                    + QList<QByteArray>{"mac", QByteArray(64, 'a')})
                 .isEmpty());
    QVERIFY(!addJob(Wire::jobFields(other.get(), hunt, later, bait)).isEmpty());
    // A whole forged hunt: its spec and its job signed with another secret.
    Wire::HuntSpec forged;
    forged.id = u"forged-hunt"_s;
    forged.path = u"/evil"_s;
    QCOMPARE(redisCli({"SET", Wire::huntKey(forged.id), forged.toBytes(other.get())}),
             QByteArray("OK"));
    QVERIFY(!addJob(Wire::jobFields(other.get(), "forged-hunt", later, bait)).isEmpty());

    const QJsonObject done = Test::pollHunt(client, id, &Test::isFinishedState, WaitMs);
    QCOMPARE(done.value(u"state"_s).toString(), u"done"_s);
    QTRY_COMPARE_WITH_TIMEOUT(int(m_workerLog.count("refusing job")), 4, WaitMs);
    QCOMPARE(workerMetric("artemis_worker_refused_jobs_total"), 4);
    QCOMPARE(m_bait.requestCount(), 0);
    QCOMPARE(Test::readResultsFile(m_dir.path() + u"/data"_s, id).ok, NodeCount);
    // Refused jobs are acknowledged and deleted: none lingers to be refused again.
    QTRY_COMPARE_WITH_TIMEOUT(redisCli({"XLEN", Wire::JobsStream}), QByteArray("0"), WaitMs);
    QVERIFY(m_worker->state() == QProcess::Running);
}

void TestBrokerSecret::forgedResultsNotStored()
{
    HttpClient client(m_serve->base());
    const qint64 refusedBefore = metric(client, "artemis_broker_refused_results_total");
    QCOMPARE(refusedBefore, 0);
    const QString id = startSlowHunt(client, 2500);
    QVERIFY(!id.isEmpty());
    const QByteArray hunt = id.toUtf8();
    // An `ok` outcome for a node of the hunt, before the worker's true one arrives.
    Outcome lie;
    lie.node = m_nodes.names().first();
    lie.outcome = OutcomeKind::Ok;
    lie.httpStatus = 200;
    lie.fetchedAt = QDateTime::currentDateTimeUtc();
    lie.body = QJsonObject{{u"forged"_s, true}};
    const QByteArray outcomes = Wire::encodeOutcomes({lie});
    const BrokerSecretPtr other = *BrokerSecret::fromBytes(OtherSecret);
    for (const QList<QByteArray> &extra :
         {QList<QByteArray>{}, QList<QByteArray>{"mac", QByteArray(64, 'f')},
          QList<QByteArray>{"mac", Wire::resultMac(*other, hunt, "w1", outcomes)}}) {
        QVERIFY(!redisCli(QList<QByteArray>{"XADD", Wire::ResultsStream, "*", "hunt", hunt,
                                            "worker", "w1", "outcomes", outcomes}
                          + extra)
                     .isEmpty());
    }
    QTRY_COMPARE_WITH_TIMEOUT(metric(client, "artemis_broker_refused_results_total"), 3, WaitMs);

    const QJsonObject done = Test::pollHunt(client, id, &Test::isFinishedState, WaitMs);
    QCOMPARE(done.value(u"state"_s).toString(), u"done"_s);
    const QList<QJsonObject> results = Test::pageResults(client, id, 100);
    QCOMPARE(results.size(), NodeCount);
    for (const QJsonObject &result : results) {
        QVERIFY2(!result.value(u"body"_s).toObject().contains(u"forged"_s),
                 qPrintable(QString::fromUtf8(QJsonDocument(result).toJson())));
        QCOMPARE(result.value(u"outcome"_s).toString(), u"ok"_s);
    }
    QVERIFY(m_serve->stderrText().contains("refusing a forged results entry"));
    QVERIFY(m_serve->stderrText().contains("refusing an unsigned results entry"));
}

void TestBrokerSecret::workerVisibility()
{
    HttpClient client(m_serve->base());
    const qint64 doneBefore = workerMetric("artemis_worker_nodes_total");
    const qint64 errorsBefore = workerMetric("artemis_worker_errors_total");
    QVERIFY(doneBefore >= 0 && errorsBefore >= 0);
    m_nodes.setSlow(200);
    for (int i = 0; i < 3; ++i) {
        m_nodes.at(i).setBehaviour(Test::FakeNode::Behaviour::Status);
        m_nodes.at(i).setStatus(500);
    }
    const QString id = Test::submitHunt(client, m_nodes.names(), {{u"attempts"_s, 1}});
    QVERIFY(!id.isEmpty());
    QCOMPARE(
        Test::pollHunt(client, id, &Test::isFinishedState, WaitMs).value(u"state"_s).toString(),
        u"done"_s);
    QTRY_COMPARE_WITH_TIMEOUT(workerMetric("artemis_worker_nodes_total"), doneBefore + NodeCount,
                              WaitMs);
    QCOMPARE(workerMetric("artemis_worker_errors_total"), errorsBefore + 3);
    QCOMPARE(workerMetric("artemis_worker_in_flight"), 0);
    QCOMPARE(workerMetric("artemis_worker_broker_connected"), 1);
    // The coordinator's list: the same counts from the heartbeat, and a rate while the last
    // 10 s hold fetches.
    QTRY_VERIFY_WITH_TIMEOUT(Test::listedWorker(client, u"w1"_s).value(u"done"_s).toInteger()
                                 == doneBefore + NodeCount,
                             WaitMs);
    const QJsonObject info = Test::listedWorker(client, u"w1"_s);
    QCOMPARE(info.value(u"errors"_s).toInteger(), errorsBefore + 3);
    QCOMPARE(info.value(u"refusedJobs"_s).toInteger(), 4);
    QCOMPARE(info.value(u"inFlight"_s).toInt(), 0);
    QVERIFY2(info.value(u"nodesPerSecond"_s).toDouble() > 0,
             qPrintable(QString::fromUtf8(QJsonDocument(info).toJson())));
    m_nodes.reset();
}

void TestBrokerSecret::replayedJobRefused()
{
    HttpClient client(m_serve->base());
    const qint64 refusedBefore = workerMetric("artemis_worker_refused_jobs_total");
    QVERIFY(refusedBefore >= 0);
    const QString id = startSlowHunt(client, 1500);
    QVERIFY(!id.isEmpty());
    // What anyone who can read Redis sees while the hunt runs: its genuine job (a job stays in
    // the stream until its outcomes are stored) and its genuine spec.
    QList<Wire::StreamEntry> captured;
    QTRY_VERIFY_WITH_TIMEOUT(!(captured = Wire::parseEntries(Test::redisCommand(
                                   *m_probe, {"XRANGE", Wire::JobsStream, "-", "+", "COUNT", "1"})))
                                  .isEmpty(),
                             WaitMs);
    const Wire::StreamEntry job = captured.first();
    QCOMPARE(job.fields.value("hunt"), id.toUtf8());
    QVERIFY(!job.fields.value("mac").isEmpty() && !job.fields.value("job").isEmpty());
    const RedisReply spec = Test::redisCommand(*m_probe, {"GET", Wire::huntKey(id)});
    QVERIFY2(spec.str.startsWith("artemis-mac "), spec.str.constData());
    QCOMPARE(
        Test::pollHunt(client, id, &Test::isFinishedState, WaitMs).value(u"state"_s).toString(),
        u"done"_s);
    QTRY_COMPARE_WITH_TIMEOUT(Test::redisCommand(*m_probe, {"XLEN", Wire::JobsStream}).integer, 0,
                              WaitMs);
    // The spec gave way to the hunt's signed `ended` marker.
    const QByteArray marker = Test::redisCommand(*m_probe, {"GET", Wire::huntKey(id)}).str;
    QVERIFY2(marker.startsWith("artemis-mac ") && marker.contains("\"ended\":true"),
             marker.constData());
    const int requestsBefore = nodeRequests();

    QList<QByteArray> fields;
    for (auto it = job.fields.cbegin(); it != job.fields.cend(); ++it) {
        fields << it.key() << it.value();
    }
    // The job alone, added again; then with its spec put back, as a rolled-back Redis would.
    QVERIFY(!addJob(fields).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(workerMetric("artemis_worker_refused_jobs_total"), refusedBefore + 1,
                              WaitMs);
    QCOMPARE(Test::redisCommand(*m_probe, {"SET", Wire::huntKey(id), spec.str}).str,
             QByteArray("OK"));
    QVERIFY(!addJob(fields).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(workerMetric("artemis_worker_refused_jobs_total"), refusedBefore + 2,
                              WaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(Test::redisCommand(*m_probe, {"XLEN", Wire::JobsStream}).integer, 0,
                              WaitMs);
    QCOMPARE(nodeRequests(), requestsBefore);
    QVERIFY2(m_workerLog.contains("was taken here before"), m_workerLog.right(2000).constData());
    QCOMPARE(Test::readResultsFile(m_dir.path() + u"/data"_s, id).lines, NodeCount);
    QVERIFY(m_worker->state() == QProcess::Running);
    QCOMPARE(Test::redisCommand(*m_probe, {"DEL", Wire::huntKey(id)}).integer, 1);
}

void TestBrokerSecret::signingNoneChangesNothing()
{
    HttpClient client(m_serve->base());
    const qint64 refusedBefore = workerMetric("artemis_worker_refused_jobs_total");
    const qint64 requestsBefore = nodeRequests();
    const RedisReply mark = Test::redisCommand(*m_probe, {"GET", Wire::SigningKey});
    QVERIFY(mark.str.startsWith("hmac-sha256 "));
    // Whoever can write to Redis says nobody signs, and queues an unsigned job for a running
    // hunt: the worker warns, stays up, refuses it, and goes on fetching the genuine jobs.
    QCOMPARE(Test::redisCommand(*m_probe, {"SET", Wire::SigningKey, "none"}).str, QByteArray("OK"));
    // Put back even if a check below fails, so that the tests after this one are not affected.
    const auto restore = qScopeGuard([&] {
        Test::redisCommand(*m_probe, {"SET", Wire::SigningKey, mark.str});
    });
    QTRY_COMPARE_WITH_TIMEOUT(workerMetric("artemis_worker_signing_mismatch"), 1, WaitMs);
    QVERIFY(m_workerLog.contains("the coordinator does not sign its jobs"));
    QVERIFY(m_workerLog.contains("keeps refusing every job its --broker-secret-file did not sign"));
    QTRY_VERIFY_WITH_TIMEOUT(Test::listedWorker(client, u"w1"_s)
                                 .value(u"signingMismatch"_s)
                                 .toString()
                                 .contains(u"does not sign"_s),
                             WaitMs);
    const QString id = startSlowHunt(client, 300);
    QVERIFY(!id.isEmpty());
    const QByteArray bait = "[\"" + m_bait.node().toUtf8() + "\"]";
    QVERIFY(!addJob(Wire::jobFields(nullptr, id.toUtf8(),
                                    QDateTime::currentMSecsSinceEpoch() + 3600 * 1000, bait))
                 .isEmpty());
    QCOMPARE(
        Test::pollHunt(client, id, &Test::isFinishedState, WaitMs).value(u"state"_s).toString(),
        u"done"_s);
    QCOMPARE(Test::readResultsFile(m_dir.path() + u"/data"_s, id).ok, NodeCount);
    QTRY_COMPARE_WITH_TIMEOUT(workerMetric("artemis_worker_refused_jobs_total"), refusedBefore + 1,
                              WaitMs);
    QCOMPARE(m_bait.requestCount(), 0);
    QCOMPARE(nodeRequests(), requestsBefore + NodeCount);
    QVERIFY(m_worker->state() == QProcess::Running);
    QCOMPARE(Test::redisCommand(*m_probe, {"SET", Wire::SigningKey, mark.str}).str,
             QByteArray("OK"));
    QTRY_COMPARE_WITH_TIMEOUT(workerMetric("artemis_worker_signing_mismatch"), 0, WaitMs);
    QVERIFY(m_workerLog.contains("the coordinator's signing mark agrees again"));
}

void TestBrokerSecret::expiredJobRefused()
{
    HttpClient client(m_serve->base());
    const qint64 refusedBefore = workerMetric("artemis_worker_refused_jobs_total");
    const QString id = startSlowHunt(client, 300);
    QVERIFY(!id.isEmpty());
    // Signed with the fleet's own secret: for the running hunt but past its expiry, and within
    // its expiry but for a hunt that Redis has no spec of.
    const BrokerSecretPtr secret = *BrokerSecret::fromBytes(Secret);
    const QByteArray bait = "[\"" + m_bait.node().toUtf8() + "\"]";
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(!addJob(Wire::jobFields(secret.get(), id.toUtf8(), now - 1000, bait)).isEmpty());
    QVERIFY(
        !addJob(Wire::jobFields(secret.get(), "no-such-hunt", now + 3600 * 1000, bait)).isEmpty());
    QCOMPARE(
        Test::pollHunt(client, id, &Test::isFinishedState, WaitMs).value(u"state"_s).toString(),
        u"done"_s);
    QTRY_COMPARE_WITH_TIMEOUT(workerMetric("artemis_worker_refused_jobs_total"), refusedBefore + 2,
                              WaitMs);
    QVERIFY(m_workerLog.contains(": expired at "));
    QVERIFY(m_workerLog.contains("hunt no-such-hunt is unknown (no spec in Redis)"));
    QCOMPARE(m_bait.requestCount(), 0);
    QCOMPARE(Test::readResultsFile(m_dir.path() + u"/data"_s, id).ok, NodeCount);
}

void TestBrokerSecret::misconfiguredWorkers()
{
    // Without a secret, facing a coordinator that signs: it could fetch nothing, and says so.
    std::unique_ptr<QProcess> bare = startWorker(u"bare"_s, QString(), m_redis->url());
    QVERIFY(bare);
    QVERIFY(bare->waitForFinished(WaitMs));
    QCOMPARE(bare->exitCode(), 2);
    const QByteArray err = bare->readAllStandardError();
    QVERIFY2(err.contains("start this worker with the same file"), err.constData());
    QVERIFY2(!err.contains("6b1f0c0e") && !err.contains("fleet-secret"), err.constData());
    // With another secret: Redis cannot stop a worker that has one, so it stays up and warns
    // (log, GET /api/v1/workers); it refuses whatever its own secret did not sign.
    const QString otherFile = writeFile(u"other-secret"_s, OtherSecret);
    std::unique_ptr<QProcess> wrong = startWorker(u"wrong"_s, otherFile, m_redis->url());
    QVERIFY(wrong);
    QByteArray wrongLog;
    connect(wrong.get(), &QProcess::readyReadStandardError, this,
            [&] { wrongLog += wrong->readAllStandardError(); });
    HttpClient client(m_serve->base());
    QTRY_VERIFY_WITH_TIMEOUT(Test::listedWorker(client, u"wrong"_s)
                                 .value(u"signingMismatch"_s)
                                 .toString()
                                 .contains(u"is not the coordinator's"_s),
                             WaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(wrongLog.contains("is not the coordinator's"), WaitMs);
    QVERIFY2(!wrongLog.contains("6b1f0c0e") && !wrongLog.contains("fleet-secret"),
             wrongLog.constData());
    QVERIFY(wrong->state() == QProcess::Running);
    wrong->kill();
    QVERIFY(wrong->waitForFinished(10000));
    wrong->disconnect(this);
    QTRY_COMPARE_WITH_TIMEOUT(Test::listedWorkerCount(client), 1, WaitMs);
    // The fleet still works.
    const QString id = startSlowHunt(client, 10);
    QCOMPARE(
        Test::pollHunt(client, id, &Test::isFinishedState, WaitMs).value(u"state"_s).toString(),
        u"done"_s);
}

void TestBrokerSecret::noSecretRefusesCredentials()
{
    // A coordinator without a secret on its own Redis.
    Test::RedisServer redis;
    QVERIFY(redis.start());
    QTRY_VERIFY_WITH_TIMEOUT(redis.ready(), 10000);
    QTemporaryDir data;
    Test::ServeProcess serve(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    QVERIFY2(serve.start({u"--data-dir"_s, data.path(), u"--broker"_s, redis.url()}) != 0,
             serve.stderrText().constData());
    HttpClient client(serve.base());
    for (const QJsonObject &options :
         {QJsonObject{{u"headers"_s, QJsonObject{{u"X-Api-Key"_s, u"k"_s}}}},
          QJsonObject{
              {u"basicAuth"_s, QJsonObject{{u"username"_s, u"u"_s}, {u"password"_s, u"p"_s}}}}}) {
        const Test::HttpReply reply = Test::postHunt(client, m_nodes.names(), options);
        QCOMPARE(reply.status, 400);
        QVERIFY2(reply.body.contains("--broker-secret-file"), reply.body.constData());
    }
    QCOMPARE(Test::postHunt(client, m_nodes.names()).status, 202);
}

QTEST_GUILESS_MAIN(TestBrokerSecret)
#include "tst_brokersecret.moc"
