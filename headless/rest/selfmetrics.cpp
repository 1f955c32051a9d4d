#include "headless/rest/selfmetrics.h"

#include <unistd.h>

#include <QFile>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

qint64 residentBytes()
{
    QFile statm(u"/proc/self/statm"_s);
    if (!statm.open(QIODevice::ReadOnly)) {
        return 0;
    }
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * ::sysconf(_SC_PAGESIZE) : 0;
}

QByteArray escapeLabel(const QString &value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return out;
}

} // namespace

SelfMetrics::SelfMetrics(HuntEngine *engine, QObject *parent) : QObject(parent), m_engine(engine)
{
    connect(engine, &HuntEngine::huntProgress, this, &SelfMetrics::onProgress);
    connect(engine, &HuntEngine::huntFinished, this, &SelfMetrics::onFinished);
    connect(engine, &HuntEngine::huntStarted, this, [this] { ++m_huntsStarted; });
}

void SelfMetrics::onProgress(const HuntProgress &progress)
{
    for (const Outcome &o : progress.newOutcomes) {
        ++m_fetches[static_cast<size_t>(o.outcome)];
        if (o.attempts == 0) {
            continue; // never fetched (cancelled before starting, denied): no latency
        }
        const double seconds = double(o.latencyMs) / 1000.0;
        ++m_latencyCount;
        m_latencySum += seconds;
        for (size_t i = 0; i < LatencyBucketsSeconds.size(); ++i) {
            if (seconds <= LatencyBucketsSeconds[i]) {
                ++m_latencyBuckets[i];
                break;
            }
        }
    }
}

void SelfMetrics::onFinished(const HuntInfo &info)
{
    ++m_finishedByState[huntStateName(info.state)];
}

void SelfMetrics::recordRequest(const QString &method, const QString &route, int status)
{
    ++m_requests[method + u'\x1f' + route + u'\x1f' + QString::number(status)];
}

QByteArray SelfMetrics::render() const
{
    QByteArray out;
    out.reserve(4096);
    out += "# HELP artemis_hunts Hunts currently queued or running in this process.\n"
           "# TYPE artemis_hunts gauge\n";
    out += "artemis_hunts{state=\"queued\"} " + QByteArray::number(m_engine->queuedCount()) + '\n';
    out +=
        "artemis_hunts{state=\"running\"} " + QByteArray::number(m_engine->runningCount()) + '\n';
    out += "# HELP artemis_hunts_started_total Hunts started since the service started.\n"
           "# TYPE artemis_hunts_started_total counter\n"
           "artemis_hunts_started_total "
           + QByteArray::number(m_huntsStarted) + '\n';
    out += "# HELP artemis_hunts_finished_total Hunts finished since start, by final state.\n"
           "# TYPE artemis_hunts_finished_total counter\n";
    for (const QString &state : {u"done"_s, u"cancelled"_s, u"interrupted"_s, u"failed"_s}) {
        out += "artemis_hunts_finished_total{state=\"" + state.toUtf8() + "\"} "
               + QByteArray::number(m_finishedByState.value(state)) + '\n';
    }

    out += "# HELP artemis_fetches_total Node fetches finished, by outcome.\n"
           "# TYPE artemis_fetches_total counter\n";
    for (int i = 0; i < OutcomeKindCount; ++i) {
        out += "artemis_fetches_total{outcome=\""
               + outcomeName(static_cast<OutcomeKind>(i)).toUtf8() + "\"} "
               + QByteArray::number(m_fetches[size_t(i)]) + '\n';
    }

    out += "# HELP artemis_fetch_latency_seconds Latency of the last attempt of each fetch.\n"
           "# TYPE artemis_fetch_latency_seconds histogram\n";
    quint64 cumulative = 0;
    for (size_t i = 0; i < LatencyBucketsSeconds.size(); ++i) {
        cumulative += m_latencyBuckets[i];
        out += "artemis_fetch_latency_seconds_bucket{le=\""
               + QByteArray::number(LatencyBucketsSeconds[i]) + "\"} "
               + QByteArray::number(cumulative) + '\n';
    }
    out += "artemis_fetch_latency_seconds_bucket{le=\"+Inf\"} " + QByteArray::number(m_latencyCount)
           + '\n';
    out += "artemis_fetch_latency_seconds_sum " + QByteArray::number(m_latencySum, 'f', 6) + '\n';
    out += "artemis_fetch_latency_seconds_count " + QByteArray::number(m_latencyCount) + '\n';

    // Each running hunt keeps min(concurrency, nodes left) fetches in flight (HuntRun's
    // window), so this is exact except while the last outcomes of a batch are being written.
    qint64 inFlight = 0;
    for (const HuntInfo &info : m_engine->activeHunts()) {
        if (info.state == HuntState::Running) {
            inFlight += std::min(info.options.concurrency, std::max(0, info.total - info.done));
        }
    }
    out += "# HELP artemis_fetches_in_flight Fetches started and not yet finished.\n"
           "# TYPE artemis_fetches_in_flight gauge\n"
           "artemis_fetches_in_flight "
           + QByteArray::number(inFlight) + '\n';

    out += "# HELP artemis_http_requests_total HTTP requests answered, by route and status.\n"
           "# TYPE artemis_http_requests_total counter\n";
    QStringList keys = m_requests.keys();
    keys.sort();
    for (const QString &key : std::as_const(keys)) {
        const QStringList parts = key.split(u'\x1f');
        out += "artemis_http_requests_total{method=\"" + escapeLabel(parts.value(0)) + "\",route=\""
               + escapeLabel(parts.value(1)) + "\",status=\"" + parts.value(2).toUtf8() + "\"} "
               + QByteArray::number(m_requests.value(key)) + '\n';
    }

    out += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
           "# TYPE process_resident_memory_bytes gauge\n"
           "process_resident_memory_bytes "
           + QByteArray::number(residentBytes()) + '\n';
    return out;
}

