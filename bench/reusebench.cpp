// reusebench: repeated hunts over the same nodes, connections kept between them or not.
//
//   reusebench NODES_FILE DATA_DIR reuse|close ROUNDS GAP_MS CONCURRENCY
//
// Builds the local stack as serve does (LocalStack: store, 2 fetch threads, engine) and runs
// ROUNDS hunts one after the other, GAP_MS apart, as a schedule's rounds would run. With
// `reuse` each hunt has FetchOptions::reuseConnections set (what the Scheduler sets for rounds
// every <= 60 s); with `close` it does not (a one-off hunt, `Connection: close`). One line per
// round on stdout:
//   round R ms WALL nodes_per_s X cpu_ms_per_node Y ok N rss_mb R heap_mb H
// CPU is getrusage(RUSAGE_SELF) over the round (all threads: fetch threads, QNAM's HTTP
// threads, the store's pool); heap is glibc's mallinfo2 in-use bytes after the round, when the
// kept connections sit idle. The last line is "peak_rss_mb M" (VmHWM).
#include <malloc.h>
#include <sys/resource.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTimer>

#include <cstdio>

#include "core/engine/huntengine.h"
#include "core/service/localstack.h"

using namespace Artemis;
using namespace Qt::StringLiterals;

namespace {
double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
           + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double statusMb(const char *field) // VmRSS, VmHWM from /proc/self/status, in MB
{
    QFile file(u"/proc/self/status"_s);
    if (!file.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(field)) {
            return line.mid(qsizetype(qstrlen(field)) + 1).trimmed().split(' ').first().toDouble()
                   / 1024.0;
        }
    }
    return -1;
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 7) {
        std::fprintf(stderr, "usage: reusebench NODES_FILE DATA_DIR reuse|close ROUNDS GAP_MS "
                             "CONCURRENCY\n");
        return 2;
    }
    QFile nodesFile(args.at(1));
    if (!nodesFile.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read %s\n", qPrintable(args.at(1)));
        return 2;
    }
    QStringList nodes = QString::fromUtf8(nodesFile.readAll()).split(u'\n', Qt::SkipEmptyParts);
    const bool reuse = args.at(3) == u"reuse"_s;
    const int rounds = args.at(4).toInt();
    const int gapMs = args.at(5).toInt();

    LocalStackConfig config;
    config.dataDir = args.at(2);
    config.command = u"reusebench"_s;
    config.scheduler.reset();
    Result<std::unique_ptr<LocalStack>> opened = LocalStack::open(config);
    if (!opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error().message));
        return 1;
    }
    std::unique_ptr<LocalStack> stack = std::move(opened).value();
    HuntEngine *engine = stack->engine();

    HuntRequest request;
    request.nodes = nodes;
    request.url = u"metric"_s;
    request.origin = u"cli"_s;
    request.options.concurrency = args.at(6).toInt();
    request.options.attempts = 1;
    request.options.reuseConnections = reuse;

    int round = 0;
    QElapsedTimer wall;
    double cpuAtStart = 0;
    int exitCode = 0;
    auto startRound = [&] {
        ++round;
        cpuAtStart = cpuSeconds();
        wall.start();
        const Result<HuntInfo> submitted = engine->submit(request);
        if (!submitted) {
            std::fprintf(stderr, "submit: %s\n", qPrintable(submitted.error().message));
            exitCode = 1;
            app.quit();
        }
    };
    QObject::connect(engine, &HuntEngine::huntFinished, &app, [&](const HuntInfo &info) {
        const double ms = double(wall.nsecsElapsed()) / 1e6;
        const double cpu = cpuSeconds() - cpuAtStart;
        const struct mallinfo2 heap = mallinfo2();
        std::printf("round %d ms %.1f nodes_per_s %.0f cpu_ms_per_node %.4f ok %d rss_mb %.1f "
                    "heap_mb %.1f\n",
                    round, ms, info.total / (ms / 1000.0), cpu * 1000.0 / info.total,
                    info.counts.count(OutcomeKind::Ok), statusMb("VmRSS:"),
                    double(heap.uordblks) / 1e6);
        std::fflush(stdout);
        if (info.counts.count(OutcomeKind::Ok) != info.total) {
            exitCode = 3; // reported, the script decides
        }
        if (round >= rounds) {
            std::printf("peak_rss_mb %.1f\n", statusMb("VmHWM:"));
            app.quit();
            return;
        }
        QTimer::singleShot(gapMs, &app, startRound);
    });
    QTimer::singleShot(0, &app, startRound);
    app.exec();
    return exitCode;
}
