// valuesbench: the C++ side of bench/values-bench.sh (built by that script against a Release
// artemis_core; not part of the CMake build).
//
//   valuesbench generate DATA_DIR N          writes an N-result hunt, prints its id
//   valuesbench values DATA_DIR ID PATH RUNS computeFleetValues RUNS times, prints the median ms
//   valuesbench csv DATA_DIR ID OUT FIELD... streams every outcome through the CSV writer
//   valuesbench metrics DATA_DIR ID RUNS     renderFleetMetrics (extracts memory.usedBytes,
//                                            version) RUNS times, prints the median ms
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QThreadPool>

#include "core/base/huntid.h"
#include "core/fleet/fleetvalues.h"
#include "core/fleet/projection.h"
#include "core/fleet/resultexport.h"
#include "core/hunt/huntinfo.h"
#include "core/service/fleetmetrics.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "valuesbench: %s\n", qPrintable(message));
    return 1;
}

// The ~600-byte body of bench/hunt-vs-curl.sh, with a version split and noisy memory.
QJsonObject bodyFor(int i, quint32 &state)
{
    const auto uniform = [&state] {
        state = state * 1664525u + 1013904223u;
        return double(state >> 8) / double(1u << 24) * 2.0 - 1.0;
    };
    const QString version = i % 100 < 91 ? u"1.4.2"_s : (i % 100 < 97 ? u"1.4.1"_s : u"1.3.9"_s);
    const double used = std::round(12884901888.0 * (1 + 0.05 * (uniform() + uniform())));
    return QJsonObject{
        {u"node"_s, u"node-%1"_s.arg(i)},
        {u"cluster"_s, u"bench-loopback"_s},
        {u"version"_s, version},
        {u"uptimeSec"_s, 1234567 + i},
        {u"status"_s, u"ok"_s},
        {u"load"_s, QJsonObject{{u"1m"_s, 0.42}, {u"5m"_s, 0.37}, {u"15m"_s, 0.31}}},
        {u"cpu"_s,
         QJsonObject{{u"cores"_s, 8}, {u"user"_s, 12.5}, {u"system"_s, 3.1}, {u"idle"_s, 84.4}}},
        {u"memory"_s, QJsonObject{{u"totalBytes"_s, 34359738368.0}, {u"usedBytes"_s, used}}},
        {u"labels"_s, QJsonObject{{u"rack"_s, u"r%1"_s.arg(i % 40)}, {u"zone"_s, u"z1"_s}}},
    };
}

int generate(const QString &dataDir, int n)
{
    ResultStore store(dataDir);
    if (const auto opened = store.open(); !opened) {
        return fail(opened.error().message);
    }
    HuntInfo info;
    info.id = newHuntId();
    info.url = u"/metric"_s;
    info.state = HuntState::Done;
    info.createdAt = QDateTime::currentDateTimeUtc();
    info.total = n;
    info.done = n;
    QStringList nodes;
    for (int i = 0; i < n; ++i) {
        nodes.append(u"10.%1.%2.%3:9100"_s.arg(i >> 16).arg((i >> 8) & 255).arg(i & 255));
    }
    if (const auto created = store.createHunt(info, nodes); !created) {
        return fail(created.error().message);
    }
    quint32 state = 1;
    QList<Outcome> batch;
    for (int i = 0; i < n; ++i) {
        Outcome o;
        o.node = nodes[i];
        o.url = u"http://"_s + nodes[i] + u"/metric"_s;
        o.fetchedAt = QDateTime::currentDateTimeUtc();
        o.attempts = 1;
        o.latencyMs = 1 + i % 7;
        if (i % 250 == 17) {
            o.outcome = OutcomeKind::Timeout;
            o.error = u"timed out"_s;
        } else {
            o.outcome = OutcomeKind::Ok;
            o.httpStatus = 200;
            o.body = bodyFor(i, state);
            o.bytes = 633;
        }
        batch.append(o);
        if (batch.size() == 1000 || i == n - 1) {
            if (const auto appended = store.appendResults(info.id, batch); !appended) {
                return fail(appended.error().message);
            }
            batch.clear();
        }
    }
    std::printf("%s\n", qPrintable(info.id));
    return 0;
}

