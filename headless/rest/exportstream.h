#pragma once

#include <optional>

#include <QBuffer>
#include <QByteArray>
#include <QFile>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>

#include "core/fetch/outcome.h"
#include "core/fleet/projection.h"
#include "core/store/resultindex.h"

namespace Artemis {

// Streams a hunt's results to one client as an HTTP/1.1 chunked body — NDJSON as stored, or
// projected to chosen fields as NDJSON or RFC 4180 CSV (core/fleet/projection.h) — reading the file
// in slices and writing only while the socket's send buffer is short, so 100k results never sit
// in memory. Only complete lines present when the stream starts are sent: a torn last line or
// lines appended later are not. With a filter, only outcomes it matches; with an `order`
// (core/store/resultsort.h), the lines in that order instead of file order.
//
// A child of the socket: it dies with the connection; if the client goes away mid-stream it
// stops writing at once. Lives on the server's thread.
class ExportStream final : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QString file; // results.ndjson
        OutcomeFilter filter;
        std::optional<Projection> projection; // null: whole records (NDJSON only)
        ExportFormat format = ExportFormat::Ndjson;
        CsvCells cells = CsvCells::Safe;
        // HuntInfo::coverage() when the stream starts; sent as the header
        // `Artemis-Hunt-State: running; done=1990; total=2000` (a body cannot say it).
        QJsonObject coverage;
        std::optional<QList<LineRef>> order; // null: file order
    };

    ExportStream(QTcpSocket *socket, Settings settings);

    // Writes the status line and headers and starts pumping. Call once.
    void start();

    static constexpr qint64 SliceBytes = 64 * 1024;
    static constexpr qint64 HighWaterBytes = 256 * 1024;
    static constexpr qsizetype LinesPerSlice = 256; // ordered mode

private:
    void pump();
    void finish();
    bool nextSlice(QList<QByteArray> &lines); // false at the end
    void emitLine(const QByteArray &line);
    void writeChunk();
    bool keepRaw(const QByteArray &line) const;

    QPointer<QTcpSocket> m_socket;
    Settings m_settings;
    QFile m_file;
    qint64 m_end = 0;     // file size when the stream started
    qsizetype m_next = 0; // ordered mode: next index into the order
    QByteArray m_carry;   // start of a line not yet complete
    QByteArray m_chunk;   // what the writer produced for this slice
    QBuffer m_buffer;     // over m_chunk, for the ProjectionWriter
    std::optional<ProjectionWriter> m_writer;
    bool m_done = false;
};

} // namespace Artemis
