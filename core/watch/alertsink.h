#pragma once

#include <deque>

#include <QHash>
#include <QJsonArray>
#include <QObject>
#include <QString>
#include <QUrl>

#include "core/net/outbounddialer.h"
#include "core/rules/alertstate.h"

class QNetworkAccessManager;

namespace Artemis {

struct AlertSinkConfig
{
    // Alertmanager's base URL (serve --alertmanager): alerts go to {URL}/api/v2/alerts. Empty:
    // no Alertmanager (a schedule's webhook still gets them).
    QUrl alertmanager;
    // Each alert's generatorURL, where the face that configures the sink shows a schedule's
    // alerts: "{schedule}" is replaced by the schedule's id (serve: its own URL and route).
    // Empty: no generatorURL.
    QString generatorUrl;
    int timeoutMs = 10000;
};

// Delivers what each round's alert evaluation found (Scheduler::alertsEvaluated) to
// Alertmanager's v2 API and to the schedule's webhook, both as the same JSON array of
// {labels: {alertname, node, schedule, ...the node's labels}, annotations: {summary, value,
// expr}, startsAt, endsAt, generatorURL}. Firing alerts are sent again every round with an
// endsAt a few intervals ahead (Alertmanager resolves an alert that stops coming); resolved
// ones once, with endsAt = the round's time. Fire and forget: a failure is logged and counted,
// never retried and never blocks a round (each POST has a timeout). POSTs to one receiver go
// one at a time, in round order: a round's "resolved" must never be overtaken by the previous
// round's "firing" (QNAM runs up to six requests to a host at once, and Alertmanager keeps the
// one that arrives last, so a resolved alert could come back active).
//
// Every POST goes through the target policy as a node fetch does (PolicedRequest: the host
// resolved, every address checked, the connection pinned to a checked address, no redirects):
// a webhook or Alertmanager on a denied address receives nothing, whatever name points at it.
// Errors name the status and the body's size, never its text.
//
// Lives on the Scheduler's thread (the main thread); owns its QNetworkAccessManager (made at
// the first delivery).
class AlertSink final : public QObject
{
    Q_OBJECT
public:
    // `policy`: the engine's (null: every host allowed); `resolver` null: the system's.
    AlertSink(AlertSinkConfig config, TargetPolicyPtr policy, ResolverPtr resolver = {},
              QObject *parent = nullptr);
    ~AlertSink() override;

    void deliver(const Artemis::RoundAlerts &alerts, const QString &webhook, qint64 everyMs);

    // The body sent for one round (pure).
    static QJsonArray payload(const RoundAlerts &alerts, qint64 everyMs,
                              const QString &generatorUrl);

    quint64 sent() const { return m_sent; }
    quint64 failed() const { return m_failed; }
    const AlertSinkConfig &config() const { return m_config; }
    void setGeneratorUrl(const QString &url) { m_config.generatorUrl = url; }

Q_SIGNALS:
    // One POST ended: `error` is empty when the receiver answered 2xx.
    void posted(const QUrl &url, int count, const QString &error);

private:
    struct Pending
    {
        QUrl url;
        QByteArray body;
        int count = 0;
    };
    void post(const QUrl &url, const QByteArray &body, int count); // queued per receiver
    void send(const Pending &pending);
    void sent(const QUrl &url); // the receiver's next POST, if any

    AlertSinkConfig m_config;
    OutboundDialer m_dialer;
    QNetworkAccessManager *m_nam = nullptr; // child; made on first use
    // Per receiver (its URL): the POST in flight first, then those waiting.
    QHash<QString, std::deque<Pending>> m_queues;
    quint64 m_sent = 0;
    quint64 m_failed = 0;
};

} // namespace Artemis