int values(const QString &dataDir, const QString &id, const QString &pathText, int runs)
{
    ResultStore store(dataDir);
    const Result<JsonPath> path = parseJsonPath(pathText);
    if (!path) {
        return fail(path.error().message);
    }
    QList<double> times;
    QList<double> cpu; // every thread's CPU time: steadier than wall time on a shared box
    FleetValues last;
    for (int r = 0; r < runs; ++r) {
        QElapsedTimer timer;
        timer.start();
        const std::clock_t cpuStart = std::clock();
        Result<FleetValues> v = computeFleetValues(store, id, *path);
        times.append(double(timer.nsecsElapsed()) / 1e6);
        cpu.append(double(std::clock() - cpuStart) * 1000.0 / CLOCKS_PER_SEC);
        if (!v) {
            return fail(v.error().message);
        }
        last = std::move(*v);
    }
    std::sort(times.begin(), times.end());
    std::sort(cpu.begin(), cpu.end());
    std::printf("values_ms %.1f cpu_ms %.1f nodes %d groups %lld outliers %d threads %d\n",
                times[times.size() / 2], cpu[cpu.size() / 2], last.nodes,
                qlonglong(last.groups.size()), last.outlierCount,
                QThreadPool::globalInstance()->maxThreadCount());
    return 0;
}

int csv(const QString &dataDir, const QString &id, const QString &out, const QStringList &fields)
{
    ResultStore store(dataDir);
    const Result<Projection> projection = Projection::parse(fields, true);
    if (!projection) {
        return fail(projection.error().message);
    }
    QFile file(out);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return fail(file.errorString());
    }
    // The export every face uses (core/fleet/resultexport.h): the REST CSV stream, the CLI's
    // `results --format csv` and the GUI's export read the same way.
    QElapsedTimer timer;
    timer.start();
    const Result<qint64> written =
        exportResults(store, id, ResultQuery{}, *projection, ExportFormat::Csv, &file);
    file.close();
    const double s = double(timer.nsecsElapsed()) / 1e9;
    if (!written) {
        return fail(u"export failed: %1"_s.arg(written.error().message));
    }
    const double inMb = double(QFileInfo(store.huntDir(id) + u"/results.ndjson"_s).size()) / 1e6;
    std::printf("csv_s %.3f in_MB %.1f in_MBps %.1f out_MB %.1f out_MBps %.1f\n", s, inMb, inMb / s,
                double(*written) / 1e6, double(*written) / 1e6 / s);
    return 0;
}

int metrics(const QString &dataDir, const QString &id, int runs)
{
    ResultStore store(dataDir);
    const Result<HuntInfo> stored = store.loadManifest(id);
    if (!stored) {
        return fail(stored.error().message);
    }
    HuntInfo info = *stored;
    info.extract = {{u"mem_used_bytes"_s, u"memory.usedBytes"_s}, {u"version"_s, u"version"_s}};
    info.schedule = u"bench"_s;
    QList<double> times;
    QList<double> cpu;
    qsizetype bytes = 0;
    for (int r = 0; r < runs; ++r) {
        QElapsedTimer timer;
        timer.start();
        const std::clock_t cpuStart = std::clock();
        const Result<QByteArray> text = renderFleetMetrics(store, info);
        times.append(double(timer.nsecsElapsed()) / 1e6);
        cpu.append(double(std::clock() - cpuStart) * 1000.0 / CLOCKS_PER_SEC);
        if (!text) {
            return fail(text.error().message);
        }
        bytes = text->size();
    }
    std::sort(times.begin(), times.end());
    std::sort(cpu.begin(), cpu.end());
    std::printf("metrics_ms %.1f cpu_ms %.1f text_MB %.1f\n", times[times.size() / 2],
                cpu[cpu.size() / 2], double(bytes) / 1e6);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() >= 4 && args[1] == u"generate") {
        return generate(args[2], args[3].toInt());
    }
    if (args.size() >= 6 && args[1] == u"values") {
        return values(args[2], args[3], args[4], args[5].toInt());
    }
    if (args.size() >= 6 && args[1] == u"csv") {
        return csv(args[2], args[3], args[4], args.mid(5));
    }
    if (args.size() >= 5 && args[1] == u"metrics") {
        return metrics(args[2], args[3], args[4].toInt());
    }
    return fail(u"usage: valuesbench generate DIR N | values DIR ID PATH RUNS | "
                "csv DIR ID OUT FIELD... | metrics DIR ID RUNS"_s);
}
