#pragma once

#include <deque>

#include <QByteArray>
#include <QHash>

namespace Artemis {

// Ids remembered until their expiry (ms since epoch), at most `capacity` of them: past that the
// oldest inserted are forgotten first. The worker's memory of the job ids it has taken and the
// hunts it has seen end, so that a replayed job is refused even when Redis has been rolled
// back (the spec put back, the `ended` marker deleted). A plain value; not thread-safe.
class ExpiringSet
{
public:
    explicit ExpiringSet(qsizetype capacity) : m_capacity(capacity) {}

    void insert(const QByteArray &id, qint64 expiresAtMs, qint64 nowMs);
    bool contains(const QByteArray &id, qint64 nowMs) const;
    qsizetype size() const { return m_expiry.size(); }

private:
    void prune(qint64 nowMs);

    qsizetype m_capacity;
    QHash<QByteArray, qint64> m_expiry;
    std::deque<QByteArray> m_order; // insertion order (expiries are close to it: hunt start + TTL)
};

} // namespace Artemis
