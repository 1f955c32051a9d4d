#include "tests/common/serveprocess.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>

#include "tests/common/childprocess.h"

using namespace Qt::StringLiterals;

namespace Artemis::Test {

namespace {
constexpr int StartTimeoutMs = 15000;
}

ServeProcess::ServeProcess(QString binary) : m_binary(std::move(binary)) {}

ServeProcess::~ServeProcess()
{
    kill();
}

quint16 ServeProcess::start(const QStringList &args)
{
    kill();
    m_stderr.clear();
    m_port = 0;
    m_process = std::make_unique<QProcess>();
    if (m_openFiles > 0) {
        killWithParent(*m_process, m_openFiles);
    } else {
        killWithParent(*m_process);
    }
    m_process->setProcessEnvironment(m_environment);
    m_process->start(m_binary, QStringList{u"serve"_s, u"--listen"_s, u"127.0.0.1:0"_s} + args);
    if (!m_process->waitForStarted(StartTimeoutMs)) {
        m_stderr = "cannot start " + m_binary.toUtf8() + ": " + m_process->errorString().toUtf8();
        return 0;
    }
    // "artemis-headless serve: listening on http://127.0.0.1:PORT, data dir ..."
    static const QRegularExpression line(u"listening on http://127\\.0\\.0\\.1:(\\d+)"_s);
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < StartTimeoutMs && m_process->state() == QProcess::Running) {
        const QRegularExpressionMatch match = line.match(QString::fromUtf8(stderrText()));
        if (match.hasMatch()) {
            m_port = quint16(match.captured(1).toUInt());
            return m_port;
        }
        QSignalSpy ready(m_process.get(), &QProcess::readyReadStandardError);
        ready.wait(200);
    }
    return 0;
}

void ServeProcess::kill()
{
    if (!m_process) {
        return;
    }
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(10000);
    }
    stderrText();
}

int ServeProcess::terminate(int timeoutMs)
{
    if (!m_process || m_process->state() == QProcess::NotRunning) {
        return -1;
    }
    m_process->terminate();
    QSignalSpy exited(m_process.get(), &QProcess::finished);
    if (m_process->state() != QProcess::NotRunning && !exited.wait(timeoutMs)) {
        return -1;
    }
    stderrText();
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

bool ServeProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

void ServeProcess::setEnvironment(const QProcessEnvironment &environment)
{
    m_environment = environment;
}

qint64 ServeProcess::pid() const
{
    return isRunning() ? m_process->processId() : 0;
}

QString ServeProcess::base() const
{
    return u"http://127.0.0.1:%1"_s.arg(m_port);
}

QByteArray ServeProcess::stderrText()
{
    if (m_process) {
        m_stderr += m_process->readAllStandardError();
    }
    return m_stderr;
}

} // namespace Artemis::Test
