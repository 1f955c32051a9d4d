#pragma once

#include <algorithm>
#include <deque>
#include <utility>

#include <QByteArray>
#include <QFile>
#include <QFuture>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include "core/store/resultindex.h"

namespace Artemis {

// What whole-file readers of results.ndjson (fleet values, fleet metrics) share: complete lines
// from the start of `file` gathered into batches of about 1 MiB, `parse(QByteArray batch)` run
// on `pool` for each (at most its thread count + 1 batches in flight, so memory stays bounded),
// and `merge(result)` called on the calling thread in file order (so "first record wins" rules
// hold). Returns ResultIndex::scanLines' end: the offset past the last complete line.
// A batch's bytes are its lines, each followed by '\n'.
template <typename Parse, typename Merge>
Result<qint64> scanInBatches(QFile &file, QThreadPool *pool, Parse parse, Merge merge)
{
    constexpr qsizetype BatchBytes = 1 << 20;
    using Parsed = decltype(parse(QByteArray()));
    const qsizetype maxInFlight = std::max(2, pool->maxThreadCount() + 1);
    std::deque<QFuture<Parsed>> inFlight;
    const auto mergeFront = [&] {
        // result() runs a task that has not started yet in this thread: a busy or single-thread
        // pool cannot deadlock us.
        merge(inFlight.front().result());
        inFlight.pop_front();
    };
    const auto submit = [&](QByteArray bytes) {
        inFlight.push_back(
            QtConcurrent::run(pool, [&parse, bytes = std::move(bytes)] { return parse(bytes); }));
        while (qsizetype(inFlight.size()) > maxInFlight) {
            mergeFront();
        }
    };
    QByteArray batch;
    batch.reserve(BatchBytes + 64 * 1024);
    const Result<qint64> end = ResultIndex::scanLines(file, 0, [&](qint64, QByteArrayView line) {
        batch.append(line.data(), line.size());
        batch.append('\n');
        if (batch.size() >= BatchBytes) {
            submit(std::exchange(batch, QByteArray()));
            batch.reserve(BatchBytes + 64 * 1024);
        }
        return true;
    });
    if (!batch.isEmpty()) {
        submit(std::move(batch));
    }
    while (!inFlight.empty()) {
        mergeFront();
    }
    return end;
}

} // namespace Artemis
