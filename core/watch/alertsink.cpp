#include "core/watch/alertsink.h"

#include <QJsonDocument>
#include <QJsonObject>

#include "core/base/logging.h"
#include "core/net/policedrequest.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

// Prometheus sends endsAt = 4 x its resend delay ahead; a round is our resend delay.
constexpr qint64 MinFiringHorizonMs = 4 * 60 * 1000;
// An answer's body is only counted; a receiver sending more is cut off.
constexpr qint64 MaxAnswerBytes = 64 * 1024;

QString rfc3339(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject alertJson(const NodeAlert &alert, const RoundAlerts &round, qint64 everyMs,
                      const QString &generatorUrl, bool resolved)
{
    QJsonObject labels;
    for (auto it = alert.labels.cbegin(); it != alert.labels.cend(); ++it) {
        labels.insert(it.key(), it.value());
    }
    // Ours last: a node label cannot rename the alert or move it to another node.
    labels.insert(u"alertname"_s, alert.condition);
    labels.insert(u"node"_s, alert.node);
    labels.insert(u"schedule"_s, round.schedule);
    // A resolved alert's endsAt must not be ahead of Alertmanager's clock: it would take the
    // alert for still firing and keep the firing one's later endsAt (types.Alert.Merge).
    const bool down = alert.condition == NodeDownRule::Name;
    QString summary;
    if (resolved) {
        summary = down ? u"%1 answers again (round %2)"_s.arg(alert.node).arg(round.round)
                       : u"%1 on %2 is true again (round %3)"_s.arg(alert.condition, alert.node)
                             .arg(round.round);
    } else {
        summary = down ? u"%1 unreachable for %2 round(s): %3"_s.arg(alert.node)
                             .arg(alert.failingRounds)
                             .arg(alert.outcome)
                       : u"%1 on %2 false for %3 round(s)"_s.arg(alert.condition, alert.node)
                             .arg(alert.failingRounds);
    }
    QJsonObject annotations{{u"summary"_s, summary}, {u"value"_s, alert.value}};
    // A node that was not ok says how (NodeDown; a rule on outcome or latency alone).
    if (!alert.outcome.isEmpty() && alert.outcome != outcomeName(OutcomeKind::Ok)) {
        annotations.insert(u"outcome"_s, alert.outcome);
        annotations.insert(u"error"_s, alert.error);
    }
    QJsonObject json{
        {u"labels"_s, labels},
        {u"annotations"_s, annotations},
        {u"startsAt"_s, rfc3339(alert.firingSince.isValid() ? alert.firingSince : round.at)},
        {u"endsAt"_s,
         rfc3339(resolved ? std::min(round.at, QDateTime::currentDateTimeUtc())
                          : round.at.addMSecs(std::max(4 * everyMs, MinFiringHorizonMs)))},
    };
    if (!generatorUrl.isEmpty()) {
        json.insert(u"generatorURL"_s,
                    QString(generatorUrl).replace(u"{schedule}"_s, round.schedule));
    }
    return json;
}

} // namespace

AlertSink::AlertSink(AlertSinkConfig config, TargetPolicyPtr policy, ResolverPtr resolver,
                     QObject *parent)
    : QObject(parent),
      m_config(std::move(config)),
      m_dialer({std::move(policy)}, std::move(resolver))
{
}

AlertSink::~AlertSink() = default;

QJsonArray AlertSink::payload(const RoundAlerts &alerts, qint64 everyMs,
                              const QString &generatorUrl)
{
    QJsonArray array;
    for (const NodeAlert &alert : alerts.firing) {
        array.append(alertJson(alert, alerts, everyMs, generatorUrl, false));
    }
    for (const NodeAlert &alert : alerts.resolved) {
        array.append(alertJson(alert, alerts, everyMs, generatorUrl, true));
    }
    return array;
}

void AlertSink::deliver(const RoundAlerts &alerts, const QString &webhook, qint64 everyMs)
{
    if (alerts.isEmpty() || (m_config.alertmanager.isEmpty() && webhook.isEmpty())) {
        return;
    }
    const QJsonArray array = payload(alerts, everyMs, m_config.generatorUrl);
    const QByteArray body = QJsonDocument(array).toJson(QJsonDocument::Compact);
    if (!m_config.alertmanager.isEmpty()) {
        QUrl url = m_config.alertmanager;
        QString path = url.path();
        while (path.endsWith(u'/')) {
            path.chop(1);
        }
        url.setPath(path + u"/api/v2/alerts"_s);
        post(url, body, int(array.size()));
    }
    if (!webhook.isEmpty()) {
        post(QUrl(webhook), body, int(array.size()));
    }
}

void AlertSink::post(const QUrl &url, const QByteArray &body, int count)
{
    std::deque<Pending> &queue = m_queues[url.toString()];
    queue.push_back({url, body, count});
    if (queue.size() == 1) {
        send(queue.front());
    }
}

void AlertSink::sent(const QUrl &url)
{
    const auto it = m_queues.find(url.toString());
    if (it == m_queues.end()) {
        return;
    }
    it->pop_front();
    if (it->empty()) {
        m_queues.erase(it);
        return;
    }
    send(it->front());
}

void AlertSink::send(const Pending &pending)
{
    const QUrl &url = pending.url;
    const int count = pending.count;
    if (!m_nam) {
        m_nam = PolicedRequest::newManager(this);
    }
    PolicedRequest::Options options;
    options.method = "POST";
    options.body = pending.body;
    options.headers = {{"Content-Type", "application/json"}};
    options.timeoutMs = m_config.timeoutMs;
    options.maxBodyBytes = MaxAnswerBytes;
    PolicedRequest::send(
        m_nam, m_dialer, url, std::move(options), this,
        [this, url, count](const Result<PolicedRequest::Response> &answer) {
            // The URL without its path in logs: a webhook's path may be its secret.
            const QString shown = PolicedRequest::shown(url);
            QString error;
            if (!answer) {
                error = answer.error().message;
            } else if (answer->status < 200 || answer->status > 299) {
                // The answer's size, not its text: whatever the receiver says stays there.
                error = u"HTTP %1, %2-byte body"_s.arg(answer->status).arg(answer->body.size());
            }
            if (error.isEmpty()) {
                ++m_sent;
                qCDebug(lcSched).noquote() << u"%1 alert(s) sent to %2"_s.arg(count).arg(shown);
            } else {
                ++m_failed;
                qCWarning(lcSched).noquote()
                    << u"cannot send %1 alert(s) to %2: %3"_s.arg(count).arg(shown, error);
            }
            Q_EMIT posted(url, count, error);
            sent(url);
        });
}

} // namespace Artemis
