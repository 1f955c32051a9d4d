#pragma once

#include <QThreadPool>

#include "gui/huntbackend.h"

namespace Artemis {
class HuntEngine;
class ResultStore;
}

namespace Artemis::Gui {

// Hunts run in this process on the HuntEngine; reads go to the ResultStore on a thread pool
// (QtConcurrent) so the GUI thread never touches the disk for browsing. Submitting writes the
// new hunt's small manifest synchronously inside HuntEngine::submit (core API).
//
// Lives on the GUI thread. `engine` and `store` are not owned and must outlive the backend.
class LocalBackend final : public HuntBackend
{
    Q_OBJECT
public:
    LocalBackend(HuntEngine *engine, ResultStore *store, QObject *parent = nullptr);
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

private:
    template <typename T, typename Work>
    void runAsync(QObject *context, Callback<T> callback, Work work);

    HuntEngine *m_engine; // not owned
    ResultStore *m_store; // not owned
    QThreadPool m_pool;   // reads; waited for on destruction
};

} // namespace Artemis::Gui
