#include "core/base/fileaccess.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

bool isUnder(const QString &path, const QStringList &dirs)
{
    for (const QString &dir : dirs) {
        if (dir == u"/"_s || path == dir || path.startsWith(dir + u'/')) {
            return true;
        }
    }
    return false;
}

// Kernel views whose "files" are generated on read (/proc/self/environ, /proc/PID/mem) or
// can block: refused even when an allowed dir would contain them.
bool isKernelView(const QString &canonical)
{
    return isUnder(canonical, {u"/proc"_s, u"/sys"_s, u"/dev"_s});
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// Closes the descriptor on every path out of read().
struct FdCloser
{
    int fd;
    ~FdCloser()
    {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

} // namespace

FileAccess FileAccess::unrestricted()
{
    FileAccess access;
    access.m_unrestricted = true;
    return access;
}

FileAccess FileAccess::none()
{
    return {};
}

Result<FileAccess> FileAccess::allowing(const QStringList &dirs)
{
    FileAccess access;
    for (const QString &dir : dirs) {
        const QFileInfo info(dir);
        if (!QDir::isAbsolutePath(dir) || !info.isDir()) {
            return makeError(ErrorCode::InvalidArgument,
                             u"%1 '%2' is not an existing directory (give an absolute path)"_s.arg(
                                 QString::fromUtf16(AllowFilesFlag), dir));
        }
        access.m_dirs.append(QDir::cleanPath(dir));
        access.m_canonicalDirs.append(info.canonicalFilePath());
    }
    return access;
}

Result<QString> FileAccess::check(const QString &path, const QString &what) const
{
    auto refuse = [&](ErrorCode code, const QString &why) {
        return makeError(code, u"%1 '%2' %3"_s.arg(what, path, why));
    };
    if (!m_unrestricted && m_dirs.isEmpty()) {
        return refuse(
            ErrorCode::Forbidden,
            u"refused: this service reads no file named in a request (start it with "
            "%1 DIR to allow the files under DIR)"_s.arg(QString::fromUtf16(AllowFilesFlag)));
    }
    if (!QDir::isAbsolutePath(path)) {
        return refuse(ErrorCode::InvalidArgument, u"must be an absolute path"_s);
    }
    const QString cleaned = QDir::cleanPath(path);
    // Checked on the path as written first, so that the answer says nothing about files
    // outside the allowed dirs (not even whether they exist).
    if (!m_unrestricted && !isUnder(cleaned, m_dirs) && !isUnder(cleaned, m_canonicalDirs)) {
        return refuse(ErrorCode::Forbidden, u"is outside the directories allowed with %1"_s.arg(
                                                QString::fromUtf16(AllowFilesFlag)));
    }
    const QString canonical = QFileInfo(cleaned).canonicalFilePath();
    if (canonical.isEmpty()) {
        return refuse(ErrorCode::InvalidArgument, u"does not exist"_s);
    }
    if (!m_unrestricted && (!isUnder(canonical, m_canonicalDirs) || isKernelView(canonical))) {
        return refuse(ErrorCode::Forbidden, u"leads outside the directories allowed with %1"_s.arg(
                                                QString::fromUtf16(AllowFilesFlag)));
    }
    return canonical;
}

Result<QByteArray> FileAccess::read(const QString &path, qint64 maxBytes, const QString &what) const
{
    const Result<QString> canonical = check(path, what);
    if (!canonical) {
        return canonical.error();
    }
    auto refuse = [&](ErrorCode code, const QString &why) {
        return makeError(code, u"%1 '%2' %3"_s.arg(what, path, why));
    };
    // O_NOFOLLOW: the canonical path has no symlink left, so one now is a swap after check().
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    const QByteArray native = QFile::encodeName(*canonical);
    const int fd =
        ::open(native.constData(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        const int error = errno;
        return refuse(ErrorCode::InvalidArgument, u"cannot be read: "_s + errnoText(error));
    }
    const FdCloser closer{fd};
    struct stat st = {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        return refuse(ErrorCode::InvalidArgument, u"is not a regular file"_s);
    }
    if (st.st_size > maxBytes) {
        return refuse(ErrorCode::TooLarge, u"is larger than %1 bytes"_s.arg(maxBytes));
    }
    QByteArray data;
    data.resize(qsizetype(std::min<qint64>(maxBytes, st.st_size) + 1));
    qint64 total = 0;
    // A file that grows while read stops at maxBytes + 1, which says "too large".
    while (total <= maxBytes) {
        if (total == data.size()) {
            data.resize(qsizetype(std::min<qint64>(maxBytes + 1, total * 2 + 4096)));
        }
        const ssize_t got = ::read(fd, data.data() + total, size_t(data.size() - total));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            const int error = errno;
            return refuse(ErrorCode::InvalidArgument, u"cannot be read: "_s + errnoText(error));
        }
        if (got == 0) {
            break;
        }
        total += got;
    }
    if (total > maxBytes) {
        return refuse(ErrorCode::TooLarge, u"is larger than %1 bytes"_s.arg(maxBytes));
    }
    data.resize(qsizetype(total));
    return data;
}

std::optional<QString> FileAccess::permissionProblem(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) {
        return std::nullopt;
    }
    if ((st.st_mode & (S_IRGRP | S_IROTH)) == 0) {
        return std::nullopt;
    }
    const QString who = (st.st_mode & S_IRGRP) && (st.st_mode & S_IROTH) ? u"group and others"_s
                        : (st.st_mode & S_IRGRP)                         ? u"group"_s
                                                                         : u"others"_s;
    return u"%1 is readable by %2 (mode %3)"_s.arg(path, who).arg(uint(st.st_mode & 07777), 4, 8,
                                                                  QLatin1Char('0'));
}

} // namespace Artemis
