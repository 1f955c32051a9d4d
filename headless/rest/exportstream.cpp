#include "headless/rest/exportstream.h"

#include <QJsonDocument>
#include <QJsonObject>

#include "headless/rest/reply.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

QByteArray contentType(ExportFormat format)
{
    switch (format) {
    case ExportFormat::Csv:
        return "text/csv; charset=utf-8; header=present";
    case ExportFormat::JsonArray:
        return "application/json";
    case ExportFormat::Ndjson:
        break;
    }
    return "application/x-ndjson";
}

} // namespace

ExportStream::ExportStream(QTcpSocket *socket, Settings settings)
    : QObject(socket),
      m_socket(socket),
      m_settings(std::move(settings)),
      m_file(m_settings.file),
      m_buffer(&m_chunk)
{
    m_buffer.open(QIODevice::WriteOnly);
    if (m_settings.projection) {
        m_writer.emplace(&m_buffer, *m_settings.projection, m_settings.format, m_settings.cells);
    }
}

void ExportStream::start()
{
    if (m_file.open(QIODevice::ReadOnly)) {
        m_end = m_file.size();
    }
    Reply head;
    head.contentType = contentType(m_settings.format);
    head.chunked = true;
    head.addHeader("Cache-Control", "no-store");
    if (!m_settings.coverage.isEmpty()) {
        const QJsonObject &c = m_settings.coverage;
        head.addHeader("Artemis-Hunt-State",
                       c.value(u"state"_s).toString().toUtf8()
                           + "; done=" + QByteArray::number(c.value(u"done"_s).toInt())
                           + "; total=" + QByteArray::number(c.value(u"total"_s).toInt()));
    }
    // Once the head is out, its 200 is what the metrics record (a stream cannot change it).
    writeReply(m_socket, std::move(head));
    if (m_writer) {
        (void)m_writer->begin(); // the CSV header row, "[" of a JSON array
        writeChunk();
    }
    connect(m_socket, &QIODevice::bytesWritten, this, &ExportStream::pump);
    connect(m_socket, &QAbstractSocket::disconnected, this, [this] {
        m_done = true;
        deleteLater();
    });
    pump();
}

bool ExportStream::keepRaw(const QByteArray &line) const
{
    if (line.isEmpty() || !line.startsWith('{') || !line.endsWith('}')) {
        return false; // corrupt line: skipped, as the store's readers do
    }
    if (m_settings.filter.isEmpty()) {
        return true;
    }
    const QJsonObject object = QJsonDocument::fromJson(line).object();
    const std::optional<OutcomeKind> kind =
        outcomeFromName(object.value(QLatin1String("outcome")).toString());
    return kind && m_settings.filter.matches(*kind);
}

void ExportStream::emitLine(const QByteArray &line)
{
    if (!m_writer) {
        if (keepRaw(line)) {
            m_chunk += line;
            m_chunk += '\n';
        }
        return;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    if (!doc.isObject()) {
        return; // corrupt lines are skipped, as the store's readers do
    }
    const QJsonObject record = doc.object();
    const std::optional<OutcomeKind> kind =
        outcomeFromName(record.value(QLatin1String("outcome")).toString());
    if (!kind || !m_settings.filter.matches(*kind)) {
        return;
    }
    (void)m_writer->writeRecord(record);
}

bool ExportStream::nextSlice(QList<QByteArray> &lines)
{
    if (!m_file.isOpen()) {
        return false;
    }
    if (m_settings.order) {
        const QList<LineRef> &order = *m_settings.order;
        for (qsizetype n = 0; m_next < order.size() && n < LinesPerSlice; ++m_next, ++n) {
            const LineRef &ref = order[m_next];
            if (ref.offset + ref.length > m_end || !m_file.seek(ref.offset)) {
                continue;
            }
            lines.append(m_file.read(ref.length));
        }
        return !lines.isEmpty();
    }
    while (lines.isEmpty()) {
        const qint64 left = m_end - m_file.pos();
        if (left <= 0) {
            return false;
        }
        QByteArray slice = m_carry + m_file.read(std::min(left, SliceBytes));
        m_carry.clear();
        const qsizetype lastNewline = slice.lastIndexOf('\n');
        if (lastNewline < 0) {
            m_carry = slice;
            continue;
        }
        m_carry = slice.mid(lastNewline + 1);
        slice.truncate(lastNewline);
        for (const QByteArray &line : slice.split('\n')) {
            lines.append(line.trimmed());
        }
    }
    return true;
}

void ExportStream::writeChunk()
{
    if (m_chunk.isEmpty()) {
        return;
    }
    m_socket->write(QByteArray::number(m_chunk.size(), 16) + "\r\n");
    m_socket->write(m_chunk);
    m_socket->write("\r\n");
    m_chunk.clear();
    m_buffer.seek(0);
}

void ExportStream::pump()
{
    while (!m_done && m_socket && m_socket->state() == QAbstractSocket::ConnectedState
           && m_socket->bytesToWrite() < HighWaterBytes) {
        QList<QByteArray> lines;
        if (!nextSlice(lines)) {
            finish();
            return;
        }
        for (const QByteArray &line : std::as_const(lines)) {
            emitLine(line);
        }
        writeChunk();
    }
}

void ExportStream::finish()
{
    m_done = true;
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
        if (m_writer) {
            (void)m_writer->finish();
            writeChunk();
        }
        m_socket->write("0\r\n\r\n");
        disconnect(m_socket, nullptr, this, nullptr);
    }
    deleteLater();
}

} // namespace Artemis
