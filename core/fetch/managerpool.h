#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>

#include <list>
#include <memory>
#include <vector>

#include "core/fetch/fetchoptions.h"

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;
class QTimer;
class QUrl;

namespace Artemis {

// The QNetworkAccessManagers one Fetcher sends through, and what they cost. Two kinds:
// - rotating managers for requests that close their connection: each serves a bounded number
//   of requests and is deleted once its last reply has finished (QNAM keeps ~1.5 KB per host it
//   has talked to until its cache expires: 10k nodes once each made that cache dominate memory);
// - kept managers for scheduled rounds' connections, kept alive for the next round: never
//   rotated, at most KeptPerManager connection keys each and `keptLimit` in all, deleted after
//   KeptIdleMs without use.
// Every manager sends direct (no proxy) through buffered sockets and leaves redirects to the
// caller. Thread: the owning Fetcher's.
class ManagerPool final : public QObject
{
    Q_OBJECT
public:
    explicit ManagerPool(QObject *parent = nullptr);
    ~ManagerPool() override;

    // Kept connections are closed (their manager deleted) once no hunt has used them for this
    // long: longer than ReuseWindowMs plus a round, shorter than Qt's own cache expiry.
    static constexpr int KeptIdleMs = FetchOptions::ReuseWindowMs + 30000;
    // Default limit per fetch thread (LocalExecutor divides a process budget among threads).
    static constexpr int DefaultKeptLimit = 8192;

    // At most this many distinct connection keys kept open; 0: none.
    void setKeptLimit(int limit) { m_keptLimit = limit; }
    int keptLimit() const { return m_keptLimit; }

    // What QNAM keys a cached connection by (qhttpthreaddelegate.cpp makeCacheKey): scheme,
    // host, port and, for TLS, the peer verify name. The host is the pinned address, not a name.
    static QString connectionKey(const QUrl &wire, const QString &peerVerifyName);

    // Whether a request to connection `key` may go to a kept manager: already kept, or room
    // left (stale keys evicted first). When false the request should say `Connection: close`.
    bool mayKeep(const QString &key);
    // Sends `request` (GET) through the kept manager of `keptKey` (one mayKeep accepted), or
    // through the rotating one when `keptKey` is empty. The reply is the manager's child.
    QNetworkReply *get(const QNetworkRequest &request, const QString &keptKey);
    // `reply`'s request is over (finished or aborted), before it is deleted. `keptKey`: as given
    // to get() when the connection stays for the next round (Qt's expiry counts from now).
    void release(QNetworkReply *reply, const QString &keptKey = {});
    // Disconnects `receiver` from every reply still open (its destructor: replies die with their
    // managers, which outlive it by a moment).
    void disconnectReplies(QObject *receiver);

private:
    struct Slot
    {
        std::unique_ptr<QNetworkAccessManager> nam;
        int started = 0; // requests ever made through it
        int active = 0;  // replies not yet finished
    };
    struct KeptKey
    {
        qint64 lastUse = 0; // ms of m_clock
        int manager = 0;    // index into m_kept
    };
    static std::unique_ptr<QNetworkAccessManager> newManager();
    Slot &current();
    void retireIdle();
    void dropKeptIfIdle();

    std::list<Slot> m_rotating; // back() takes new requests; the others retire when idle
    std::vector<Slot> m_kept;
    std::vector<int> m_keptPerManager; // keys held by m_kept[i]
    QHash<QString, KeptKey> m_keptKeys;
    qint64 m_keptLastUse = 0;
    qint64 m_keptLastEviction = -1;
    int m_keptLimit = DefaultKeptLimit;
    QElapsedTimer m_clock;
    QTimer *m_keptTimer; // child: checks whether m_kept went idle
};

} // namespace Artemis
