#pragma once

#include <QThreadPool>

#include "gui/huntbackend.h"

namespace Artemis {
class HuntEngine;
class ResultStore;
class Scheduler;
}

namespace Artemis::Gui {

// Hunts run in this process on the HuntEngine; reads go to the ResultStore on a thread pool
// (QtConcurrent) so the GUI thread never touches the disk for browsing. Submitting writes the
// new hunt's small manifest synchronously inside HuntEngine::submit (core API).
//
// Lives on the GUI thread. `engine`, `store` and `scheduler` are not owned and must outlive
// the backend; without a scheduler, schedules are refused (Unavailable).
class LocalBackend final : public HuntBackend
{
    Q_OBJECT
public:
    LocalBackend(HuntEngine *engine, ResultStore *store, Scheduler *scheduler = nullptr,
                 QObject *parent = nullptr);
    ~LocalBackend() override;

    QString description() const override;
    bool isRemote() const override { return false; }

    void submit(const HuntRequest &request, QObject *context,
                Callback<HuntInfo> callback) override;
    void cancel(const QString &id, QObject *context, Callback<bool> callback) override;
    void listHunts(int limit, QObject *context, Callback<QList<HuntInfo>> callback) override;
    void huntInfo(const QString &id, QObject *context, Callback<HuntInfo> callback) override;
    void readResults(const QString &id, const ResultQuery &query, QObject *context,
                     Callback<ResultPage> callback) override;
    void collectValues(const QString &id, const QString &path, QObject *context,
                       Callback<QList<CompareRow>> callback) override;
    void createSchedule(const ScheduleSpec &spec, QObject *context,
                        Callback<Schedule> callback) override;
    void listSchedules(QObject *context, Callback<QList<Schedule>> callback) override;
    void nodeHistory(const QString &schedule, const QString &node, const QString &path,
                     int limit, QObject *context,
                     Callback<QList<NodeHistoryEntry>> callback) override;

private:
    template <typename T, typename Work>
    void runAsync(QObject *context, Callback<T> callback, Work work);

    HuntEngine *m_engine; // not owned
    ResultStore *m_store; // not owned
    Scheduler *m_scheduler; // not owned; may be null
    QThreadPool m_pool;   // reads; waited for on destruction
};

} // namespace Artemis::Gui
