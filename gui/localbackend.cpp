#include "gui/localbackend.h"

#include <algorithm>

#include <QSaveFile>

#include "core/engine/huntengine.h"
#include "core/service/huntcatalog.h"
#include "core/service/localstack.h"
#include "core/watch/scheduler.h"
#include "gui/async.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {

Error noScheduler()
{
    return makeError(ErrorCode::Unavailable, u"schedules are not available here"_s);
}

} // namespace

LocalBackend::LocalBackend(LocalStack *stack, QObject *parent) : HuntBackend(parent), m_stack(stack)
{
    m_pool.setMaxThreadCount(2);
    HuntCatalog *catalog = stack->catalog();
    connect(catalog, &HuntCatalog::huntStarted, this, &HuntBackend::huntStarted);
    connect(catalog, &HuntCatalog::huntProgress, this, &HuntBackend::huntProgress);
    connect(catalog, &HuntCatalog::huntFinished, this, &HuntBackend::huntFinished);
    if (Scheduler *scheduler = stack->scheduler()) {
        connect(scheduler, &Scheduler::alertsEvaluated, this, [this](const RoundAlerts &alerts) {
            Q_EMIT alertsEvaluated(alerts.schedule, alerts.round);
        });
    }
}

LocalBackend::~LocalBackend()
{
    m_pool.waitForDone();
}

QString LocalBackend::description() const
{
    return u"Local: %1"_s.arg(m_stack->catalog()->dataDir());
}

template <typename T, typename Work>
void LocalBackend::runAsync(QObject *context, Callback<T> callback, Work work)
{
    runInPool(&m_pool, context, std::move(work),
              [callback = std::move(callback)](Result<T> result) {
                  if (callback) {
                      callback(std::move(result));
                  }
              });
}

void LocalBackend::submit(const HuntRequest &request, QObject *context, Callback<HuntInfo> callback)
{
    Result<HuntInfo> submitted = m_stack->engine()->submit(request);
    if (submitted) {
        submitted = HuntCatalog::presented(*submitted);
    }
    deliver(context, callback, std::move(submitted));
}

void LocalBackend::cancel(const QString &id, QObject *context, Callback<bool> callback)
{
    const Result<void> cancelled = m_stack->catalog()->cancel(id);
    deliver<bool>(context, callback, cancelled ? Result<bool>(true) : cancelled.error());
}

void LocalBackend::listHunts(int limit, QObject *context, Callback<QList<HuntInfo>> callback)
{
    HuntListQuery query;
    query.limit = std::clamp(limit, 1, HuntListQuery::MaxLimit);
    runAsync<QList<HuntInfo>>(
        context, std::move(callback),
        [task = m_stack->catalog()->listTask(query)]() -> Result<QList<HuntInfo>> {
            Result<HuntListPage> page = task();
            if (!page) {
                return page.error();
            }
            return std::move(page->hunts);
        });
}

void LocalBackend::huntInfo(const QString &id, QObject *context, Callback<HuntInfo> callback)
{
    runAsync<HuntInfo>(context, std::move(callback), m_stack->catalog()->findTask(id));
}

void LocalBackend::readResults(const QString &id, const ResultQuery &query, QObject *context,
                               Callback<ResultPage> callback)
{
    const HuntCatalog *catalog = m_stack->catalog();
    runAsync<ResultPage>(
        context, std::move(callback),
        [catalog, id, query]() -> Result<ResultPage> { return catalog->readResults(id, query); });
}

void LocalBackend::collectValues(const QString &id, const QString &path, QObject *context,
                                 Callback<QList<CompareRow>> callback)
{
    const HuntCatalog *catalog = m_stack->catalog();
    runAsync<QList<CompareRow>>(context, std::move(callback),
                                [catalog, id, path]() { return catalog->collectValues(id, path); });
}

void LocalBackend::fleetValues(const QString &id, const QString &path,
                               const QStringList &groupByLabels, QObject *context,
                               Callback<FleetValues> callback)
{
    const HuntCatalog *catalog = m_stack->catalog();
    runAsync<FleetValues>(context, std::move(callback), [catalog, id, path, groupByLabels]() {
        FleetValuesOptions options;
        options.maxOutliers = 1000;
        options.groupByLabels = groupByLabels;
        return catalog->values(id, path, options);
    });
}

