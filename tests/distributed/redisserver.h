#pragma once

#include <memory>

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include "tests/common/childprocess.h"

namespace Artemis::Test {

// A real redis-server for tests: loopback only, a free port, no persistence, a temporary dir.
// The process is killed on stop() and on destruction, and dies with the test process
// (PR_SET_PDEATHSIG) even if the test crashes. Optionally with a password (requirepass) or an
// ACL user, and fewer databases; pause()/resume() stall it with real SIGSTOP/SIGCONT.
class RedisServer
{
public:
    struct Options
    {
        QString requirePass; // the default user's password (`requirepass`)
        QString aclUser;     // an ACL user with every right, password aclPassword;
        QString aclPassword; // the default user is then switched off
        int databases = 16;
    };

    RedisServer();
    explicit RedisServer(Options options);
    ~RedisServer();

    // Empty when found; else what to do ("install redis-server: scripts/deps.sh test").
    static QString missingReason();

    // Starts on `port` (0: a free one) and returns at once; ready() turns true when it
    // accepts connections (wait with QTRY_VERIFY).
    bool start(quint16 port = 0);
    bool ready();
    void stop();   // SIGKILL: a crash, not a clean shutdown
    bool pause();  // SIGSTOP: connections stay open, nothing answers
    bool resume(); // SIGCONT
    qint64 pid() const;
    quint16 port() const { return m_port; }
    QString url() const; // without user information

private:
    Options m_options;
    std::unique_ptr<QProcess> m_process;
    QTemporaryDir m_dir;
    QByteArray m_output;
    quint16 m_port = 0;
};

} // namespace Artemis::Test
