#include "core/net/policedrequest.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Artemis {

void PolicedRequest::send(QNetworkAccessManager *nam, const OutboundDialer &dialer, const QUrl &url,
                          Options options, QObject *context, Done done)
{
    auto *request =
        new PolicedRequest(nam, dialer, url, std::move(options), context, std::move(done));
    // Later, always: a refusal known at once must not answer from inside send().
    QMetaObject::invokeMethod(request, &PolicedRequest::start, Qt::QueuedConnection);
}

QNetworkAccessManager *PolicedRequest::newManager(QObject *parent)
{
    auto *nam = new QNetworkAccessManager(parent);
    nam->setProxy(QNetworkProxy::NoProxy);
    nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    return nam;
}

QString PolicedRequest::shown(const QUrl &url)
{
    return url
        .adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveUserInfo
                  | QUrl::RemoveFragment)
        .toString();
}

PolicedRequest::PolicedRequest(QNetworkAccessManager *nam, OutboundDialer dialer, QUrl url,
                               Options options, QObject *context, Done done)
    : QObject(nam),
      m_nam(nam),
      m_dialer(std::move(dialer)),
      m_url(std::move(url)),
      m_options(std::move(options)),
      m_context(context),
      m_done(std::move(done))
{
}

qint64 PolicedRequest::remainingMs() const
{
    return m_options.timeoutMs - m_started.elapsed();
}

void PolicedRequest::start()
{
    m_started.start();
    m_deadline = new QTimer(this);
    m_deadline->setSingleShot(true);
    m_deadline->setTimerType(Qt::PreciseTimer);
    connect(m_deadline, &QTimer::timeout, this, [this] {
        m_timedOut = true;
        if (m_reply) {
            m_reply->abort(); // onFinished reports it
        } else {
            finish(makeError(ErrorCode::Unavailable,
                             u"timed out after %1 ms (looking up %2)"_s.arg(m_options.timeoutMs)
                                 .arg(m_url.host())));
        }
    });
    m_deadline->start(m_options.timeoutMs);

    const QString host = m_url.host();
    if (host.isEmpty()) {
        finish(makeError(ErrorCode::InvalidArgument, u"no host in the URL"_s));
        return;
    }
    if (std::optional<QString> reason = m_dialer.checkHost(host)) {
        finish(makeError(ErrorCode::Denied, *reason));
        return;
    }
    if (const std::optional<QHostAddress> literal = TargetPolicy::literalAddress(host)) {
        m_addresses = {*literal}; // checked with the host
        sendTo(0);
        return;
    }
    m_dialer.resolve(host, this,
                     [this](const QList<QHostAddress> &addresses, const QString &error) {
                         onResolved(addresses, error);
                     });
}

void PolicedRequest::onResolved(const QList<QHostAddress> &addresses, const QString &error)
{
    if (m_finished) {
        return; // timed out meanwhile
    }
    if (addresses.isEmpty()) {
        finish(makeError(ErrorCode::Unavailable,
                         u"host not found: %1"_s.arg(m_url.host())
                             + (error.isEmpty() ? QString() : u" (%1)"_s.arg(error))));
        return;
    }
    Result<QList<QHostAddress>> checked = m_dialer.checkAddresses(m_url.host(), addresses);
    if (!checked) {
        finish(checked.error());
        return;
    }
    m_byName = true;
    m_addresses = std::move(checked).value();
    sendTo(0);
}

void PolicedRequest::sendTo(qsizetype index)
{
    m_index = index;
    m_body.clear();
    QNetworkRequest request =
        OutboundDialer::request(m_url, m_byName ? &m_addresses.at(index) : nullptr,
                                int(std::max<qint64>(1, remainingMs())));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    for (const auto &header : std::as_const(m_options.headers)) {
        request.setRawHeader(header.first, header.second);
    }
    QNetworkReply *reply =
        m_options.method == "POST" ? m_nam->post(request, m_options.body) : m_nam->get(request);
    m_reply = reply;
    connect(reply, &QNetworkReply::readyRead, this, [this, reply] {
        if (m_tooLarge) {
            return;
        }
        m_body.append(reply->read(m_options.maxBodyBytes + 1 - m_body.size()));
        if (m_body.size() > m_options.maxBodyBytes) {
            m_tooLarge = true;
            reply->abort();
        }
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onFinished(reply); });
}

void PolicedRequest::onFinished(QNetworkReply *reply)
{
    reply->disconnect(this);
    reply->deleteLater();
    m_reply = nullptr;
    if (m_finished) {
        return;
    }
    using E = QNetworkReply::NetworkError;
    // QNAM's own transfer timeout (set to the same deadline) may fire first: it cancels.
    if (m_timedOut
        || (!m_tooLarge
            && (reply->error() == E::OperationCanceledError
                || reply->error() == E::TimeoutError))) {
        finish(
            makeError(ErrorCode::Unavailable, u"timed out after %1 ms"_s.arg(m_options.timeoutMs)));
        return;
    }
    if (m_tooLarge) {
        finish(makeError(ErrorCode::TooLarge,
                         u"body larger than %1 bytes"_s.arg(m_options.maxBodyBytes)));
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0) {
        // Nothing was sent: the next checked address, as QNAM tries a name's addresses.
        if ((reply->error() == E::ConnectionRefusedError
             || reply->error() == E::UnknownNetworkError)
            && m_index + 1 < m_addresses.size() && remainingMs() > 0) {
            sendTo(m_index + 1);
            return;
        }
        finish(makeError(ErrorCode::Unavailable, reply->errorString()));
        return;
    }
    if (!m_tooLarge) {
        m_body.append(reply->read(m_options.maxBodyBytes + 1 - m_body.size()));
    }
    if (m_body.size() > m_options.maxBodyBytes) {
        finish(makeError(ErrorCode::TooLarge,
                         u"body larger than %1 bytes"_s.arg(m_options.maxBodyBytes)));
        return;
    }
    finish(Response{status, std::move(m_body)});
}

void PolicedRequest::finish(Result<Response> result)
{
    m_finished = true;
    if (m_deadline) {
        m_deadline->stop();
    }
    if (m_context) {
        m_done(std::move(result));
    }
    deleteLater();
}

} // namespace Artemis
