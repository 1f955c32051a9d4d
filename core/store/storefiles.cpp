#include "core/store/storefiles.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace Artemis {

Error notFound(const QString &id)
{
    return makeError(ErrorCode::NotFound, u"no hunt '%1'"_s.arg(id));
}

Result<QByteArray> readSmallFile(const QString &path, const QString &id)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (!file.exists()) {
            return notFound(id);
        }
        return ioError(u"open"_s, path, file.errorString());
    }
    QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        return ioError(u"read"_s, path, file.errorString());
    }
    return data;
}

Error ioError(const QString &what, const QString &path, const QString &reason)
{
    return makeError(ErrorCode::Io, u"cannot %1 %2: %3"_s.arg(what, path, reason));
}

// QDir::mkpath, but saying why it failed (read-only, no space, permissions).
Result<void> makePath(const QString &dir)
{
    std::error_code error;
    std::filesystem::create_directories(QFile::encodeName(dir).toStdString(), error);
    if (error) {
        return ioError(u"create"_s, dir, QString::fromStdString(error.message()));
    }
    return {};
}

// Writes all of `data`; returns how much was written. QFile reports a short write (the disk
// filled up mid-way) without an error: write the rest until a call fails, so errorString()
// says why (ENOSPC, EROFS, EIO).
qint64 writeFully(QFileDevice &file, QByteArrayView data)
{
    qint64 written = 0;
    while (written < data.size()) {
        const qint64 n = file.write(data.data() + written, data.size() - written);
        if (n <= 0) {
            break;
        }
        written += n;
    }
    return written;
}

// fsync of a file's data (fdatasync) or of a directory's entries (fsync).
Result<void> syncPath(const QString &path, bool directory)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
    if (fd < 0) {
        return ioError(u"open"_s, path, QString::fromLocal8Bit(std::strerror(errno)));
    }
    const int synced = directory ? ::fsync(fd) : ::fdatasync(fd);
    const int error = errno;
    ::close(fd);
    if (synced != 0) {
        return ioError(u"sync"_s, path, QString::fromLocal8Bit(std::strerror(error)));
    }
    return {};
}

// `ownerOnly`: the file may hold secrets (a schedule's header values and passwords): 0600 before
// a byte is written, so no reader ever sees it wider.
Result<void> saveAtomically(const QString &path, const QByteArray &data, bool ownerOnly)
{
    QSaveFile file(path);
    // Unbuffered: Qt 6.4's commit() ignores a failure of its final flush and then replaces the
    // file with a truncated (on a full disk: empty) one. Written straight through, a failure
    // is seen here and the old file stays.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        return ioError(u"create"_s, path, file.errorString());
    }
    if (ownerOnly && !file.setPermissions(OwnerOnlyFile)) {
        file.cancelWriting();
        return ioError(u"restrict"_s, path, file.errorString());
    }
    if (writeFully(file, data) != data.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return ioError(u"write"_s, path, reason);
    }
    if (!file.commit()) {
        return ioError(u"commit"_s, path, file.errorString());
    }
    // The rename is durable only once the directory is: after a power loss the old file (or
    // none) could come back otherwise.
    return syncPath(QFileInfo(path).path(), true);
}

Result<QByteArray> nodeFileText(const QStringList &nodes)
{
    QByteArray lines;
    for (const QString &node : nodes) {
        if (node.contains(u'\n') || node.contains(u'\r')) {
            return makeError(ErrorCode::InvalidNode, u"node contains a line break"_s);
        }
        lines += node.toUtf8();
        lines += '\n';
    }
    return lines;
}

// {"sets": [{labels}, ...], "nodes": [set index or -1, one per node]}: 100k nodes in a few
// label sets stay a few hundred KB.
QByteArray labelsFileText(const QList<Labels> &labels)
{
    QHash<QByteArray, int> index; // by the set's compact JSON
    QJsonArray sets;
    QJsonArray nodes;
    for (const Labels &l : labels) {
        if (l.isEmpty()) {
            nodes.append(-1);
            continue;
        }
        const QJsonObject set = labelsToJson(l);
        const QByteArray key = QJsonDocument(set).toJson(QJsonDocument::Compact);
        auto it = index.constFind(key);
        if (it == index.constEnd()) {
            it = index.insert(key, int(sets.size()));
            sets.append(set);
        }
        nodes.append(*it);
    }
    return QJsonDocument(QJsonObject{{u"sets"_s, sets}, {u"nodes"_s, nodes}})
        .toJson(QJsonDocument::Compact);
}

// labelsFileText's form back; empty when it does not hold `count` nodes.
QList<Labels> labelsFileLabels(const QByteArray &text, qsizetype count)
{
    const QJsonObject json = QJsonDocument::fromJson(text).object();
    QList<Labels> sets;
    for (const QJsonValue &set : json.value(u"sets"_s).toArray()) {
        const Result<Labels> l = labelsFromJson(set);
        sets.append(l ? *l : Labels{});
    }
    const QJsonArray nodes = json.value(u"nodes"_s).toArray();
    if (nodes.size() != count) {
        return {};
    }
    QList<Labels> labels;
    labels.reserve(count);
    for (const QJsonValue &n : nodes) {
        labels.append(sets.value(n.toInt(-1)));
    }
    return labels;
}

QStringList nodeFileLines(QByteArrayView text)
{
    QStringList nodes;
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype end = text.indexOf('\n', start);
        if (end < 0) {
            end = text.size();
        }
        if (end > start) {
            nodes.append(QString::fromUtf8(text.sliced(start, end - start)));
        }
        start = end + 1;
    }
    return nodes;
}

} // namespace Artemis
