#pragma once

#include <optional>

#include <QByteArray>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>

#include "core/outcome.h"

namespace Artemis {

// Streams a hunt's results.ndjson to one client as an HTTP/1.1 chunked body, reading the file
// in slices and writing only while the socket's send buffer is short (so 100k results never
// sit in memory). Only complete lines present when the stream starts are sent: a torn last
// line or lines appended later are not. With a `filter`, only outcomes it matches.
//
// A child of the socket: it dies with the connection; if the client goes away mid-stream it
// stops writing at once. Lives on the server's thread.
class NdjsonStream final : public QObject
{
    Q_OBJECT
public:
    NdjsonStream(QTcpSocket *socket, const QString &path, OutcomeFilter filter);

    // Writes the status line and headers and starts pumping. Call once.
    void start();

    static constexpr qint64 SliceBytes = 64 * 1024;
    static constexpr qint64 HighWaterBytes = 256 * 1024;

private:
    void pump();
    void finish();
    bool keep(const QByteArray &line) const;

    QPointer<QTcpSocket> m_socket;
    QFile m_file;
    OutcomeFilter m_filter;
    qint64 m_end = 0; // file size when the stream started
    QByteArray m_carry; // start of a line not yet complete
    bool m_done = false;
};

} // namespace Artemis
