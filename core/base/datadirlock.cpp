#include "core/base/datadirlock.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStringList>
#include <QSysInfo>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

const QString LockName = u".artemis.lock"_s;
const QString OwnerName = u".artemis.owner"_s;

// The holder's command line, which tells `serve` from `hunt` and names its flags.
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

DataDirLock::DataDirLock(QString dataDir, QString command, int fd)
    : m_dataDir(std::move(dataDir)), m_command(std::move(command)), m_fd(fd)
{
}

DataDirLock::~DataDirLock()
{
    QFile::remove(QDir(m_dataDir).filePath(OwnerName));
    ::close(m_fd); // releases the flock
}

namespace {

// The lock file opened read-only (created first if needed): a descriptor open for writing
// would make a read-only remount of the data dir's file system fail with EBUSY.
int openLockFile(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        const int created = ::open(native.constData(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (created >= 0) {
            ::close(created);
        }
        fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC);
    }
    return fd;
}

} // namespace

Result<std::unique_ptr<DataDirLock>> DataDirLock::acquire(const QString &dataDir,
                                                          const QString &command)
{
    if (!QDir().mkpath(dataDir)) {
        return makeError(ErrorCode::Io, u"cannot create the data dir '%1'"_s.arg(dataDir));
    }
    const QString path = QDir(dataDir).filePath(LockName);
    const int fd = openLockFile(path);
    if (fd < 0) {
        return makeError(ErrorCode::Io, u"cannot open the lock file %1: %2"_s.arg(
                                            path, QString::fromLocal8Bit(std::strerror(errno))));
    }
    // flock, not QLockFile: the kernel drops the lock when its holder dies however it dies,
    // so a stale lock never needs a guess (QLockFile checks the pid, which can be reused), and
    // the descriptor can stay read-only (QLockFile keeps its file open for writing).
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        ::close(fd);
        if (error == EWOULDBLOCK) {
            const DataDirHolder h = holder(dataDir).value_or(DataDirHolder{});
            return makeError(ErrorCode::Locked,
                             u"data dir '%1' is %2"_s.arg(dataDir, describeHolder(h)),
                             holderJson(h));
        }
        return makeError(ErrorCode::Io, u"cannot lock the data dir '%1': %2"_s.arg(
                                            dataDir, QString::fromLocal8Bit(std::strerror(error))));
    }
    std::unique_ptr<DataDirLock> owned(new DataDirLock(dataDir, command, fd));
    owned->writeOwner();
    return owned;
}

std::optional<DataDirHolder> DataDirLock::holder(const QString &dataDir)
{
    const int fd = openLockFile(QDir(dataDir).filePath(LockName));
    if (fd < 0) {
        return std::nullopt;
    }
    // Free when a probe can take it (then nobody holds it: let go at once).
    const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    if (!held) {
        return std::nullopt;
    }
    DataDirHolder h;
    QFile owner(QDir(dataDir).filePath(OwnerName));
    if (owner.open(QIODevice::ReadOnly)) {
        const QJsonObject json = QJsonDocument::fromJson(owner.read(64 * 1024)).object();
        h.pid = json.value(u"pid"_s).toInteger();
        h.hostName = json.value(u"host"_s).toString();
        h.command = json.value(u"command"_s).toString();
        h.serviceUrl = json.value(u"serviceUrl"_s).toString();
    }
    // The record names the command as the holder called itself; its real command line says
    // more (flags, data dir) when the holder runs on this machine.
    if (h.pid > 0 && h.hostName == QSysInfo::machineHostName()) {
        if (const QString line = commandLineOf(h.pid); !line.isEmpty()) {
            h.command = line;
        }
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
    me.hostName = QSysInfo::machineHostName();
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

QString dataDirProblem(const QString &dataDir, const Error &error, const DataDirAdvice &advice)
{
    if (error.code != ErrorCode::Locked) {
        return u"cannot use data dir '%1': %2"_s.arg(dataDir, error.message);
    }
    const QString url = error.details.toObject().value(u"serviceUrl"_s).toString();
    QStringList ways;
    if (!advice.otherDir.isEmpty()) {
        ways.append(advice.otherDir);
    }
    if (url.isEmpty()) {
        ways.append(u"stop that process first"_s);
    } else if (advice.viaService.isEmpty()) {
        ways.append(u"submit to the service that holds it (%1)"_s.arg(url));
    } else {
        ways.append(u"submit to the service that holds it: "_s + advice.viaService.arg(url));
    }
    QString what = ways.join(u", or "_s);
    what[0] = what[0].toUpper();
    return error.message + u"; only one process may use a data dir at a time. "_s + what;
}

} // namespace Artemis
