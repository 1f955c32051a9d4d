#include "core/fleet/resultexport.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QtConcurrent>

#include "core/store/resultindex.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr qint64 BatchBytes = 4 << 20;
constexpr qsizetype LinesPerTask = 2048;

struct Task
{
    QList<QByteArray> lines;
};

// Every complete line of the file (a torn last line without '\n' is left out), by scanning for
// line ends only.
Result<QList<LineRef>> scanLines(QFile &file)
{
    QList<LineRef> lines;
    qint64 lineStart = 0;
    qint64 pos = 0;
    while (true) {
        const QByteArray chunk = file.read(BatchBytes);
        if (chunk.isEmpty()) {
            break;
        }
        const char *data = chunk.constData();
        for (qsizetype i = 0; i < chunk.size(); ++i) {
            if (data[i] == '\n') {
                const qint64 end = pos + i;
                if (end > lineStart) {
                    lines.append(LineRef{lineStart, end - lineStart});
                }
                lineStart = end + 1;
            }
        }
        pos += chunk.size();
    }
    if (file.error() != QFileDevice::NoError) {
        return makeError(ErrorCode::Io,
                         u"cannot read %1: %2"_s.arg(file.fileName(), file.errorString()));
    }
    return lines;
}

} // namespace

Result<qint64> exportResults(const ResultStore &store, const QString &id, const ResultQuery &query,
                             const std::optional<Projection> &projection, ExportFormat format,
                             QIODevice *out, CsvCells cells)
{
    if (format == ExportFormat::JsonArray) {
        return makeError(ErrorCode::InvalidArgument, u"exports are NDJSON or CSV"_s);
    }
    std::optional<Projection> fields = projection;
    if (!fields && format == ExportFormat::Csv) {
        fields = *Projection::parse(Projection::defaultCsvFields());
    }
    QFile file(store.resultsFile(id));
    if (!file.open(QIODevice::ReadOnly)) {
        if (store.huntDir(id).isEmpty() || !QFileInfo(store.huntDir(id)).isDir()) {
            return makeError(ErrorCode::NotFound, u"no hunt with id '%1'"_s.arg(id));
        }
        return makeError(ErrorCode::Io,
                         u"cannot open %1: %2"_s.arg(file.fileName(), file.errorString()));
    }
    // Everything in file order needs no index: building one parses every line once more, which
    // was half the time of a whole export (bench/values-bench.sh).
    const bool everything =
        query.outcome.isEmpty() && query.sort.isFileOrder() && query.nodeContains.isEmpty();
    const Result<QList<LineRef>> lines =
        everything ? scanLines(file) : store.selectLines(id, query);
    if (!lines) {
        return lines.error();
    }
    qint64 written = 0;
    auto put = [&](const QByteArray &bytes) -> Result<void> {
        if (out->write(bytes) != bytes.size()) {
            return makeError(ErrorCode::Io, u"export write failed: %1"_s.arg(out->errorString()));
        }
        written += bytes.size();
        return {};
    };
    if (fields && format == ExportFormat::Csv) {
        QBuffer header;
        header.open(QIODevice::WriteOnly);
        ProjectionWriter writer(&header, *fields, format, cells);
        (void)writer.begin();
        if (const Result<void> r = put(header.data()); !r) {
            return r.error();
        }
    }
    // The lines already match the filter (the index selected them). One task per LinesPerTask
    // lines: parse and project. Rows are independent in NDJSON and CSV, so each task has its
    // own writer and the results are concatenated in order.
    auto work = [&fields, format, cells](const Task &task) -> QByteArray {
        QByteArray bytes;
        if (!fields) {
            for (const QByteArray &line : task.lines) {
                if (!line.startsWith('{') || !line.endsWith('}')) {
                    continue; // a corrupt line, skipped as the store's readers skip it
                }
                bytes += line;
                bytes += '\n';
            }
            return bytes;
        }
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        ProjectionWriter writer(&buffer, *fields, format, cells);
        for (const QByteArray &line : task.lines) {
            const QJsonDocument doc = QJsonDocument::fromJson(line);
            if (doc.isObject()) {
                (void)writer.writeRecord(doc.object());
            }
        }
        return bytes;
    };
    QByteArray block;
    qint64 blockStart = 0;
    qsizetype next = 0;
    while (next < lines->size()) {
        QList<Task> tasks;
        qint64 batch = 0;
        while (next < lines->size() && batch < BatchBytes) {
            const LineRef &ref = (*lines)[next];
            if (ref.offset < blockStart || ref.offset + ref.length > blockStart + block.size()) {
                if (!file.seek(ref.offset)) {
                    return makeError(ErrorCode::Io, u"cannot read %1"_s.arg(file.fileName()));
                }
                blockStart = ref.offset;
                block = file.read(std::max<qint64>(BatchBytes, ref.length));
                if (ref.length > block.size()) {
                    break; // truncated under us
                }
            }
            if (tasks.isEmpty() || tasks.last().lines.size() >= LinesPerTask) {
                tasks.append(Task{});
            }
            tasks.last().lines.append(block.mid(ref.offset - blockStart, ref.length));
            batch += ref.length;
            ++next;
        }
        if (tasks.isEmpty()) {
            break;
        }
        const QList<QByteArray> parts = QtConcurrent::blockingMapped(tasks, work);
        for (const QByteArray &part : parts) {
            if (const Result<void> r = put(part); !r) {
                return r.error();
            }
        }
    }
    return written;
}

} // namespace Artemis
