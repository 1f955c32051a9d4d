#pragma once

#include <memory>

#include <QByteArray>
#include <QProcess>
#include <QString>

namespace Artemis::Test {

// stunnel4 (Debian package stunnel4) as a child process of a test, with one configuration file
// the test writes: in the foreground, no pid file, its log (level info) on stderr, which the
// test reads. Killed on stop() and on destruction; dies with the test process.
class Stunnel
{
public:
    Stunnel() = default;
    ~Stunnel();
    Stunnel(const Stunnel &) = delete;
    Stunnel &operator=(const Stunnel &) = delete;

    // Empty when found; else what to do.
    static QString missingReason();

    // Writes `path` with the global options above, then `services` (its `[name]` sections, as
    // in docs/distributed.md), starts stunnel4 on it and returns at once; ready() turns true
    // when it accepts connections (wait with QTRY_VERIFY).
    bool start(const QString &path, const QByteArray &services);
    bool ready();
    QByteArray output(); // everything it logged so far
    void stop();

private:
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
};

// A loopback TCP port nobody listened on a moment ago (for a child process to listen on).
quint16 freeLoopbackPort();

} // namespace Artemis::Test
