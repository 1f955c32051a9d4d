// Chaos: 200 API clients at once for 30 s against the real `artemis-headless serve`. Each client
// submits a small hunt (POST /api/v1/hunts against loopback fake nodes), polls it until it is
// finished, and starts the next. No request may fail (no transport error, no status other than
// 202/200; a 429 would be a refusal, counted apart, and the limits are set so that none occurs),
// and every accepted hunt must finish `done` and be listed by GET /api/v1/hunts.
//
// QNetworkAccessManager opens at most 6 connections per host:port (fixed in Qt 6.4), so the
// clients share 34 managers, 6 each: 200 connections at once.
#include <QtTest>

#include <memory>
#include <vector>

#include "chaoschecks.h"
#include "headless/cli/filelimit.h"
#include "tests/common/serveprocess.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::HttpClient;

namespace {
constexpr int Clients = 200;
constexpr int ClientsPerManager = 6;
constexpr int RunMs = 30000;
constexpr int DrainMs = 30000;
constexpr int PollMs = 100;
constexpr int RequestTimeoutMs = 30000;
constexpr int NodeCount = 20;
constexpr int NodesPerHunt = 3;

// What all clients saw.
struct LoadStats
{
    int requests = 0;
    int refused = 0;               // 429
    int unexpected = 0;            // any other status, or no answer
    QStringList firstErrors;       // a few, for the failure message
    QHash<QString, QString> hunts; // accepted id -> final state ("" while running)
    qint64 maxLatencyMs = 0;
    int busyClients = 0;

    void record(const QNetworkReply &reply, int status, qint64 latencyMs, const QByteArray &body)
    {
        ++requests;
        maxLatencyMs = std::max(maxLatencyMs, latencyMs);
        if (status == 429) {
            ++refused;
        } else if (status != 200 && status != 202) {
            ++unexpected;
            if (firstErrors.size() < 5) {
                firstErrors.append(u"%1 %2: %3 %4 %5"_s.arg(
                    QString::fromLatin1(reply.request()
                                            .attribute(QNetworkRequest::CustomVerbAttribute)
                                            .toByteArray()),
                    reply.request().url().path(), QString::number(status), reply.errorString(),
                    QString::fromUtf8(body.left(200))));
            }
        }
    }
};

// One API client: submit a hunt, poll it every PollMs until it is finished, repeat until
// `stopAt`. Event-driven on the test's thread; shares its manager with 5 other clients.
class LoadClient final : public QObject
{
public:
    LoadClient(QNetworkAccessManager *nam, QString base, QStringList nodes, LoadStats *stats,
               QDeadlineTimer stopAt, QObject *parent)
        : QObject(parent),
          m_nam(nam),
          m_base(std::move(base)),
          m_nodes(std::move(nodes)),
          m_stats(stats),
          m_stopAt(stopAt)
    {
    }

    void start()
    {
        ++m_stats->busyClients;
        post();
    }

private:
    QNetworkReply *send(const QByteArray &method, const QString &path, const QByteArray &body)
    {
        QNetworkRequest request(QUrl(m_base + path));
        request.setTransferTimeout(RequestTimeoutMs);
        if (!body.isEmpty()) {
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        }
        m_clock.start();
        return m_nam->sendCustomRequest(request, method, body);
    }

    // Status, or 0 without an answer; records it.
    int finish(QNetworkReply *reply, QByteArray *body)
    {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        *body = reply->readAll();
        m_stats->record(*reply, status, m_clock.elapsed(), *body);
        return status;
    }

    void post()
    {
        if (m_stopAt.hasExpired()) {
            --m_stats->busyClients;
            return;
        }
        const QJsonObject hunt{{u"nodes"_s, QJsonArray::fromStringList(m_nodes)},
                               {u"url"_s, u"metric"_s},
                               {u"options"_s, QJsonObject{{u"attempts"_s, 1}}}};
        QNetworkReply *reply =
            send("POST", u"/api/v1/hunts"_s, QJsonDocument(hunt).toJson(QJsonDocument::Compact));
        connect(reply, &QNetworkReply::finished, this, [this, reply] {
            QByteArray body;
            if (finish(reply, &body) != 202) {
                QTimer::singleShot(PollMs, this, [this] { post(); }); // try again
                return;
            }
            m_id = QJsonDocument::fromJson(body).object().value(u"hunt"_s).toString();
            m_stats->hunts.insert(m_id, QString());
            QTimer::singleShot(PollMs, this, [this] { poll(); });
        });
    }

