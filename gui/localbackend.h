#pragma once

#include <QThreadPool>

#include "gui/huntbackend.h"

namespace Artemis {
class LocalStack;
}

namespace Artemis::Gui {

// Hunts run in this process on the local stack (core/service/localstack.h); what a hunt's state is
// comes from its HuntCatalog, as for the REST API. Reads go to the store on a thread pool
// (QtConcurrent) so the GUI thread never touches the disk for browsing. Submitting writes the
// new hunt's small manifest synchronously inside HuntEngine::submit (core API). Every answer is
// delivered queued, never before the call returns.
//
// Lives on the GUI thread. `stack` is not owned and must outlive the backend; without a
// scheduler in it, schedules are refused (Unavailable).
class LocalBackend final : public HuntBackend
{
    Q_OBJECT
public:
    explicit LocalBackend(LocalStack *stack, QObject *parent = nullptr);
    ~LocalBackend() override;

    QString description() const override;
    bool isRemote() const override { return false; }

    void submit(const HuntRequest &request, QObject *context, Callback<HuntInfo> callback) override;
    void cancel(const QString &id, QObject *context, Callback<bool> callback) override;
    void listHunts(int limit, QObject *context, Callback<QList<HuntInfo>> callback) override;
    void huntInfo(const QString &id, QObject *context, Callback<HuntInfo> callback) override;
    void readResults(const QString &id, const ResultQuery &query, QObject *context,
                     Callback<ResultPage> callback) override;
    void collectValues(const QString &id, const QString &path, QObject *context,
                       Callback<QList<CompareRow>> callback) override;
    void fleetValues(const QString &id, const QString &path, const QStringList &groupByLabels,
                     QObject *context, Callback<FleetValues> callback) override;
    void nodeDiff(const QString &id, const QString &node, const QString &against, QObject *context,
                  Callback<NodeDiff> callback) override;
    void nodeOutcome(const QString &id, const QString &node, QObject *context,
                     Callback<Outcome> callback) override;
    void exportResults(const QString &id, const QStringList &fields, ExportFormat format,
                       const OutcomeFilter &outcomes, const QString &filePath, QObject *context,
                       Callback<qint64> callback) override;
    void createSchedule(const ScheduleSpec &spec, QObject *context,
                        Callback<Schedule> callback) override;
    void listSchedules(QObject *context, Callback<QList<Schedule>> callback) override;
    void nodeHistory(const QString &schedule, const QString &node, const QString &path, int limit,
                     QObject *context, Callback<QList<NodeHistoryEntry>> callback) override;
    void scheduleAlerts(const QString &schedule, QObject *context,
                        Callback<ScheduleAlerts> callback) override;

private:
    template <typename T, typename Work>
    void runAsync(QObject *context, Callback<T> callback, Work work);

    LocalStack *m_stack; // not owned
    QThreadPool m_pool;  // reads; waited for on destruction
};

} // namespace Artemis::Gui