void LocalBackend::nodeDiff(const QString &id, const QString &node, const QString &against,
                            QObject *context, Callback<NodeDiff> callback)
{
    const HuntCatalog *catalog = m_stack->catalog();
    runAsync<NodeDiff>(context, std::move(callback),
                       [catalog, id, node, against]() { return catalog->diff(id, node, against); });
}

void LocalBackend::nodeOutcome(const QString &id, const QString &node, QObject *context,
                               Callback<Outcome> callback)
{
    const HuntCatalog *catalog = m_stack->catalog();
    runAsync<Outcome>(context, std::move(callback), [catalog, id, node]() -> Result<Outcome> {
        return catalog->findResult(id, node);
    });
}

void LocalBackend::exportResults(const QString &id, const QStringList &fields, ExportFormat format,
                                 const OutcomeFilter &outcomes, const QString &filePath,
                                 QObject *context, Callback<qint64> callback)
{
    Result<Projection> projection = Projection::parse(fields);
    if (!projection) {
        deliver<qint64>(context, callback, projection.error());
        return;
    }
    const HuntCatalog *catalog = m_stack->catalog();
    runAsync<qint64>(
        context, std::move(callback),
        [catalog, id, outcomes, filePath, format,
         projection = std::move(*projection)]() -> Result<qint64> {
            QSaveFile file(filePath);
            if (!file.open(QIODevice::WriteOnly)) {
                return makeError(ErrorCode::Io,
                                 u"cannot write %1: %2"_s.arg(filePath, file.errorString()));
            }
            ProjectionWriter writer(&file, projection, format);
            Result<void> written = writer.begin();
            const Result<int> read = catalog->forEachResult(id, [&](const Outcome &o) {
                if (written && outcomes.matches(o.outcome)) {
                    written = writer.write(o);
                }
                return bool(written);
            });
            if (!read) {
                return read.error();
            }
            if (written) {
                written = writer.finish();
            }
            if (!written) {
                return written.error();
            }
            if (!file.commit()) {
                return makeError(ErrorCode::Io,
                                 u"cannot write %1: %2"_s.arg(filePath, file.errorString()));
            }
            return writer.bytesWritten();
        });
}

void LocalBackend::createSchedule(const ScheduleSpec &spec, QObject *context,
                                  Callback<Schedule> callback)
{
    Scheduler *scheduler = m_stack->scheduler();
    deliver<Schedule>(context, callback, scheduler ? scheduler->create(spec) : noScheduler());
}

void LocalBackend::listSchedules(QObject *context, Callback<QList<Schedule>> callback)
{
    Scheduler *scheduler = m_stack->scheduler();
    deliver<QList<Schedule>>(context, callback, scheduler ? scheduler->list() : QList<Schedule>());
}

void LocalBackend::nodeHistory(const QString &schedule, const QString &node, const QString &path,
                               int limit, QObject *context,
                               Callback<QList<NodeHistoryEntry>> callback)
{
    Scheduler *scheduler = m_stack->scheduler();
    if (!scheduler) {
        deliver<QList<NodeHistoryEntry>>(context, callback, noScheduler());
        return;
    }
    // Checked here; the store is read on the pool.
    Result<Scheduler::HistoryTask> task = scheduler->historyTask(schedule, node, path, limit);
    if (!task) {
        deliver<QList<NodeHistoryEntry>>(context, callback, task.error());
        return;
    }
    runAsync<QList<NodeHistoryEntry>>(context, std::move(callback), std::move(task).value());
}

void LocalBackend::scheduleAlerts(const QString &schedule, QObject *context,
                                  Callback<ScheduleAlerts> callback)
{
    Scheduler *scheduler = m_stack->scheduler();
    if (!scheduler) {
        deliver<ScheduleAlerts>(context, callback, noScheduler());
        return;
    }
    const std::optional<Schedule> found = scheduler->find(schedule);
    Result<AlertBook> book = scheduler->alerts(schedule);
    if (!found || !book) {
        deliver<ScheduleAlerts>(
            context, callback,
            makeError(ErrorCode::NotFound, u"no schedule with id '%1'"_s.arg(schedule)));
        return;
    }
    // The book is implicitly shared, so the copy is cheap here; sorting 100,000s of alerts
    // for the listing is not, so it runs on the pool.
    runAsync<ScheduleAlerts>(context, std::move(callback),
                             [schedule, rules = found->spec.alertRules(),
                              book = std::move(book).value()]() -> Result<ScheduleAlerts> {
                                 return ScheduleAlerts::fromBook(schedule, book, rules);
                             });
}

} // namespace Artemis::Gui
