#pragma once

#include <array>

#include <QHash>
#include <QObject>
#include <QString>

#include "core/broker/wire.h"
#include "core/engine/huntengine.h"

namespace Artemis {

// Artemis' own counters for GET /metrics (Prometheus text exposition format 0.0.4): hunts by
// state, fetches by outcome, fetch latency histogram, in-flight fetches, HTTP requests by
// route/method/status, process resident memory. Fed from HuntEngine signals and by the Router
// after every request. Lives on the main thread (the engine's and the server's).
class SelfMetrics final : public QObject
{
    Q_OBJECT
public:
    // `engine` is not owned and must outlive this.
    explicit SelfMetrics(HuntEngine *engine, QObject *parent = nullptr);

    void recordRequest(const QString &method, const QString &route, int status);
    QByteArray render() const;

    static constexpr std::array<double, 12> LatencyBucketsSeconds = {
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0};

private:
    void onProgress(const Artemis::HuntProgress &progress);
    void onFinished(const Artemis::HuntInfo &info);

    HuntEngine *m_engine; // not owned
    std::array<quint64, OutcomeKindCount> m_fetches{};
    std::array<quint64, LatencyBucketsSeconds.size()> m_latencyBuckets{}; // non-cumulative
    quint64 m_latencyCount = 0;
    double m_latencySum = 0;
    QHash<QString, quint64> m_finishedByState;
    quint64 m_huntsStarted = 0;
    QHash<QString, quint64> m_requests; // "method\x1froute\x1fstatus" -> count
};

// `worker --metrics-listen`: a worker's own counters (what its heartbeat says, as Prometheus
// text), labelled with its name.
QByteArray renderWorkerMetrics(const Wire::WorkerInfo &info, bool brokerConnected);

} // namespace Artemis
