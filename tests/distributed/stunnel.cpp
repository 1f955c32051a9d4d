#include "stunnel.h"

#include <QFile>
#include <QTcpServer>

#include "tests/common/childprocess.h"

using namespace Qt::StringLiterals;

namespace Artemis::Test {

namespace {
QString binary()
{
    return findProgram(u"stunnel4"_s);
}
} // namespace

Stunnel::~Stunnel()
{
    stop();
}

QString Stunnel::missingReason()
{
    return binary().isEmpty() ? u"stunnel4 not found: install it (Debian package stunnel4; "
                                "'scripts/deps.sh test' does)"_s
                              : QString();
}

bool Stunnel::start(const QString &path, const QByteArray &services)
{
    stop();
    QFile file(path);
    // Foreground: a child the test owns (and what systemd's stunnel@.service expects); `pid =`
    // with no value writes no pid file.
    if (!file.open(QIODevice::WriteOnly)
        || file.write("foreground = yes\npid =\ndebug = info\n\n" + services) < 0) {
        qWarning("cannot write %s", qPrintable(path));
        return false;
    }
    file.close();
    m_output.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    killWithParent(*m_process);
    m_process->start(binary(), {path});
    return m_process->waitForStarted(10000);
}

bool Stunnel::ready()
{
    return output().contains("Accepting new connections");
}

QByteArray Stunnel::output()
{
    if (m_process) {
        m_output += m_process->readAll();
    }
    return m_output;
}

void Stunnel::stop()
{
    if (m_process) {
        m_process->kill();
        m_process->waitForFinished(10000);
        output();
        m_process.reset();
    }
}

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

} // namespace Artemis::Test
