#include "core/service/fleetmetricscache.h"

#include <QMutexLocker>
#include <QtConcurrent/QtConcurrentRun>

#include "core/base/logging.h"
#include "core/service/fleetmetrics.h"
#include "core/service/huntcatalog.h"

using namespace Qt::StringLiterals;

namespace Artemis {

FleetMetricsCache::FleetMetricsCache(const ResultStore *store, qsizetype maxBytes, QObject *parent)
    : QObject(parent), m_store(store), m_maxBytes(maxBytes)
{
    m_pool.setMaxThreadCount(1);
    m_pool.setObjectName(u"metrics-warm"_s);
}

FleetMetricsCache::FleetMetricsCache(const HuntCatalog *catalog, qsizetype maxBytes,
                                     QObject *parent)
    : FleetMetricsCache(catalogStore(*catalog), maxBytes, parent)
{
}

FleetMetricsCache::~FleetMetricsCache()
{
    m_pool.waitForDone();
}

QString FleetMetricsCache::keyOf(const HuntInfo &hunt)
{
    QString key = hunt.id + u'|' + huntStateName(hunt.state) + u'|' + QString::number(hunt.done)
                  + u'|' + QString::number(hunt.finishedAt.toMSecsSinceEpoch()) + u'|'
                  + hunt.schedule;
    for (const Extract &e : hunt.extract) {
        key += u'|' + e.name + u'=' + e.path;
    }
    return key;
}

Result<QByteArray> FleetMetricsCache::text(const HuntInfo &hunt)
{
    const QString key = keyOf(hunt);
    std::shared_ptr<Entry> entry;
    {
        QMutexLocker lock(&m_mutex);
        if (auto it = m_index.find(key); it != m_index.end()) {
            m_lru.splice(m_lru.begin(), m_lru, *it);
            entry = m_lru.front().second;
        } else {
            entry = std::make_shared<Entry>();
            entry->huntId = hunt.id;
            m_lru.emplace_front(key, entry);
            m_index.insert(key, m_lru.begin());
        }
    }
    QMutexLocker rendering(&entry->rendering);
    if (entry->ready) {
        QMutexLocker lock(&m_mutex);
        ++m_stats.hits;
        return entry->text;
    }
    Result<QByteArray> text = renderFleetMetrics(*m_store, hunt);
    QMutexLocker lock(&m_mutex);
    ++m_stats.renders;
    const auto it = m_index.find(key);
    if (!text) {
        // Not kept: the next request tries again (a hunt deleted meanwhile, a disk error).
        if (it != m_index.end() && it.value()->second == entry) {
            m_lru.erase(*it);
            m_index.erase(it);
        }
        return text;
    }
    if (it != m_index.end() && it.value()->second == entry) { // not forgotten meanwhile
        entry->text = *text;
        entry->ready = true;
        m_bytes += entry->text.size();
        trimLocked();
    }
    return text;
}

void FleetMetricsCache::trimLocked()
{
    // Oldest first; the newest ready entry stays even when it alone is over the bound.
    auto it = m_lru.end();
    while (m_bytes > m_maxBytes && it != m_lru.begin()) {
        --it;
        if (it == m_lru.begin()) {
            break;
        }
        if (!it->second->ready) {
            continue;
        }
        m_bytes -= it->second->text.size();
        m_index.remove(it->first);
        it = m_lru.erase(it);
    }
}

void FleetMetricsCache::noteScraped(const QString &schedule)
{
    if (schedule.isEmpty()) {
        return;
    }
    QMutexLocker lock(&m_mutex);
    m_scrapedAt.insert(schedule, QDateTime::currentMSecsSinceEpoch());
}

void FleetMetricsCache::forget(const QString &huntId)
{
    QMutexLocker lock(&m_mutex);
    for (auto it = m_lru.begin(); it != m_lru.end();) {
        if (it->second->huntId == huntId) {
            if (it->second->ready) {
                m_bytes -= it->second->text.size();
            }
            m_index.remove(it->first);
            it = m_lru.erase(it);
        } else {
            ++it;
        }
    }
}

FleetMetricsCache::Stats FleetMetricsCache::stats() const
{
    QMutexLocker lock(&m_mutex);
    Stats s = m_stats;
    s.entries = qsizetype(m_lru.size());
    s.bytes = m_bytes;
    return s;
}

void FleetMetricsCache::onHuntFinished(const HuntInfo &info)
{
    if (info.schedule.isEmpty() || !isFinished(info.state)) {
        return;
    }
    {
        QMutexLocker lock(&m_mutex);
        const auto scraped = m_scrapedAt.constFind(info.schedule);
        if (scraped == m_scrapedAt.cend()
            || QDateTime::currentMSecsSinceEpoch() - *scraped > WarmWindowMs) {
            return;
        }
        ++m_stats.warmed;
    }
    // The pool outlives no render: the destructor waits for it, so `this` stays valid.
    (void)QtConcurrent::run(&m_pool, [this, info] {
        const Result<QByteArray> text = this->text(info);
        if (!text) {
            qCWarning(lcStore, "metrics of hunt %s not prepared: %s", qPrintable(info.id),
                      qPrintable(text.error().message));
        }
    });
}

} // namespace Artemis
