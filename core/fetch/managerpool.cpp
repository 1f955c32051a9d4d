#include "core/fetch/managerpool.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>

#include <algorithm>

#include "core/base/logging.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr int RequestsPerManager = 1024;
// Qt 6.4 deletes a cached connection (QNetworkAccessCache) 120 s after its last request ended
// (measured: an idle keep-alive socket closes 120 s after its answer). A kept key unused for
// longer is gone from QNAM as well, so it no longer counts against the limit.
constexpr qint64 QtConnectionExpiryMs = 120000;
constexpr qint64 StaleKeptKeyMs = QtConnectionExpiryMs + 5000;
constexpr qint64 KeptEvictionEveryMs = 1000; // a full pool looks for stale keys this often
constexpr int KeptPerManager = 512;          // kept connections per manager (mayKeep)

// Direct connections, through buffered sockets. With the proxy type NoProxy, Qt 6.4's HTTP
// channel opens its QTcpSocket Unbuffered (qhttpnetworkconnectionchannel.cpp), and its reply
// parser then reads the status line and every header one byte per read() system call: ~95 calls
// per node. Given a DefaultProxy instead, the channel opens a buffered socket, which resolves
// DefaultProxy to the application proxy: NoProxy, as Fetcher's constructor sets it.
class DirectProxyFactory final : public QNetworkProxyFactory
{
public:
    QList<QNetworkProxy> queryProxy(const QNetworkProxyQuery &) override
    {
        return {QNetworkProxy(QNetworkProxy::DefaultProxy)};
    }
};

} // namespace

ManagerPool::ManagerPool(QObject *parent) : QObject(parent), m_keptTimer(new QTimer(this))
{
    m_keptTimer->setSingleShot(true);
    connect(m_keptTimer, &QTimer::timeout, this, &ManagerPool::dropKeptIfIdle);
    m_clock.start();
}

ManagerPool::~ManagerPool() = default;

QString ManagerPool::connectionKey(const QUrl &wire, const QString &peerVerifyName)
{
    return wire.scheme() + u'/' + wire.host() + u':'
           + QString::number(wire.port(wire.scheme() == u"https"_s ? 443 : 80)) + u'/'
           + peerVerifyName;
}

std::unique_ptr<QNetworkAccessManager> ManagerPool::newManager()
{
    auto nam = std::make_unique<QNetworkAccessManager>();
    nam->setProxyFactory(new DirectProxyFactory); // the manager owns it
    nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    return nam;
}

ManagerPool::Slot &ManagerPool::current()
{
    if (m_rotating.empty() || m_rotating.back().started >= RequestsPerManager) {
        m_rotating.push_back(Slot{newManager()});
        retireIdle();
    }
    return m_rotating.back();
}

// Scheduled rounds hit the same nodes every interval: a kept-alive connection saves the connect,
// QNAM's per-connection set-up and the server's accept (QT64-NOTES: 9.1k vs 6.0k GETs/s). The
// kept managers are never rotated (rotation would drop their connections), so their memory is
// bounded by the number of keys they may keep instead. Several managers, not one: every idle
// kept socket stays registered with its manager's HTTP thread, whose event loop polls all of
// them on each wake-up; 10,000 in one manager made a round slower than closing (measured,
// bench/reuse-bench.sh), KeptPerManager per manager keeps each poll short.
bool ManagerPool::mayKeep(const QString &key)
{
    const qint64 now = m_clock.elapsed();
    auto it = m_keptKeys.find(key);
    if (it == m_keptKeys.end()) {
        if (m_keptKeys.size() >= m_keptLimit
            && (m_keptLastEviction < 0 || now - m_keptLastEviction >= KeptEvictionEveryMs)) {
            m_keptLastEviction = now;
            m_keptKeys.removeIf([this, now](const QHash<QString, KeptKey>::iterator &k) {
                if (now - k->lastUse <= StaleKeptKeyMs) {
                    return false;
                }
                --m_keptPerManager[size_t(k->manager)];
                return true;
            });
        }
        if (m_keptKeys.size() >= m_keptLimit) {
            return false;
        }
        size_t manager = 0;
        while (manager < m_kept.size() && m_keptPerManager[manager] >= KeptPerManager) {
            ++manager;
        }
        if (manager == m_kept.size()) {
            m_kept.push_back(Slot{newManager()});
            m_keptPerManager.push_back(0);
            if (!m_keptTimer->isActive()) {
                m_keptTimer->start(KeptIdleMs);
            }
        }
        ++m_keptPerManager[manager];
        m_keptKeys.insert(key, KeptKey{now, int(manager)});
    } else {
        it->lastUse = now;
    }
    m_keptLastUse = now;
    return true;
}

QNetworkReply *ManagerPool::get(const QNetworkRequest &request, const QString &keptKey)
{
    const auto kept = keptKey.isEmpty() ? m_keptKeys.cend() : m_keptKeys.constFind(keptKey);
    Slot &slot = kept != m_keptKeys.cend() ? m_kept[size_t(kept->manager)] : current();
    ++slot.started;
    ++slot.active;
    return slot.nam->get(request);
}

void ManagerPool::release(QNetworkReply *reply, const QString &keptKey)
{
    for (Slot &slot : m_kept) {
        if (slot.nam.get() == reply->manager()) {
            --slot.active;
            m_keptLastUse = m_clock.elapsed();
            if (const auto it = m_keptKeys.find(keptKey); it != m_keptKeys.end()) {
                it->lastUse = m_keptLastUse;
            }
            return;
        }
    }
    for (Slot &slot : m_rotating) {
        if (slot.nam.get() == reply->manager()) {
            --slot.active;
            break;
        }
    }
    retireIdle();
}

void ManagerPool::disconnectReplies(QObject *receiver)
{
    auto disconnect = [receiver](const Slot &slot) {
        for (QNetworkReply *reply : slot.nam->findChildren<QNetworkReply *>()) {
            reply->disconnect(receiver);
        }
    };
    std::for_each(m_rotating.cbegin(), m_rotating.cend(), disconnect);
    std::for_each(m_kept.cbegin(), m_kept.cend(), disconnect);
}

void ManagerPool::retireIdle()
{
    for (auto it = m_rotating.begin(); it != m_rotating.end();) {
        if (std::next(it) != m_rotating.end() && it->active == 0) {
            // Possibly called from one of its replies' signals: delete from the event loop.
            it->nam.release()->deleteLater();
            it = m_rotating.erase(it);
        } else {
            ++it;
        }
    }
}

void ManagerPool::dropKeptIfIdle()
{
    if (m_kept.empty()) {
        return;
    }
    const qint64 idle = m_clock.elapsed() - m_keptLastUse;
    const bool active =
        std::any_of(m_kept.begin(), m_kept.end(), [](const Slot &slot) { return slot.active > 0; });
    if (active || idle < KeptIdleMs) {
        m_keptTimer->start(int(std::max<qint64>(1000, KeptIdleMs - idle)));
        return;
    }
    // No reply left: deleting the managers closes their idle connections and frees their memory.
    qCDebug(lcFetch).noquote() << u"closing %1 kept connections, unused for %2 ms"_s.arg(
        QString::number(m_keptKeys.size()), QString::number(idle));
    for (Slot &slot : m_kept) {
        slot.nam.release()->deleteLater();
    }
    m_kept.clear();
    m_keptPerManager.clear();
    m_keptKeys.clear();
}

} // namespace Artemis
