#pragma once

#include <functional>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMutex>
#include <QString>

#include "core/base/result.h"
#include "core/fetch/outcome.h"

class QFile;

namespace Artemis {

// Where one complete line of results.ndjson lives (without its '\n').
struct LineRef
{
    qint64 offset = 0;
    qint64 length = 0;
};

// The per-hunt index of results.ndjson: for every complete, valid line its byte offset, length,
// outcome kind and a hash of its node. Built by scanning the file once in chunks and extended
// incrementally: only the bytes appended since the last scan are read. A final line without
// '\n' (a torn write, or an append in progress) is never indexed; complete lines that are not
// a valid Outcome are counted as skipped and warned about once. The unterminated tail counts as
// a skipped (torn) line too, unless this process writes the file (markWriting()): then it is an
// append in progress.
//
// Thread-safe: every public method locks; each call first catches up with the file.
// Owned by ResultStore (shared with readers through std::shared_ptr).
class ResultIndex
{
public:
    struct Selection
    {
        QList<LineRef> lines; // the requested page, in file order
        int total = 0;        // valid lines matching the filter
        int skipped = 0;      // corrupt lines plus a torn tail, in the whole file
    };

    struct Summary
    {
        OutcomeCounts counts; // of the valid lines
        int lines = 0;        // valid lines
        int skipped = 0;      // corrupt lines plus a torn tail
    };

    ResultIndex(QString huntId, QString path);
    ResultIndex(const ResultIndex &) = delete;
    ResultIndex &operator=(const ResultIndex &) = delete;

    // Lines [offset, offset + limit) among those matching `filter` (all when empty).
    Result<Selection> select(const OutcomeFilter &filter, qsizetype offset, qsizetype limit);

    // Lines whose node hashes like `node`, newest first. Callers must compare the node itself.
    Result<QList<LineRef>> candidatesForNode(QStringView node);

    Result<Summary> summary();

    // Called by the writer before its first append: from now on an unterminated tail is an
    // append in flight, not a torn line.
    void markWriting();

    // Bytes covered by complete lines so far (for tests and diagnostics).
    qint64 scannedSize() const;

    // Reads `file` from `from` in chunks and calls `onLine(offset, line)` for every complete
    // line (without '\n'); stops early when it returns false. Never holds more than one chunk
    // plus one line in memory. Returns the offset just past the last complete line visited.
    static Result<qint64> scanLines(QFile &file, qint64 from,
                                    const std::function<bool(qint64, QByteArrayView)> &onLine);

    // Parses one line as an Outcome (InvalidArgument error when it is not one).
    static Result<Outcome> parseLine(QByteArrayView line);
    // Blank lines are neither results nor corrupt: they are ignored.
    static bool isBlank(QByteArrayView line);
    static quint32 nodeHash(QStringView node);

private:
    Result<void> refreshLocked();
    void resetLocked();
    int skippedLocked() const;

    const QString m_huntId;
    const QString m_path;

    mutable QMutex m_mutex;     // guards everything below
    qint64 m_scanned = 0;       // offset just past the last complete line
    qint64 m_fileSize = 0;      // size seen by the last refresh
    qint64 m_physicalLines = 0; // complete lines scanned, valid or not (for line numbers)
    qint64 m_tornWarnedAt = -1; // offset of the torn tail already warned about
    bool m_writing = false;
    int m_corrupt = 0;
    OutcomeCounts m_counts;
    // Structure of arrays: 17 bytes per line.
    QList<qint64> m_offsets;
    QList<quint32> m_lengths;
    QList<quint32> m_hashes;
    QByteArray m_kinds;
};

} // namespace Artemis
