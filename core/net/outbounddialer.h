#pragma once

#include <optional>

#include <QHostAddress>
#include <QList>
#include <QNetworkRequest>
#include <QString>
#include <QUrl>

#include "core/base/result.h"
#include "core/net/resolver.h"
#include "core/net/targetpolicy.h"

class QObject;

namespace Artemis {

// The one outbound policy of every request the service makes (node fetches and their redirect
// hops in Fetcher; http_sd reads, webhooks and Alertmanager pushes through PolicedRequest): a
// URL's host is checked against every policy; a name is resolved (through the Resolver), every
// address it resolves to is checked, and the request is pinned to one of those checked
// addresses, the name kept in Host and in the TLS peer verify name. A name is admitted only
// when all of its addresses are: QNAM, given the name, would resolve it again itself and might
// reach an address nobody checked.
//
// A value: copyable, immutable after construction, cheap to copy (shared pointers). Its
// resolver is thread-safe (Resolver); resolve() answers on `context`'s thread.
class OutboundDialer
{
public:
    // Every policy must admit a target (null entries are skipped: no policy at all admits
    // everything). Null resolver: the system's.
    explicit OutboundDialer(QList<TargetPolicyPtr> policies = {}, ResolverPtr resolver = {});

    // What is known before resolving (the name, or the literal's address): the first reason to
    // deny, or nullopt.
    std::optional<QString> checkHost(const QString &host) const;
    // Every address of `host` checked: the addresses to connect to, in order (IPv4-mapped
    // answers as IPv4), or Denied with the first address' reason. Empty `addresses`: NotFound.
    Result<QList<QHostAddress>> checkAddresses(const QString &host,
                                               const QList<QHostAddress> &addresses) const;
    // Looks `host` (a name) up; the answer comes later on `context`'s thread (Resolver).
    void resolve(const QString &host, QObject *context, Resolver::Callback done) const;

    // A request for `url` as every outbound request of the service is made: no cache, no
    // cookies, our User-Agent, QNAM's transfer timeout at `timeoutMs`. With `pinned` (a name's
    // checked address), it connects there: the URL's host replaced by the address, `Host` the
    // URL's (as QNAM would send it), the peer verify name (certificate check and SNI) the URL's
    // host for https, HTTP/2 off (Qt's HTTP/2 sends the URL's authority, the address, as
    // :authority and drops Host). request.url() is the URL actually requested.
    static QNetworkRequest request(const QUrl &url, const QHostAddress *pinned, int timeoutMs);

    static QString addressList(const QList<QHostAddress> &addresses); // "a, b" for logs

private:
    QList<TargetPolicyPtr> m_policies;
    ResolverPtr m_resolver;
};

} // namespace Artemis
