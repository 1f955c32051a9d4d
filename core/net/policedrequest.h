#pragma once

#include <functional>
#include <memory>

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QUrl>

#include "core/base/result.h"
#include "core/net/outbounddialer.h"

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace Artemis {

// One HTTP request the service makes on its own account (an http_sd read, a webhook, an
// Alertmanager push) under the same outbound policy as a node fetch (OutboundDialer): the host
// is checked, a name resolved, every address checked, and the request goes to a checked address
// only (the next one when a connection is refused). Redirects are never followed: a 3xx is an
// answer like any other. The whole request, lookup included, has one deadline.
//
// Errors: Denied (the policy, with its reason), Unavailable (lookup failed, connection failed,
// timeout), TooLarge (a body over maxBodyBytes). An answer of any status is a value: the caller
// judges it. Nothing a server sends is ever quoted in an error.
//
// Lives on the thread that calls send(); `done` runs there, later (never inside send()), exactly
// once unless `context` is gone first. The request is a child of `nam` (its replies are) and
// deletes itself once done.
class PolicedRequest final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QByteArray method = "GET"; // GET or POST
        QByteArray body;           // POST only
        QList<QPair<QByteArray, QByteArray>> headers;
        int timeoutMs = 10000;
        qint64 maxBodyBytes = 1024 * 1024;
    };
    struct Response
    {
        int status = 0;
        QByteArray body;
    };
    using Done = std::function<void(Result<Response>)>;

    // `nam` not owned; must outlive the request and never use a proxy (newManager makes one).
    static void send(QNetworkAccessManager *nam, const OutboundDialer &dialer, const QUrl &url,
                     Options options, QObject *context, Done done);

    // A manager fit for send(): direct (no proxy: a proxy would connect wherever it likes),
    // redirects manual.
    static QNetworkAccessManager *newManager(QObject *parent);

    // "https://host:port" (no path, query or user info: a webhook's path may be its secret).
    static QString shown(const QUrl &url);

private:
    PolicedRequest(QNetworkAccessManager *nam, OutboundDialer dialer, QUrl url, Options options,
                   QObject *context, Done done);
    void start();
    void onResolved(const QList<QHostAddress> &addresses, const QString &error);
    void sendTo(qsizetype index);
    void onFinished(QNetworkReply *reply);
    void finish(Result<Response> result);
    qint64 remainingMs() const;

    QNetworkAccessManager *m_nam; // not owned (the parent)
    OutboundDialer m_dialer;
    QUrl m_url;
    Options m_options;
    QPointer<QObject> m_context;
    Done m_done;
    QList<QHostAddress> m_addresses; // checked, tried in order
    qsizetype m_index = 0;           // the one being tried
    bool m_byName = false;
    QElapsedTimer m_started;
    QTimer *m_deadline = nullptr; // child
    QPointer<QNetworkReply> m_reply;
    QByteArray m_body;
    bool m_timedOut = false;
    bool m_tooLarge = false;
    bool m_finished = false;
};

} // namespace Artemis
