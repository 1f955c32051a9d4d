#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <deque>
#include <list>

namespace Artemis {

// One node a running hunt still waits on.
struct UnfinishedNode
{
    enum class State { InFlight, RetryWait };
    QString node;
    State state = State::InFlight;
    // Attempts made so far: the one running (in-flight), or the one that failed and will be
    // retried (retry-wait).
    int attempt = 1;
    qint64 ageMs = 0; // since the node was handed to the executor

    static QString stateName(State state); // "in-flight", "retry-wait"
    QJsonObject toJson() const;            // {"node","state","attempt","ageMs"}
    static UnfinishedNode fromJson(const QJsonObject &json);
    bool operator==(const UnfinishedNode &) const = default;
};

// The nodes a running hunt still waits on: how many, and the oldest few (oldest first). The
// one shape every face shows (CLI live line, API hunt status, GUI progress panel, web page).
struct UnfinishedSnapshot
{
    static constexpr int DefaultLimit = 20;
    int count = 0; // all of them, also those not listed in `oldest`
    QList<UnfinishedNode> oldest;

    QJsonObject toJson() const; // {"count": n, "oldest": [...]}
    static UnfinishedSnapshot fromJson(const QJsonObject &json);
    // "127.0.0.1:31159 (attempt 2, 7.1 s), 127.0.0.1:31160 (retry-wait after attempt 1, 2.0 s), …"
    QString describe(int limit) const;
    bool operator==(const UnfinishedSnapshot &) const = default;
};

// Tracks which nodes a hunt has handed out and not yet got an outcome for, in hand-out order
// (so the oldest is first, in O(1)), with the executor's retry news. Times are ms of the
// caller's clock. Not thread-safe; owned by a HuntRun on the engine's thread.
class UnfinishedNodes
{
public:
    void started(const QString &node, qint64 nowMs);
    // The executor says: `node` waits to retry after `attempt` failed (waiting), or its
    // attempt `attempt` started (!waiting). Unknown nodes are ignored.
    void retryState(const QString &node, int attempt, bool waiting);
    void finished(const QString &node);
    int count() const { return int(m_nodes.size()); }
    UnfinishedSnapshot snapshot(qint64 nowMs, int limit = UnfinishedSnapshot::DefaultLimit) const;

private:
    struct Entry
    {
        QString node;
        qint64 startedMs = 0;
        int attempt = 1;
        bool waiting = false;
    };
    std::list<Entry> m_nodes; // hand-out order
    // node -> its entries in m_nodes (a node listed twice in a hunt is handed out twice)
    QHash<QString, std::deque<std::list<Entry>::iterator>> m_byNode;
};

// Nodes finished per second over the last `windowMs` (a moving window, so a rate never
// freezes at an old value while nothing finishes: it falls to 0). Feed it the cumulative
// count of finished nodes; samples older than the window are dropped.
class RateWindow
{
public:
    static constexpr qint64 DefaultWindowMs = 5000;
    explicit RateWindow(qint64 windowMs = DefaultWindowMs) : m_windowMs(windowMs) {}
    void add(qint64 nowMs, qint64 done);
    double perSecond(qint64 nowMs) const;

private:
    qint64 m_windowMs;
    std::deque<std::pair<qint64, qint64>> m_samples; // (ms, cumulative done), oldest first
};

} // namespace Artemis
