#include "redisserver.h"

#include <QStandardPaths>
#include <QTcpServer>

using namespace Qt::StringLiterals;

namespace Artemis::Test {

namespace {
QString binary()
{
    QString path = QStandardPaths::findExecutable(u"redis-server"_s);
    if (path.isEmpty()) {
        path = QStandardPaths::findExecutable(u"redis-server"_s, {u"/usr/bin"_s, u"/usr/sbin"_s});
    }
    return path;
}
} // namespace

RedisServer::RedisServer() = default;

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
    m_process->start(binary(), {u"--port"_s, QString::number(port), u"--bind"_s, u"127.0.0.1"_s,
                                u"--save"_s, u""_s, u"--appendonly"_s, u"no"_s, u"--dir"_s,
                                m_dir.path(), u"--loglevel"_s, u"notice"_s});
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
        m_process->kill();
        m_process->waitForFinished(10000);
        m_process.reset();
    }
}

QString RedisServer::url() const
{
    return u"redis://127.0.0.1:%1"_s.arg(m_port);
}

} // namespace Artemis::Test
