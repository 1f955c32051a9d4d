#include "redisserver.h"

#include <csignal>

#include <QTcpServer>

using namespace Qt::StringLiterals;

namespace Artemis::Test {

namespace {
QString binary()
{
    return findProgram(u"redis-server"_s);
}
} // namespace

RedisServer::RedisServer() = default;

RedisServer::RedisServer(Options options) : m_options(std::move(options)) {}

RedisServer::~RedisServer()
{
    stop();
}

QString RedisServer::missingReason()
{
    return binary().isEmpty() ? u"redis-server not found: install it (Debian package redis-server; "
                                "'scripts/deps.sh test' does)"_s
                              : QString();
}

bool RedisServer::start(quint16 port)
{
    stop();
    if (port == 0) {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0)) {
            return false;
        }
        port = probe.serverPort();
    }
    m_port = port;
    m_output.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    killWithParent(*m_process);
    QStringList args{u"--port"_s,       QString::number(port),
                     u"--bind"_s,       u"127.0.0.1"_s,
                     u"--save"_s,       u""_s,
                     u"--appendonly"_s, u"no"_s,
                     u"--dir"_s,        m_dir.path(),
                     u"--loglevel"_s,   u"notice"_s,
                     u"--databases"_s,  QString::number(m_options.databases)};
    if (!m_options.requirePass.isEmpty()) {
        args << u"--requirepass"_s << m_options.requirePass;
    }
    if (!m_options.aclUser.isEmpty()) {
        args << u"--user"_s << m_options.aclUser << u"on"_s << u">"_s + m_options.aclPassword
             << u"~*"_s << u"&*"_s << u"+@all"_s << u"--user"_s << u"default"_s << u"off"_s;
    }
    m_process->start(binary(), args);
    return m_process->waitForStarted(10000);
}

bool RedisServer::ready()
{
    if (!m_process) {
        return false;
    }
    m_output += m_process->readAll();
    return m_output.contains("Ready to accept connections");
}

void RedisServer::stop()
{
    if (m_process) {
        resume(); // a stopped process dies of SIGKILL too, but be plain about it
        m_process->kill();
        m_process->waitForFinished(10000);
        m_process.reset();
    }
}

bool RedisServer::pause()
{
    return pid() > 0 && ::kill(pid_t(pid()), SIGSTOP) == 0;
}

bool RedisServer::resume()
{
    return pid() > 0 && ::kill(pid_t(pid()), SIGCONT) == 0;
}

qint64 RedisServer::pid() const
{
    return m_process && m_process->state() == QProcess::Running ? m_process->processId() : 0;
}

QString RedisServer::url() const
{
    return u"redis://127.0.0.1:%1"_s.arg(m_port);
}

} // namespace Artemis::Test
