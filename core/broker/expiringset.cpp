#include "core/broker/expiringset.h"

namespace Artemis {

void ExpiringSet::insert(const QByteArray &id, qint64 expiresAtMs, qint64 nowMs)
{
    if (expiresAtMs <= nowMs) {
        return; // refused by its expiry anyway
    }
    const auto it = m_expiry.find(id);
    if (it != m_expiry.end()) {
        *it = std::max(*it, expiresAtMs);
        return;
    }
    m_expiry.insert(id, expiresAtMs);
    m_order.push_back(id);
    prune(nowMs);
}

bool ExpiringSet::contains(const QByteArray &id, qint64 nowMs) const
{
    const auto it = m_expiry.constFind(id);
    return it != m_expiry.cend() && *it > nowMs;
}

void ExpiringSet::prune(qint64 nowMs)
{
    // Only the front is looked at: an expired id further back answers false in contains()
    // and goes when it reaches the front, so each insert costs O(1) amortised.
    while (!m_order.empty()
           && (m_expiry.size() > m_capacity || m_expiry.value(m_order.front()) <= nowMs)) {
        m_expiry.remove(m_order.front());
        m_order.pop_front();
    }
}

} // namespace Artemis
