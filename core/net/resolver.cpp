#include "core/net/resolver.h"

#include <QHostInfo>

namespace Artemis {

void SystemResolver::lookup(const QString &host, QObject *context, Callback done)
{
    // QHostInfo posts its answer to context's thread, a cache hit too: never synchronous.
    QHostInfo::lookupHost(host, context, [done = std::move(done)](const QHostInfo &info) {
        done(info.addresses(), info.error() == QHostInfo::NoError ? QString() : info.errorString());
    });
}

} // namespace Artemis
