#include "headless/ndjsonstream.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Artemis {

NdjsonStream::NdjsonStream(QTcpSocket *socket, const QString &path,
                           OutcomeFilter filter)
    : QObject(socket), m_socket(socket), m_file(path), m_filter(filter)
{
}

void NdjsonStream::start()
{
    if (m_file.open(QIODevice::ReadOnly)) {
        m_end = m_file.size();
    }
    m_socket->write("HTTP/1.1 200 OK\r\n"
                    "Content-Type: application/x-ndjson\r\n"
                    "Transfer-Encoding: chunked\r\n"
                    "Cache-Control: no-store\r\n\r\n");
    connect(m_socket, &QIODevice::bytesWritten, this, &NdjsonStream::pump);
    connect(m_socket, &QAbstractSocket::disconnected, this, [this] {
        m_done = true;
        deleteLater();
    });
    pump();
}

bool NdjsonStream::keep(const QByteArray &line) const
{
    if (line.isEmpty() || !line.startsWith('{') || !line.endsWith('}')) {
        return false; // corrupt line: skipped, as the store's readers do
    }
    if (!m_filter) {
        return true;
    }
    const QJsonObject object = QJsonDocument::fromJson(line).object();
    const std::optional<OutcomeKind> kind =
        outcomeFromName(object.value(QLatin1String("outcome")).toString());
    return kind && m_filter.matches(*kind);
}

void NdjsonStream::pump()
{
    while (!m_done && m_socket && m_socket->state() == QAbstractSocket::ConnectedState
           && m_socket->bytesToWrite() < HighWaterBytes) {
        const qint64 left = m_end - m_file.pos();
        if (!m_file.isOpen() || left <= 0) {
            finish();
            return;
        }
        QByteArray slice = m_carry + m_file.read(std::min(left, SliceBytes));
        m_carry.clear();
        const qsizetype lastNewline = slice.lastIndexOf('\n');
        if (lastNewline < 0) {
            m_carry = slice;
            continue;
        }
        m_carry = slice.mid(lastNewline + 1);
        slice.truncate(lastNewline + 1);
        QByteArray chunk;
        if (m_filter) {
            chunk.reserve(slice.size());
        }
        qsizetype from = 0;
        while (from < slice.size()) {
            const qsizetype nl = slice.indexOf('\n', from);
            const QByteArray line = slice.mid(from, nl - from).trimmed();
            if (keep(line)) {
                chunk += line;
                chunk += '\n';
            }
            from = nl + 1;
        }
        if (!chunk.isEmpty()) {
            m_socket->write(QByteArray::number(chunk.size(), 16) + "\r\n");
            m_socket->write(chunk);
            m_socket->write("\r\n");
        }
    }
}

void NdjsonStream::finish()
{
    m_done = true;
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
        m_socket->write("0\r\n\r\n");
        disconnect(m_socket, nullptr, this, nullptr);
    }
    deleteLater();
}

} // namespace Artemis
