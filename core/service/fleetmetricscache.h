#pragma once

#include <list>
#include <memory>

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include "core/base/result.h"
#include "core/hunt/huntinfo.h"

namespace Artemis {

class HuntCatalog;
class ResultStore;

// Rendered fleet metrics (core/service/fleetmetrics.h) of finished hunts, kept for the next scrape.
//
// A finished hunt's results never change, and Prometheus scrapes the same round every 15-60 s:
// at 100,000 nodes a render reads ~60 MB of results and writes ~28 MB of text (1.7 s on the
// reference machine, bench/values-bench.sh), a cached answer is a copy of a shared buffer.
// - The key is the hunt and everything its text depends on: id, state, done, finishedAt, the
//   extracts and the schedule label. A hunt resumed or re-labelled is a new key.
// - Bounded by the bytes of text kept (maxBytes, LRU); the newest text is kept even when it is
//   larger alone. Two requests for one key render once: the second waits for the first.
// - Warming: when a schedule's round finishes and that schedule was scraped in the last
//   WarmWindowMs, its text is rendered on this object's pool before the next scrape asks
//   (onHuntFinished), so a scrape of a 100k-node round does not wait for a render.
// text() is thread-safe; the QObject parts (onHuntFinished, the pool) live on the owner's thread.
class FleetMetricsCache : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype DefaultMaxBytes = qsizetype(128) << 20;
    static constexpr qint64 WarmWindowMs = 10 * 60 * 1000;

    explicit FleetMetricsCache(const ResultStore *store, qsizetype maxBytes = DefaultMaxBytes,
                               QObject *parent = nullptr);
    // Renders from the catalog's store (the faces' way in).
    explicit FleetMetricsCache(const HuntCatalog *catalog, qsizetype maxBytes = DefaultMaxBytes,
                               QObject *parent = nullptr);
    ~FleetMetricsCache() override; // waits for warming renders

    // `hunt`'s text: kept, or rendered now (renderFleetMetrics) and kept. `hunt` must be
    // finished. Errors as renderFleetMetrics; an error is not kept.
    Result<QByteArray> text(const HuntInfo &hunt);
    // A scrape of `schedule` asked now: its next finished rounds are warmed.
    void noteScraped(const QString &schedule);
    void forget(const QString &huntId);

    struct Stats
    {
        qint64 hits = 0;
        qint64 renders = 0;
        qint64 warmed = 0;
        qsizetype entries = 0;
        qsizetype bytes = 0;
    };
    Stats stats() const;

public Q_SLOTS:
    // Connect to HuntCatalog::huntFinished.
    void onHuntFinished(const Artemis::HuntInfo &info);

private:
    struct Entry
    {
        QString huntId;
        QMutex rendering; // held while the text is made
        bool ready = false;
        QByteArray text;
    };
    static QString keyOf(const HuntInfo &hunt);
    void trimLocked();

    const ResultStore *m_store; // not owned
    const qsizetype m_maxBytes;
    mutable QMutex m_mutex; // guards everything below
    // LRU order, most recent first; m_index points into it.
    std::list<std::pair<QString, std::shared_ptr<Entry>>> m_lru;
    QHash<QString, std::list<std::pair<QString, std::shared_ptr<Entry>>>::iterator> m_index;
    qsizetype m_bytes = 0;
    QHash<QString, qint64> m_scrapedAt; // schedule -> QDateTime ms of its last scrape
    Stats m_stats;
    QThreadPool m_pool; // one warming render at a time
};

} // namespace Artemis
