#pragma once

#include <functional>
#include <optional>

#include <QHash>
#include <QJsonValue>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QString>

#include "core/base/result.h"
#include "core/engine/huntengine.h"
#include "core/fetch/outcome.h"
#include "core/fleet/fleetvalues.h"
#include "core/fleet/nodediff.h"
#include "core/hunt/huntinfo.h"
#include "core/store/resultindex.h"
#include "core/store/resultstore.h"

namespace Artemis {

class HuntCatalog;

// The catalog's store, for core/service's own renderers (fleet metrics read the results file
// directly). Faces never call it: they use HuntCatalog's methods (a configure-time check in
// cmake/FaceStoreCheck.cmake refuses it, and store(), in gui/, headless/ and app/).
const ResultStore *catalogStore(const HuntCatalog &catalog);

// One node's value at a JSON path (core/base/jsonvalues.h), for comparing a hunt's nodes.
struct ValueRow
{
    QString node;
    OutcomeKind outcome = OutcomeKind::Ok;
    QJsonValue value; // Undefined when the node failed or its body lacks the path
    std::optional<double> number;
};

struct HuntListQuery
{
    static constexpr int DefaultLimit = 50;
    static constexpr int MaxLimit = 1000;
    int limit = DefaultLimit;
    QString before;                 // only ids older than this (paging); empty: from the newest
    std::optional<HuntState> state; // only hunts in this (presented) state
};

struct HuntListPage
{
    QList<HuntInfo> hunts; // newest first
    QString nextBefore;    // a next page may exist: ask again with this `before`; else empty
};

// The one place that knows a hunt's current state, whichever face asks (REST, the GUI's local
// backend, the CLI):
//   - active in the engine: its live counts; a hunt the engine calls done/cancelled whose last
//     results and manifest are still being written is presented as `running` until they are
//     on disk, so that whoever sees `done` can read every result at once;
//   - ended, but its final manifest could not be stored (disk full): what the engine kept;
//   - stored: the manifest (finished ones are cached: they no longer change).
// It lists hunts (active + stored, newest first, paged), applies the cancel/delete rules and
// collects one path's values across a hunt's nodes.
//
// Lives on the engine's thread; call everything but the *Task results and collectValues()
// from there. A *Task captures what the engine knows now and then reads the store on any
// thread (for faces whose own thread must not touch the disk). Borrows engine and store.
class HuntCatalog final : public QObject
{
    Q_OBJECT
public:
    HuntCatalog(HuntEngine *engine, ResultStore *store, QObject *parent = nullptr);
    ~HuntCatalog() override;

    // `id` may be "latest" (Latest): the newest hunt that is done, so that an answer read
    // from "latest" covers every node (a running round, or a cancelled, interrupted or failed
    // hunt, is never "latest"; name it by its id). NotFound when no hunt is done yet.
    static constexpr QStringView Latest = u"latest";
    Result<HuntInfo> find(const QString &id);
    Result<HuntListPage> list(const HuntListQuery &query);
    // Conflict when the hunt has ended (or is ending); NotFound when there is no such hunt.
    Result<void> cancel(const QString &id);
    // Deletes an ended hunt's data. Conflict while it is active or its results are still
    // being written; NotFound when there is no such hunt.
    Result<void> remove(const QString &id);
    // True when find(id) gives the stored final manifest, which will not change again (until
    // the hunt is removed): answers built from it may be cached.
    bool isSettled(const QString &id) const;

    using FindTask = std::function<Result<HuntInfo>()>;
    using ListTask = std::function<Result<HuntListPage>()>;
    FindTask findTask(const QString &id);
    ListTask listTask(const HuntListQuery &query);

    // Thread-safe (they read the store only; run them on a worker: a 100k-node hunt takes
    // ~0.5 s). InvalidArgument for a bad path, NotFound for an unknown hunt or node.
    Result<QList<ValueRow>> collectValues(const QString &id, const QString &path) const;
    // Groups, stats and outliers of one path across the hunt (core/fleet/fleetvalues.h).
    Result<FleetValues> values(const QString &id, const QString &path,
                               const FleetValuesOptions &options = {}) const;
    // `against`: "majority" (the other ok nodes), "previous" (the same node in the previous
    // round of the hunt's schedule) or another node of the hunt (core/fleet/nodediff.h).
    Result<NodeDiff> diff(const QString &id, const QString &node, const QString &against) const;

    // A running hunt's live progress (rate over the last seconds, the nodes still waited on
    // with attempt and age), as find() would present its state; null once it has ended.
    // Engine thread.
    std::optional<HuntProgress> liveProgress(const QString &id) const;

    // The engine's progress as find() would present its state.
    static HuntProgress presented(HuntProgress progress);
    static HuntInfo presented(HuntInfo info);

    // The stored side, for the faces (they never reach the store itself). Thread-safe, with
    // ResultStore's semantics and errors (core/store/resultstore.h).
    // The data dir the hunts are stored in (a face's description, host metrics).
    QString dataDir() const;
    // Whether the data dir takes writes right now (readiness probes).
    StorageHealth checkStorage() const;
    // Stored hunts only (the engine's active ones are not looked at), newest first: a face
    // resuming interrupted hunts at start-up asks for those.
    Result<QList<HuntInfo>> listStored(int limit, HuntState state) const;
    // One page of a hunt's results; one node's result.
    Result<ResultPage> readResults(const QString &id, const ResultQuery &query) const;
    Result<Outcome> findResult(const QString &id, const QString &node) const;
    // Every stored outcome in file order (streaming); the number of torn lines skipped.
    Result<int> forEachResult(const QString &id,
                              const std::function<bool(const Outcome &)> &sink) const;
    // For exports that stream the results file: its path (empty for an invalid id) and, for a
    // sorted or searched export, the lines in order.
    QString resultsFile(const QString &id) const;
    Result<QList<LineRef>> selectLines(const QString &id, const ResultQuery &query) const;

Q_SIGNALS:
    // The engine's hunt signals, states presented as find() does (faces connect here, not to
    // the engine). huntFinished comes once the hunt's results are all stored.
    void huntStarted(const Artemis::HuntInfo &info);
    void huntProgress(const Artemis::HuntProgress &progress);
    void huntFinished(const Artemis::HuntInfo &info);
    void huntRemoved(const QString &id);

private:
    friend const ResultStore *catalogStore(const HuntCatalog &catalog);

    // What the engine knows of a hunt now (engine thread): active (presented) or unstored.
    std::optional<HuntInfo> live(const QString &id) const;
    Result<HuntInfo> stored(const QString &id) const; // any thread; fills the cache
    void forget(const QString &id);

    HuntEngine *m_engine;                        // not owned
    ResultStore *m_store;                        // not owned
    mutable QMutex m_mutex;                      // guards m_finished (tasks fill it from the pool)
    mutable QHash<QString, HuntInfo> m_finished; // stored finished manifests
};

} // namespace Artemis
