#pragma once

#include <functional>
#include <memory>

#include <QHostAddress>
#include <QList>
#include <QString>

class QObject;

namespace Artemis {

// Turns a host name into addresses, for every outbound request (OutboundDialer: the fetcher, the
// http_sd reader, the alert sink): each name is resolved here, every address checked against
// the target policy, and the connection goes to one it checked. The seam tests use to feed
// names whose answers change between lookups, or that point at a denied address.
//
// Thread: lookup() is called on the caller's thread (a fetch thread) and always answers later,
// on `context`'s thread, never from inside lookup(); no answer comes once `context` is gone.
// One implementation may be shared by fetchers on several threads: it must be thread-safe.
class Resolver
{
public:
    // `addresses` empty means the lookup failed; `error` then says why (may be empty).
    using Callback =
        std::function<void(const QList<QHostAddress> &addresses, const QString &error)>;

    virtual ~Resolver() = default;
    // `host` is a name (IP literals are never looked up).
    virtual void lookup(const QString &host, QObject *context, Callback done) = 0;
};

using ResolverPtr = std::shared_ptr<Resolver>;

// The system resolver, through QHostInfo::lookupHost (its 60 s cache included). Stateless.
class SystemResolver final : public Resolver
{
public:
    void lookup(const QString &host, QObject *context, Callback done) override;
};

} // namespace Artemis
