#pragma once

#include <functional>
#include <optional>

#include <QJsonValue>
#include <QList>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QString>

#include "core/base/result.h"
#include "core/engine/huntengine.h"
#include "core/fetch/outcome.h"
#include "core/fleet/fleetvalues.h"
#include "core/fleet/nodediff.h"
#include "core/fleet/projection.h"
#include "core/hunt/huntinfo.h"
#include "core/rules/schedule.h"
#include "core/service/huntcatalog.h"
#include "core/store/nodehistory.h"
#include "core/store/resultstore.h"
#include "gui/schedulealerts.h"

namespace Artemis::Gui {

// One node's value at a JSON path, for the compare view (collected by core's HuntCatalog).
using CompareRow = ValueRow;

// What the views need from "where hunts run and live": the in-process engine and store
// (LocalBackend) or an `artemis-headless serve` REST API (RemoteBackend). Every call is
// asynchronous: the answer arrives on the GUI thread through `callback`, and is dropped if
// `context` has been destroyed meanwhile. Views never block and never learn which kind of
// backend they talk to. No implementation calls back before the call returns.
//
// Lives on the GUI thread.
class HuntBackend : public QObject
{
    Q_OBJECT
public:
    template <typename T> using Callback = std::function<void(Result<T>)>;

    using QObject::QObject;
    ~HuntBackend() override = default;

    virtual QString description() const = 0; // for the status bar: "local: /data", ...
    virtual bool isRemote() const = 0;

    virtual void submit(const HuntRequest &request, QObject *context,
                        Callback<HuntInfo> callback) = 0;
    virtual void cancel(const QString &id, QObject *context, Callback<bool> callback) = 0;
    // Newest first.
    virtual void listHunts(int limit, QObject *context, Callback<QList<HuntInfo>> callback) = 0;
    virtual void huntInfo(const QString &id, QObject *context, Callback<HuntInfo> callback) = 0;
    virtual void readResults(const QString &id, const ResultQuery &query, QObject *context,
                             Callback<ResultPage> callback) = 0;
    // The value at `path` (see core/base/jsonvalues.h) in every stored result of the hunt.
    virtual void collectValues(const QString &id, const QString &path, QObject *context,
                               Callback<QList<CompareRow>> callback) = 0;
    // Groups (value, count, share, nodes; minorities flagged), number stats and outliers of
    // `path` across the hunt (core/fleet/fleetvalues.h); with `groupByLabels` (["dc", "rack"]) also
    // the same answer per combination of those labels' values (FleetValues::byLabel).
    virtual void fleetValues(const QString &id, const QString &path,
                             const QStringList &groupByLabels, QObject *context,
                             Callback<FleetValues> callback) = 0;
    // One node's body against `against`: "majority", "previous" (its schedule's previous
    // round) or another node of the hunt (core/fleet/nodediff.h).
    virtual void nodeDiff(const QString &id, const QString &node, const QString &against,
                          QObject *context, Callback<NodeDiff> callback) = 0;
    // The stored record (with body) of one node of the hunt; NotFound when it has none.
    virtual void nodeOutcome(const QString &id, const QString &node, QObject *context,
                             Callback<Outcome> callback) = 0;
    // Writes the hunt's results matching `outcomes` (empty: all), projected to `fields`
    // (core/fleet/projection.h), to `filePath` atomically; answers the bytes written.
    virtual void exportResults(const QString &id, const QStringList &fields, ExportFormat format,
                               const OutcomeFilter &outcomes, const QString &filePath,
                               QObject *context, Callback<qint64> callback) = 0;

    // Schedules (core/watch/scheduler.h): create one (round 1 starts at once; its hunt is reported
    // through huntStarted/huntProgress/huntFinished like a submitted hunt), list them, and read
    // one node's history across rounds with the value at a JSON path.
    virtual void createSchedule(const ScheduleSpec &spec, QObject *context,
                                Callback<Schedule> callback) = 0;
    virtual void listSchedules(QObject *context, Callback<QList<Schedule>> callback) = 0;
    virtual void nodeHistory(const QString &schedule, const QString &node, const QString &path,
                             int limit, QObject *context,
                             Callback<QList<NodeHistoryEntry>> callback) = 0;
    // The schedule's conditions and each node's alert state not ok (pending, firing, resolved)
    // as of its last evaluated round; NotFound for an unknown schedule.
    virtual void scheduleAlerts(const QString &schedule, QObject *context,
                                Callback<ScheduleAlerts> callback) = 0;

Q_SIGNALS:
    void huntStarted(const Artemis::HuntInfo &info);
    void huntProgress(const Artemis::HuntProgress &progress);
    void huntFinished(const Artemis::HuntInfo &info);
    // The conditions of `schedule` were evaluated after its round `round` (the alert states may
    // have changed). Only the local backend knows the moment; views of a remote one poll.
    void alertsEvaluated(const QString &schedule, int round);
    // The backend cannot be used right now (server unreachable, token refused); empty when
    // a later call succeeded again.
    void problemChanged(const QString &problem);
};

// Calls `callback(value)` later (queued) on `context`'s thread unless `context` is gone by
// then: an answer known at once is still delivered after the call returned, as the interface
// promises.
template <typename T>
void deliver(QObject *context, const HuntBackend::Callback<T> &callback, Result<T> value)
{
    if (!context || !callback) {
        return;
    }
    QMetaObject::invokeMethod(
        context, [callback, value = std::move(value)]() mutable { callback(std::move(value)); },
        Qt::QueuedConnection);
}

} // namespace Artemis::Gui
