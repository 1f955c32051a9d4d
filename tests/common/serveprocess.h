#pragma once

#include <memory>

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace Artemis::Test {

// `artemis-headless serve` as a child process of a test: listens on 127.0.0.1 on a port the kernel
// picks (read from its start line), dies with the test process, and is killed (SIGKILL) when this
// object goes. Lives on the test's thread; waits spin its event loop.
class ServeProcess
{
public:
    explicit ServeProcess(QString binary); // path of artemis-headless
    ~ServeProcess();
    ServeProcess(const ServeProcess &) = delete;
    ServeProcess &operator=(const ServeProcess &) = delete;

    // Starts `serve --listen 127.0.0.1:0 ARGS...` and waits up to 15 s for its start line. Returns
    // the port, or 0 (why is in stderrText()). A running process is killed first.
    quint16 start(const QStringList &args);
    // SIGKILL (a crash: no clean-up runs), then waits until the process is gone.
    void kill();
    // SIGTERM; the exit code, or -1 when it crashed or did not exit within timeoutMs.
    int terminate(int timeoutMs = 10000);
    bool isRunning() const;
    // Environment for the next start() (default: the test's own).
    void setEnvironment(const QProcessEnvironment &environment);
    qint64 pid() const; // 0 when not running
    // RLIMIT_NOFILE of the next start() (0: inherited).
    void setOpenFileLimit(int openFiles) { m_openFiles = openFiles; }

    quint16 port() const { return m_port; }
    QString base() const;    // "http://127.0.0.1:PORT"
    QByteArray stderrText(); // everything it wrote to stderr so far

private:
    QString m_binary;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stderr;
    QProcessEnvironment m_environment = QProcessEnvironment::systemEnvironment();
    quint16 m_port = 0;
    int m_openFiles = 0;
};

} // namespace Artemis::Test
