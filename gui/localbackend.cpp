#include "gui/localbackend.h"


#include "core/huntengine.h"
#include "core/jsonvalues.h"
#include "core/resultstore.h"
#include "core/scheduler.h"
#include "gui/async.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

LocalBackend::LocalBackend(HuntEngine *engine, ResultStore *store, Scheduler *scheduler,
                           QObject *parent)
    : HuntBackend(parent), m_engine(engine), m_store(store), m_scheduler(scheduler)
{
    m_pool.setMaxThreadCount(2);
    connect(m_engine, &HuntEngine::huntStarted, this, &HuntBackend::huntStarted);
    connect(m_engine, &HuntEngine::huntProgress, this, &HuntBackend::huntProgress);
    connect(m_engine, &HuntEngine::huntFinished, this, &HuntBackend::huntFinished);
}

LocalBackend::~LocalBackend()
{
    m_pool.waitForDone();
}

QString LocalBackend::description() const
{
    return u"Local: %1"_s.arg(m_store->dataDir());
}

template <typename T, typename Work>
void LocalBackend::runAsync(QObject *context, Callback<T> callback, Work work)
{
    runInPool(&m_pool, context, std::move(work), [callback = std::move(callback)](Result<T> result) {
        if (callback) {
            callback(std::move(result));
        }
    });
}

void LocalBackend::submit(const HuntRequest &request, QObject *context,
                          Callback<HuntInfo> callback)
{
    deliver(context, callback, m_engine->submit(request));
}

void LocalBackend::cancel(const QString &id, QObject *context, Callback<bool> callback)
{
    const Result<void> cancelled = m_engine->cancel(id);
    if (!cancelled) {
        deliver<bool>(context, callback, cancelled.error());
        return;
    }
    deliver<bool>(context, callback, true);
}

void LocalBackend::listHunts(int limit, QObject *context, Callback<QList<HuntInfo>> callback)
{
    ResultStore *store = m_store;
    // Active hunts carry live counts; the store's manifests lag by up to a second.
    const QList<HuntInfo> active = m_engine->activeHunts();
    runAsync<QList<HuntInfo>>(context, std::move(callback),
                              [store, limit, active]() -> Result<QList<HuntInfo>> {
                                  Result<QList<HuntInfo>> hunts = store->listHunts(limit);
                                  if (!hunts) {
                                      return hunts;
                                  }
                                  for (HuntInfo &info : *hunts) {
                                      for (const HuntInfo &live : active) {
                                          if (live.id == info.id) {
                                              info = live;
                                          }
                                      }
                                  }
                                  return hunts;
                              });
}

void LocalBackend::huntInfo(const QString &id, QObject *context, Callback<HuntInfo> callback)
{
    if (const std::optional<HuntInfo> active = m_engine->activeInfo(id)) {
        deliver<HuntInfo>(context, callback, *active);
        return;
    }
    ResultStore *store = m_store;
    runAsync<HuntInfo>(context, std::move(callback),
                       [store, id]() -> Result<HuntInfo> { return store->loadManifest(id); });
}

void LocalBackend::readResults(const QString &id, const ResultQuery &query, QObject *context,
                               Callback<ResultPage> callback)
{
    ResultStore *store = m_store;
    runAsync<ResultPage>(context, std::move(callback), [store, id, query]() -> Result<ResultPage> {
        return store->readResults(id, query);
    });
}

void LocalBackend::collectValues(const QString &id, const QString &path, QObject *context,
                                 Callback<QList<CompareRow>> callback)
{
    ResultStore *store = m_store;
    runAsync<QList<CompareRow>>(
        context, std::move(callback), [store, id, path]() -> Result<QList<CompareRow>> {
            const Result<JsonPath> parsed = parseJsonPath(path);
            if (!parsed) {
                return parsed.error();
            }
            QList<CompareRow> rows;
            const Result<int> read = store->forEachResult(id, [&](const Outcome &outcome) {
                CompareRow row;
                row.node = outcome.node;
                row.outcome = outcome.outcome;
                row.value = outcome.outcome == OutcomeKind::Ok
                    ? jsonValueAt(outcome.body, *parsed)
                    : QJsonValue(QJsonValue::Undefined);
                row.number = jsonNumber(row.value);
                rows.append(std::move(row));
                return true;
            });
            if (!read) {
                return read.error();
            }
            return rows;
        });
}

namespace {
Error noScheduler()
{
    return makeError(ErrorCode::Unavailable, u"schedules are not available here"_s);
}
} // namespace

void LocalBackend::createSchedule(const ScheduleSpec &spec, QObject *context,
                                  Callback<Schedule> callback)
{
    deliver<Schedule>(context, callback, m_scheduler ? m_scheduler->create(spec) : noScheduler());
}

void LocalBackend::listSchedules(QObject *context, Callback<QList<Schedule>> callback)
{
    deliver<QList<Schedule>>(context, callback,
                             m_scheduler ? m_scheduler->list() : QList<Schedule>());
}

void LocalBackend::nodeHistory(const QString &schedule, const QString &node, const QString &path,
                               int limit, QObject *context,
                               Callback<QList<NodeHistoryEntry>> callback)
{
    if (!m_scheduler) {
        deliver<QList<NodeHistoryEntry>>(context, callback, noScheduler());
        return;
    }
    // Checked here; the store is read on the pool.
    Result<Scheduler::HistoryTask> task = m_scheduler->historyTask(schedule, node, path, limit);
    if (!task) {
        deliver<QList<NodeHistoryEntry>>(context, callback, task.error());
        return;
    }
    runAsync<QList<NodeHistoryEntry>>(context, std::move(callback), std::move(task).value());
}

} // namespace Artemis::Gui
