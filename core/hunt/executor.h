#pragma once

#include <QList>
#include <QObject>

#include "core/fetch/fetchoptions.h"
#include "core/fetch/outcome.h"
#include "core/hunt/huntinfo.h"
#include "core/net/target.h"

namespace Artemis {

// Where fetches run: in this process (LocalExecutor, fetch threads) or on remote workers
// (distributed mode). A HuntRun talks to an executor only through this interface; outcomes
// come back, batched, through outcomesReady. Lives on the engine's thread.
class Executor : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~Executor() override = default;

    // Called once before beginHunt with the hunt's manifest. Executors that fetch in other
    // processes need its id (the hunt's name across processes) and its path; the default
    // ignores it.
    virtual void describeHunt(quint64 key, const HuntInfo &info)
    {
        Q_UNUSED(key);
        Q_UNUSED(info);
    }
    // Whether this executor can run a hunt with these options (checked by HuntEngine::submit
    // before anything is stored): an executor that sends options through a shared medium may
    // refuse secrets it cannot protect. The default takes everything.
    virtual Result<void> accepts(const FetchOptions &options) const
    {
        Q_UNUSED(options);
        return {};
    }
    // A hunt identified by `key` is about to submit targets fetched with `options`.
    virtual void beginHunt(quint64 key, const FetchOptions &options) = 0;
    // Fetch these targets (each yields exactly one outcome, unless the hunt is cancelled first,
    // in which case unfinished targets yield `cancelled` outcomes).
    virtual void submit(quint64 key, const QList<Target> &targets) = 0;
    // Stop the hunt: nothing new starts; in-flight fetches are aborted as `cancelled`.
    virtual void cancel(quint64 key) = 0;
    // The hunt is over; forget it.
    virtual void endHunt(quint64 key) = 0;

Q_SIGNALS:
    void outcomesReady(quint64 key, const QList<Artemis::Outcome> &outcomes);
    // Optional news for the "still running" view (core/hunt/unfinishednodes.h): `node` waits to
    // retry after attempt `attempt` failed (waiting), or its attempt `attempt` began. An
    // executor that cannot tell (remote workers) never emits it; its nodes show as in flight.
    void retryStateChanged(quint64 key, const QString &node, int attempt, bool waiting);
};

} // namespace Artemis
