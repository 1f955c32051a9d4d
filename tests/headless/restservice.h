// Test fixture: the real REST service in-process on 127.0.0.1:<port chosen at runtime>, plus a
// small HTTP client that waits by spinning the event loop (the server runs on this thread).
#pragma once

#include <memory>

#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/huntengine.h"
#include "core/localexecutor.h"
#include "core/resultstore.h"
#include "core/scheduler.h"
#include "core/targetpolicy.h"
#include "headless/restserver.h"

namespace Artemis::Test {

struct ServiceOptions
{
    QByteArray token;
    qint64 maxBodyBytes = 10 * 1024 * 1024;
    int maxNodes = 100000;
    int maxRunning = 4;
    int maxQueued = 64;
    std::shared_ptr<TargetPolicy> policy = std::make_shared<TargetPolicy>();
    qint64 minEveryMs = 1000; // schedules: shortest interval accepted
};

class RestService
{
public:
    explicit RestService(ServiceOptions options = {})
    {
        QVERIFY(m_dir.isValid());
        m_store = std::make_unique<ResultStore>(m_dir.path());
        QVERIFY(m_store->open());
        m_executor = std::make_unique<LocalExecutor>(2, options.policy);
        EngineConfig config;
        config.maxNodes = options.maxNodes;
        config.maxRunning = options.maxRunning;
        config.maxQueued = options.maxQueued;
        config.policy = options.policy;
        m_engine = std::make_unique<HuntEngine>(m_store.get(), m_executor.get(), config);
        SchedulerConfig scheduling;
        scheduling.minEveryMs = options.minEveryMs;
        m_scheduler = std::make_unique<Scheduler>(m_engine.get(), scheduling);
        m_server = std::make_unique<RestServer>(
            m_engine.get(), m_store.get(),
            RestServerConfig{options.token, options.maxBodyBytes, nullptr, m_scheduler.get()});
        m_port = m_server->listen(QHostAddress::LocalHost, 0);
        QVERIFY(m_port != 0);
    }
    ~RestService()
    {
        m_server.reset();
        m_scheduler.reset();
        m_engine.reset();
        m_executor.reset();
        m_store.reset();
    }

    quint16 port() const { return m_port; }
    QString base() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    ResultStore *store() const { return m_store.get(); }
    HuntEngine *engine() const { return m_engine.get(); }
    Scheduler *scheduler() const { return m_scheduler.get(); }
    QString dataDir() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ResultStore> m_store;
    std::unique_ptr<LocalExecutor> m_executor;
    std::unique_ptr<HuntEngine> m_engine;
    std::unique_ptr<Scheduler> m_scheduler;
    std::unique_ptr<RestServer> m_server;
    quint16 m_port = 0;
};

struct HttpReply
{
    int status = 0; // 0: no answer
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

class HttpClient
{
public:
    explicit HttpClient(QString base, QByteArray token = {})
        : m_base(std::move(base)), m_token(std::move(token))
    {
        m_nam.setProxy(QNetworkProxy::NoProxy);
    }

    HttpReply send(const QByteArray &method, const QString &path, const QByteArray &body = {},
                   QList<QPair<QByteArray, QByteArray>> headers = {}, int timeoutMs = 10000)
    {
        QNetworkRequest request(QUrl(m_base + path));
        request.setTransferTimeout(timeoutMs);
        if (!m_token.isEmpty()) {
            request.setRawHeader("Authorization", "Bearer " + m_token);
        }
        for (const auto &header : headers) {
            request.setRawHeader(header.first, header.second);
        }
        QNetworkReply *reply = m_nam.sendCustomRequest(request, method, body);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!reply->isFinished()) {
            finished.wait(timeoutMs);
        }
        HttpReply result;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        for (const auto &pair : reply->rawHeaderPairs()) {
            result.headers.insert(pair.first.toLower(), pair.second);
        }
        reply->deleteLater();
        return result;
    }
    HttpReply get(const QString &path, QList<QPair<QByteArray, QByteArray>> headers = {})
    {
        return send("GET", path, {}, std::move(headers));
    }
    HttpReply postJson(const QString &path, const QJsonObject &body)
    {
        return send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact),
                    {{"Content-Type", "application/json"}});
    }

    // Polls GET /api/v1/hunts/{id} until the hunt is finished; returns its last JSON.
    QJsonObject waitFinished(const QString &id, int timeoutMs = 20000)
    {
        QElapsedTimer clock;
        clock.start();
        QJsonObject hunt;
        while (clock.elapsed() < timeoutMs) {
            hunt = get(QStringLiteral("/api/v1/hunts/") + id).json();
            const QString state = hunt.value(QLatin1String("state")).toString();
            if (state != QLatin1String("queued") && state != QLatin1String("running")) {
                return hunt;
            }
            QTest::qWait(20); // lets the engine and the fetch threads' signals run
        }
        return hunt;
    }

private:
    QString m_base;
    QByteArray m_token;
    QNetworkAccessManager m_nam;
};

} // namespace Artemis::Test