QByteArray renderWorkerMetrics(const Wire::WorkerInfo &info, bool brokerConnected)
{
    const QByteArray label = "{worker=\"" + escapeLabel(info.name) + "\"} ";
    QByteArray out;
    auto metric = [&](const char *name, const char *type, const char *help,
                      const QByteArray &value) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n'
               + name + label + value + '\n';
    };
    metric("artemis_worker_nodes_total", "counter", "Nodes fetched since the worker started.",
           QByteArray::number(info.done));
    metric("artemis_worker_errors_total", "counter",
           "Nodes fetched since start whose outcome is not ok.", QByteArray::number(info.errors));
    metric("artemis_worker_refused_jobs_total", "counter",
           "Jobs refused: unsigned, forged, expired, added again, or of a hunt that is over, "
           "cancelled or unknown.",
           QByteArray::number(info.refusedJobs));
    metric("artemis_worker_signing_mismatch", "gauge",
           "1 while the coordinator's signing mark in Redis is not this worker's "
           "--broker-secret-file (the worker still refuses whatever its secret did not sign).",
           info.signingMismatch.isEmpty() ? "0" : "1");
    metric("artemis_worker_in_flight", "gauge", "Nodes being fetched now.",
           QByteArray::number(info.inFlight));
    metric("artemis_worker_jobs", "gauge", "Jobs (batches of nodes) held now.",
           QByteArray::number(info.jobs));
    metric("artemis_worker_nodes_per_second", "gauge",
           "Nodes fetched per second over the last 10 s.",
           QByteArray::number(info.nodesPerSecond, 'f', 1));
    metric("artemis_worker_broker_connected", "gauge", "1 while both Redis connections are up.",
           brokerConnected ? "1" : "0");
    out += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
           "# TYPE process_resident_memory_bytes gauge\n"
           "process_resident_memory_bytes "
           + QByteArray::number(residentBytes()) + '\n';
    return out;
}

} // namespace Artemis
