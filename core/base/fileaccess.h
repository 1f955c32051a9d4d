#pragma once

#include <optional>

#include <QByteArray>
#include <QString>
#include <QStringList>

#include "core/base/result.h"

namespace Artemis {

// Which files a path that arrived from outside the operator's own configuration may name
// (issue #21 item 1): a schedule's nodesFrom file, a hunt's caFile, the credential files of its
// auth rules. The service allows only regular files under the directories given with
// `serve --allow-files DIR` (none by default: every such path is refused); the command line,
// the config file and the GUI use an unrestricted instance (the operator's own paths).
//
// Every read, restricted or not, opens the file without following a final symlink and without
// blocking (O_NONBLOCK), then checks the open descriptor: a FIFO, a device or a socket swapped
// in after the checks is refused before a byte is read, so a read never waits on a writer. A
// regular file's read is bounded by maxBytes; on a local disk it takes microseconds to
// milliseconds, which is why callers may run it on their own thread or a private pool (never
// a shared pool thread that a hung network filesystem could hold).
//
// Errors name the file and the reason, never a byte of its contents: Forbidden (no allowed
// dirs, outside them, /proc or /sys), InvalidArgument (not absolute, missing, not a regular
// file, unreadable), TooLarge (over maxBytes).
//
// A plain value; crosses threads; read() is thread-safe.
class FileAccess
{
public:
    // The operator's own paths: any regular file.
    static FileAccess unrestricted();
    // Nothing may be read (the service without --allow-files).
    static FileAccess none();
    // Regular files under these directories (canonicalised now: each must exist). Errors
    // (InvalidArgument) name the directory.
    static Result<FileAccess> allowing(const QStringList &dirs);

    bool isUnrestricted() const { return m_unrestricted; }
    // The allowed directories as given (cleaned); empty for unrestricted and none().
    const QStringList &dirs() const { return m_dirs; }

    // The canonical path of `path` when it may be read. `what` names the path in errors
    // ("caFile", "nodesFrom file", "passwordFile").
    Result<QString> check(const QString &path, const QString &what) const;
    // The whole file, at most maxBytes (TooLarge beyond).
    Result<QByteArray> read(const QString &path, qint64 maxBytes, const QString &what) const;

    // "FILE is readable by group/others (mode 0644)" when a secret file (token, password,
    // broker secret) can be read by anyone but its owner; nullopt when it cannot, or when the
    // file cannot be examined (reading it reports that).
    static std::optional<QString> permissionProblem(const QString &path);

    bool operator==(const FileAccess &) const = default;

private:
    bool m_unrestricted = false;
    QStringList m_dirs;          // cleaned, as given
    QStringList m_canonicalDirs; // the same, symlinks resolved
};

// The flag that allows reading files in the service, for errors that name it.
inline constexpr char16_t AllowFilesFlag[] = u"--allow-files";

} // namespace Artemis
