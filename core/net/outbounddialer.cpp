#include "core/net/outbounddialer.h"

#include <QNetworkRequest>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

// The Host header QNAM itself would send for `url` (toAce'd name, the port when not default).
QByteArray hostHeader(const QUrl &url)
{
    QByteArray host = QUrl::toAce(url.host());
    if (const int port = url.port(); port != -1) {
        host += ':' + QByteArray::number(port);
    }
    return host;
}

// An IPv4-mapped answer is connected to as the IPv4 address it carries (as the policy checks
// it): that also works on a host without IPv6.
QHostAddress connectable(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4 && address.protocol() == QAbstractSocket::IPv6Protocol
        && address != QHostAddress(QHostAddress::AnyIPv6)) {
        return QHostAddress(v4);
    }
    return address;
}

} // namespace

OutboundDialer::OutboundDialer(QList<TargetPolicyPtr> policies, ResolverPtr resolver)
    : m_policies(std::move(policies)),
      m_resolver(resolver ? std::move(resolver) : std::make_shared<SystemResolver>())
{
    m_policies.removeAll(nullptr);
}

std::optional<QString> OutboundDialer::checkHost(const QString &host) const
{
    for (const TargetPolicyPtr &policy : m_policies) {
        if (std::optional<QString> reason = policy->checkHost(host)) {
            return reason;
        }
    }
    return std::nullopt;
}

Result<QList<QHostAddress>>
OutboundDialer::checkAddresses(const QString &host, const QList<QHostAddress> &addresses) const
{
    if (addresses.isEmpty()) {
        return makeError(ErrorCode::NotFound, u"host not found: %1"_s.arg(host));
    }
    QList<QHostAddress> checked;
    checked.reserve(addresses.size());
    for (const QHostAddress &address : addresses) {
        for (const TargetPolicyPtr &policy : m_policies) {
            if (std::optional<QString> reason = policy->checkAddress(host, address)) {
                return makeError(ErrorCode::Denied, *reason);
            }
        }
        checked.append(connectable(address));
    }
    return checked;
}

void OutboundDialer::resolve(const QString &host, QObject *context, Resolver::Callback done) const
{
    m_resolver->lookup(host, context, std::move(done));
}

QNetworkRequest OutboundDialer::request(const QUrl &url, const QHostAddress *pinned, int timeoutMs)
{
    QNetworkRequest request;
    if (pinned) {
        QUrl wire = url;
        wire.setHost(pinned->toString());
        request.setUrl(wire);
        request.setRawHeader("Host", hostHeader(url)); // QNAM only adds its own when none is set
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        if (url.scheme() == u"https"_s) {
            request.setPeerVerifyName(url.host());
        }
    } else {
        request.setUrl(url);
    }
    request.setTransferTimeout(timeoutMs);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setRawHeader("User-Agent", "Artemis/" ARTEMIS_VERSION);
    return request;
}

QString OutboundDialer::addressList(const QList<QHostAddress> &addresses)
{
    QStringList texts;
    for (const QHostAddress &address : addresses) {
        texts.append(address.toString());
    }
    return texts.join(u", "_s);
}

} // namespace Artemis