    void poll()
    {
        QNetworkReply *reply = send("GET", u"/api/v1/hunts/"_s + m_id, {});
        connect(reply, &QNetworkReply::finished, this, [this, reply] {
            QByteArray body;
            const int status = finish(reply, &body);
            const QJsonObject hunt = QJsonDocument::fromJson(body).object();
            if (status == 200 && Test::isFinishedState(hunt)) {
                m_stats->hunts[m_id] = hunt.value(u"state"_s).toString();
                post();
                return;
            }
            QTimer::singleShot(PollMs, this, [this] { poll(); });
        });
    }

    QNetworkAccessManager *m_nam; // not owned; shared by up to 6 clients
    QString m_base;
    QStringList m_nodes;
    LoadStats *m_stats; // not owned
    QDeadlineTimer m_stopAt;
    QString m_id;
    QElapsedTimer m_clock;
};
} // namespace

class TestChaosLoad : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void twoHundredClientsForThirtySeconds();

private:
    Test::NodePool m_nodes;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Test::ServeProcess> m_serve;
};

void TestChaosLoad::initTestCase()
{
    QVERIFY2(raiseOpenFileLimit() > 4 * Clients, "needs a higher open-file limit");
    QVERIFY(m_nodes.start(NodeCount));
}

void TestChaosLoad::cleanup()
{
    if (QTest::currentTestFailed() && m_serve) {
        qWarning("serve stderr:\n%s", m_serve->stderrText().right(4000).constData());
    }
    m_serve.reset();
    m_dir.reset();
}

void TestChaosLoad::twoHundredClientsForThirtySeconds()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_serve = std::make_unique<Test::ServeProcess>(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    // Each client has at most one hunt unfinished, so 4 running + 256 queued never refuses.
    QVERIFY2(m_serve->start({u"--data-dir"_s, m_dir->path(), u"--max-running"_s, u"4"_s,
                             u"--max-queued"_s, QString::number(Clients + 56)})
                 != 0,
             m_serve->stderrText().constData());

    LoadStats stats;
    QObject clients;
    std::vector<std::unique_ptr<QNetworkAccessManager>> managers;
    const QDeadlineTimer stopAt(RunMs);
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < Clients; ++i) {
        if (i % ClientsPerManager == 0) {
            managers.push_back(std::make_unique<QNetworkAccessManager>());
            managers.back()->setProxy(QNetworkProxy::NoProxy);
        }
        QStringList nodes;
        for (int k = 0; k < NodesPerHunt; ++k) {
            nodes.append(m_nodes.names().at((i + k * 7) % NodeCount));
        }
        auto *client =
            new LoadClient(managers.back().get(), m_serve->base(), nodes, &stats, stopAt, &clients);
        client->start();
    }
    QTRY_VERIFY_WITH_TIMEOUT(stats.busyClients == 0, RunMs + DrainMs);
    const qint64 elapsed = clock.elapsed();
    qInfo("%d clients, %lld ms: %d requests (%.0f/s), %lld hunts, %d refused (429), max "
          "latency %lld ms",
          Clients, elapsed, stats.requests, stats.requests * 1000.0 / double(elapsed),
          qint64(stats.hunts.size()), stats.refused, stats.maxLatencyMs);

    QVERIFY2(stats.unexpected == 0,
             qPrintable(u"%1 failed requests; first: %2"_s.arg(stats.unexpected)
                            .arg(stats.firstErrors.join(u" | "_s))));
    QCOMPARE(stats.refused, 0);
    QVERIFY2(stats.hunts.size() >= Clients, "every client finished at least one hunt");
    for (auto it = stats.hunts.cbegin(); it != stats.hunts.cend(); ++it) {
        QVERIFY2(it.value() == u"done"_s, qPrintable(u"hunt %1: '%2'"_s.arg(it.key(), it.value())));
    }

    // None lost: the service lists exactly the accepted hunts, each done with every node ok.
    HttpClient client(m_serve->base());
    QSet<QString> listed;
    QString next = u"/api/v1/hunts?limit=1000"_s;
    while (!next.isEmpty()) {
        const Test::HttpReply page = client.get(next);
        QCOMPARE(page.status, 200);
        for (const QJsonValue &value : page.json().value(u"hunts"_s).toArray()) {
            const QJsonObject hunt = value.toObject();
            listed.insert(hunt.value(u"id"_s).toString());
            QCOMPARE(hunt.value(u"state"_s).toString(), u"done"_s);
            QCOMPARE(hunt.value(u"counts"_s).toObject().value(u"ok"_s).toInt(), NodesPerHunt);
        }
        next = page.json().value(u"next"_s).toString();
    }
    QCOMPARE(listed.size(), stats.hunts.size());
    for (auto it = stats.hunts.cbegin(); it != stats.hunts.cend(); ++it) {
        QVERIFY2(listed.contains(it.key()), qPrintable(it.key()));
    }
    QCOMPARE(client.get(u"/healthz"_s).status, 200);
}

QTEST_GUILESS_MAIN(TestChaosLoad)
#include "tst_chaosload.moc"
