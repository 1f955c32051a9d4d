#include "core/datadirlock.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

const QString LockName = u".artemis.lock"_s;
const QString OwnerName = u".artemis.owner"_s;

// The holder's command line. QLockFile records only the application name ("artemis-headless"),
// which cannot tell `serve` from `hunt`.
QString commandLineOf(qint64 pid)
{
    QFile file(u"/proc/%1/cmdline"_s.arg(pid));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    QByteArray bytes = file.read(4096);
    while (bytes.endsWith('\0')) {
        bytes.chop(1);
    }
    return QString::fromLocal8Bit(bytes.replace('\0', ' '));
}

QJsonObject holderJson(const DataDirHolder &h)
{
    return QJsonObject{{u"pid"_s, h.pid},
                       {u"host"_s, h.hostName},
                       {u"command"_s, h.command},
                       {u"serviceUrl"_s, h.serviceUrl}};
}

} // namespace

DataDirLock::DataDirLock(QString dataDir, QString command, std::unique_ptr<QLockFile> lock)
    : m_dataDir(std::move(dataDir)), m_command(std::move(command)), m_lock(std::move(lock))
{
}

DataDirLock::~DataDirLock()
{
    QFile::remove(QDir(m_dataDir).filePath(OwnerName));
    m_lock->unlock();
}

Result<std::unique_ptr<DataDirLock>> DataDirLock::acquire(const QString &dataDir,
                                                         const QString &command)
{
    if (!QDir().mkpath(dataDir)) {
        return makeError(ErrorCode::Io, u"cannot create the data dir '%1'"_s.arg(dataDir));
    }
    auto lock = std::make_unique<QLockFile>(QDir(dataDir).filePath(LockName));
    // Only a dead holder makes a lock stale: a live serve keeps its lock for months.
    lock->setStaleLockTime(0);
    if (!lock->tryLock(0)) {
        if (lock->error() == QLockFile::LockFailedError) {
            const DataDirHolder h = holder(dataDir).value_or(DataDirHolder{});
            return makeError(ErrorCode::Locked,
                             u"data dir '%1' is %2"_s.arg(dataDir, describeHolder(h)),
                             holderJson(h));
        }
        return makeError(ErrorCode::Io, u"cannot lock the data dir '%1': %2"_s.arg(
                                            dataDir, lock->error() == QLockFile::PermissionError
                                                         ? u"permission denied"_s
                                                         : u"unknown error"_s));
    }
    std::unique_ptr<DataDirLock> owned(new DataDirLock(dataDir, command, std::move(lock)));
    owned->writeOwner();
    return owned;
}

std::optional<DataDirHolder> DataDirLock::holder(const QString &dataDir)
{
    QLockFile probe(QDir(dataDir).filePath(LockName));
    qint64 pid = 0;
    QString host;
    QString app;
    if (!probe.getLockInfo(&pid, &host, &app) || pid <= 0) {
        return std::nullopt;
    }
    DataDirHolder h;
    h.pid = pid;
    h.hostName = host;
    h.command = commandLineOf(pid);
    QFile owner(QDir(dataDir).filePath(OwnerName));
    if (owner.open(QIODevice::ReadOnly)) {
        const QJsonObject json = QJsonDocument::fromJson(owner.read(64 * 1024)).object();
        // Only trust the record of the process that holds the lock now.
        if (json.value(u"pid"_s).toInteger() == pid) {
            h.serviceUrl = json.value(u"serviceUrl"_s).toString();
            if (h.command.isEmpty()) {
                h.command = json.value(u"command"_s).toString();
            }
        }
    }
    if (h.command.isEmpty()) {
        h.command = app;
    }
    return h;
}

void DataDirLock::setServiceUrl(const QString &url)
{
    m_serviceUrl = url;
    writeOwner();
}

void DataDirLock::writeOwner() const
{
    DataDirHolder me;
    me.pid = QCoreApplication::applicationPid();
    me.command = m_command;
    me.serviceUrl = m_serviceUrl;
    QSaveFile file(QDir(m_dataDir).filePath(OwnerName));
    // Best effort: the lock itself is what excludes; the record only helps the message.
    if (file.open(QIODevice::WriteOnly)) {
        file.write(QJsonDocument(holderJson(me)).toJson(QJsonDocument::Compact));
        file.commit();
    }
}

QString describeHolder(const DataDirHolder &h)
{
    if (h.pid <= 0) {
        return u"in use by another Artemis process"_s;
    }
    QString text = u"in use by pid %1"_s.arg(h.pid);
    if (!h.hostName.isEmpty()) {
        text += u" on %1"_s.arg(h.hostName);
    }
    if (!h.command.isEmpty()) {
        text += u" (%1)"_s.arg(h.command);
    }
    return text;
}

QString dataDirProblem(const QString &dataDir, const Error &error)
{
    if (error.code != ErrorCode::Locked) {
        return u"cannot use data dir '%1': %2"_s.arg(dataDir, error.message);
    }
    const QString url = error.details.toObject().value(u"serviceUrl"_s).toString();
    QString advice = u"; only one process may use a data dir at a time. Give another "
                     u"--data-dir"_s;
    if (!url.isEmpty()) {
        advice += u", or submit to the service that holds it: POST %1/api/v1/hunts (or "
                  u"/fetch), or the GUI's remote mode with %1"_s.arg(url);
    } else {
        advice += u", or stop that process first"_s;
    }
    return error.message + advice;
}

} // namespace Artemis
