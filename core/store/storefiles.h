#pragma once

// The data directory's files, below ResultStore (core/store/resultstore.cpp: hunts,
// core/store/schedulestore.cpp: schedules): their names, durable atomic writes, and the node and
// label list formats both hunts and schedules keep. Private to the store.

#include <QByteArray>
#include <QByteArrayView>
#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>

#include "core/base/nodelabels.h"
#include "core/base/result.h"

class QFileDevice;

namespace Artemis {

inline const QString ManifestFile = QStringLiteral("hunt.json");
inline const QString NodesFile = QStringLiteral("nodes.txt");
inline const QString ResultsFile = QStringLiteral("results.ndjson");
inline const QString ScheduleFile = QStringLiteral("schedule.json");
inline const QString LabelsFile = QStringLiteral("labels.json"); // node labels, when any

constexpr QFile::Permissions OwnerOnlyFile = QFile::ReadOwner | QFile::WriteOwner;
constexpr QFile::Permissions OwnerOnlyDir = OwnerOnlyFile | QFile::ExeOwner;

// ErrorCode::NotFound: "no hunt 'ID'".
Error notFound(const QString &id);
// A manifest-sized file whole: notFound(id) when it does not exist, ioError otherwise.
Result<QByteArray> readSmallFile(const QString &path, const QString &id);
// ErrorCode::Io: "cannot WHAT PATH: REASON".
Error ioError(const QString &what, const QString &path, const QString &reason);
// QDir::mkpath, but saying why it failed (read-only, no space, permissions).
Result<void> makePath(const QString &dir);
// Writes all of `data`; returns how much was written (less: the device failed, errorString()
// says why).
qint64 writeFully(QFileDevice &file, QByteArrayView data);
// fsync of a file's data (fdatasync) or of a directory's entries (fsync).
Result<void> syncPath(const QString &path, bool directory);
// Replaces `path` with `data` or leaves the old file: written to a temporary, flushed, renamed,
// the directory synced. `ownerOnly`: 0600 before a byte is written (the file may hold secrets).
Result<void> saveAtomically(const QString &path, const QByteArray &data, bool ownerOnly = false);

// nodes.txt: one node a line (InvalidNode for a node with a line break), and back.
Result<QByteArray> nodeFileText(const QStringList &nodes);
QStringList nodeFileLines(QByteArrayView text);
// labels.json: {"sets": [{labels}, ...], "nodes": [set index or -1, one per node]}, and back
// (empty when it does not hold `count` nodes).
QByteArray labelsFileText(const QList<Labels> &labels);
QList<Labels> labelsFileLabels(const QByteArray &text, qsizetype count);

} // namespace Artemis
