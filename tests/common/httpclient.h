// A small blocking HTTP client for tests: each call spins the event loop until the answer
// (or its timeout), so a server on the same thread keeps running meanwhile.
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include "tests/common/wait.h"

namespace Artemis::Test {

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
        // A body goes with its type, as curl -d and JSON clients send it (the service refuses
        // untyped bodies with 415); a test that wants another type says so in `headers`.
        if (!body.isEmpty() && !request.hasRawHeader("Content-Type")) {
            request.setRawHeader("Content-Type", path.startsWith(QLatin1String("/fetch"))
                                                     ? "application/x-www-form-urlencoded"
                                                     : "application/json");
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
        QJsonObject hunt;
        // Spinning the event loop lets the engine and the fetch threads' signals run.
        (void)waitUntil(
            [&] {
                hunt = get(QStringLiteral("/api/v1/hunts/") + id).json();
                const QString state = hunt.value(QLatin1String("state")).toString();
                return state != QLatin1String("queued") && state != QLatin1String("running");
            },
            timeoutMs);
        return hunt;
    }

private:
    QString m_base;
    QByteArray m_token;
    QNetworkAccessManager m_nam;
};

} // namespace Artemis::Test
