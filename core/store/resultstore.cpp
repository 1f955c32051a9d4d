#include "core/store/resultstore.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QSaveFile>
#include <QStorageInfo>

#include "core/base/huntid.h"
#include "core/base/logging.h"
#include "core/store/resultindex.h"
#include "core/store/storefiles.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {
const QString ProbePrefix = u".probe-"_s;
constexpr qint64 MaxReadBlock = 4 * 1024 * 1024;

// Reads the given lines (sorted by offset) and parses them; contiguous lines are read as one
// block. Lines that no longer parse (the file was replaced under us) are left out.
Result<QList<Outcome>> readLines(const QString &path, const QList<LineRef> &lines)
{
    QList<Outcome> outcomes;
    if (lines.isEmpty()) {
        return outcomes;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return ioError(u"open"_s, path, file.errorString());
    }
    outcomes.reserve(lines.size());
    qsizetype i = 0;
    while (i < lines.size()) {
        // Extend the block while the next line starts right after this one's '\n'.
        qsizetype j = i + 1;
        qint64 blockEnd = lines[i].offset + lines[i].length;
        while (j < lines.size() && lines[j].offset == blockEnd + 1
               && lines[j].offset + lines[j].length - lines[i].offset <= MaxReadBlock) {
            blockEnd = lines[j].offset + lines[j].length;
            ++j;
        }
        const qint64 blockStart = lines[i].offset;
        if (!file.seek(blockStart)) {
            return ioError(u"seek in"_s, path, file.errorString());
        }
        const QByteArray block = file.read(blockEnd - blockStart);
        if (file.error() != QFileDevice::NoError) {
            return ioError(u"read"_s, path, file.errorString());
        }
        for (qsizetype k = i; k < j; ++k) {
            const qint64 from = lines[k].offset - blockStart;
            if (from + lines[k].length > block.size()) {
                break; // truncated under us
            }
            const Result<Outcome> outcome =
                ResultIndex::parseLine(QByteArrayView(block).sliced(from, lines[k].length));
            if (outcome) {
                outcomes.append(*outcome);
            }
        }
        i = j;
    }
    return outcomes;
}
// The lines of `selected` (file order) that match the query's node search, in its sort order.
Result<QList<LineRef>> searchAndSort(const QString &path, const QList<LineRef> &selected,
                                     const ResultQuery &query)
{
    const Result<QList<LineRef>> found = filterLinesByNode(path, selected, query.nodeContains);
    if (!found) {
        return found.error();
    }
    return sortLines(path, *found, query.sort);
}
} // namespace

ResultStore::ResultStore(QString dataDir) : m_dataDir(std::move(dataDir)) {}

ResultStore::~ResultStore() = default;

QString ResultStore::huntsDir() const
{
    return m_dataDir + u"/hunts"_s;
}

QString ResultStore::huntDir(const QString &id) const
{
    if (!isValidHuntId(id)) {
        return {};
    }
    return huntsDir() + u'/' + id;
}

QString ResultStore::resultsPath(const QString &id) const
{
    return huntDir(id) + u'/' + ResultsFile;
}

Result<void> ResultStore::checkId(const QString &id) const
{
    if (!isValidHuntId(id)) {
        return notFound(id);
    }
    return {};
}

Result<void> ResultStore::checkExists(const QString &id) const
{
    if (const Result<void> valid = checkId(id); !valid) {
        return valid;
    }
    if (!QFileInfo(huntDir(id)).isDir()) {
        return notFound(id);
    }
    return {};
}

std::shared_ptr<ResultIndex> ResultStore::index(const QString &id) const
{
    const QMutexLocker lock(&m_mutex);
    std::shared_ptr<ResultIndex> &slot = m_indexes[id];
    if (!slot) {
        slot = std::make_shared<ResultIndex>(id, resultsPath(id));
    }
    return slot;
}

StorageHealth ResultStore::checkStorage() const
{
    static std::atomic<quint64> probes{0};
    StorageHealth health;
    const QStorageInfo volume(m_dataDir);
    if (volume.isValid()) {
        health.freeBytes = volume.bytesAvailable();
        health.totalBytes = volume.bytesTotal();
    }
    const QString path = u"%1/%2%3-%4"_s.arg(m_dataDir, ProbePrefix)
                             .arg(QCoreApplication::applicationPid())
                             .arg(probes.fetch_add(1));
    QFile probe(path);
    if (!probe.open(QIODevice::WriteOnly | QIODevice::NewOnly | QIODevice::Unbuffered)) {
        health.error = probe.errorString();
        return health;
    }
    const QByteArray block(4096, '\n');
    if (writeFully(probe, block) != block.size()) {
        health.error = probe.errorString();
    } else {
        health.writable = true;
    }
    probe.close();
    probe.remove();
    return health;
}

Result<QStringList> ResultStore::open()
{
    const QString dir = huntsDir();
    if (const Result<void> made = makePath(dir); !made) {
        return made.error();
    }
    restrictSchedules();
    // Probe files left by a process killed mid-probe (see checkStorage).
    const QDir root(m_dataDir);
    for (const QString &left : root.entryList({ProbePrefix + u'*'}, QDir::Files | QDir::Hidden)) {
        QFile::remove(root.filePath(left));
    }
    QStringList interrupted;
    const QStringList ids = QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &id : ids) {
        if (!isValidHuntId(id)) {
            continue;
        }
        Result<HuntInfo> info = loadManifest(id);
        if (!info) {
            qCWarning(lcStore).noquote() << u"skipping hunt %1: %2"_s.arg(id, info.error().message);
            continue;
        }
        if (isFinished(info->state)) {
            continue;
        }
        const Result<ResultIndex::Summary> summary = index(id)->summary();
        if (!summary) {
            qCWarning(lcStore).noquote()
                << u"hunt %1: cannot recount results: %2"_s.arg(id, summary.error().message);
        } else {
            info->counts = summary->counts;
            info->done = summary->lines;
        }
        info->state = HuntState::Interrupted;
        if (!info->finishedAt.isValid()) {
            info->finishedAt = QDateTime::currentDateTimeUtc();
        }
        info->error = u"interrupted: the process stopped before the hunt finished"_s;
        if (const Result<void> saved = writeManifest(*info); !saved) {
            qCWarning(lcStore).noquote()
                << u"hunt %1: cannot mark it interrupted: %2"_s.arg(id, saved.error().message);
            continue;
        }
        interrupted.append(id);
    }
    return interrupted;
}

Result<void> ResultStore::createHunt(const HuntInfo &info, const QStringList &nodes,
                                     const QList<Labels> &labels)
{
    if (const Result<void> valid = checkId(info.id); !valid) {
        return valid;
    }
    const Result<QByteArray> nodeLines = nodeFileText(nodes);
    if (!nodeLines) {
        return nodeLines.error();
    }
    const QString hunts = huntsDir();
    if (const Result<void> made = makePath(hunts); !made) {
        return made;
    }
    // create_directory (not mkpath) reports an existing directory: two creators cannot both
    // win. Unlike QDir::mkdir it says why it failed (read-only, no space, permissions).
    std::error_code error;
    if (!std::filesystem::create_directory(QFile::encodeName(huntDir(info.id)).toStdString(),
                                           error)) {
        if (error) {
            return ioError(u"create"_s, huntDir(info.id), QString::fromStdString(error.message()));
        }
        return makeError(ErrorCode::Conflict, u"hunt '%1' exists"_s.arg(info.id));
    }
    // The manifest comes last: a directory without one is an unfinished creation.
    Result<void> written = saveAtomically(huntDir(info.id) + u'/' + NodesFile, *nodeLines);
    if (written && !labels.isEmpty()) {
        written = saveAtomically(huntDir(info.id) + u'/' + LabelsFile, labelsFileText(labels));
    }
    if (written) {
        written = writeManifest(info);
    }
    if (written) {
        written = syncPath(huntsDir(), true); // the new directory's own entry
    }
    if (!written) {
        QDir(huntDir(info.id)).removeRecursively();
        return written;
    }
    return {};
}

Result<void> ResultStore::saveManifest(const HuntInfo &info)
{
    if (const Result<void> exists = checkExists(info.id); !exists) {
        return exists;
    }
    return writeManifest(info);
}

Result<void> ResultStore::writeManifest(const HuntInfo &info) const
{
    // A manifest that says the hunt ended is written only once its results are on the disk
    // itself, not just in the page cache: after a power loss, "done" never outlives results.
    if (isFinished(info.state) && QFileInfo::exists(resultsPath(info.id))) {
        if (const Result<void> synced = syncPath(resultsPath(info.id), false); !synced) {
            return synced;
        }
    }
    return saveAtomically(huntDir(info.id) + u'/' + ManifestFile,
                          QJsonDocument(info.toJson()).toJson(QJsonDocument::Indented));
}

Result<HuntInfo> ResultStore::loadManifest(const QString &id) const
{
    if (const Result<void> valid = checkId(id); !valid) {
        return valid.error();
    }
    const QString path = huntDir(id) + u'/' + ManifestFile;
    const Result<QByteArray> data = readSmallFile(path, id);
    if (!data) {
        return data.error();
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(*data, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        return makeError(ErrorCode::Io, u"%1 is corrupt: %2"_s.arg(path, parseError.errorString()));
    }
    Result<HuntInfo> info = HuntInfo::fromJson(doc.object());
    if (!info) {
        return makeError(ErrorCode::Io, u"%1: %2"_s.arg(path, info.error().message));
    }
    if (info->id != id) {
        return makeError(ErrorCode::Io, u"%1 names another hunt ('%2')"_s.arg(path, info->id));
    }
    return info;
}

Result<QStringList> ResultStore::loadNodes(const QString &id) const
{
    if (const Result<void> exists = checkExists(id); !exists) {
        return exists.error();
    }
    const QString path = huntDir(id) + u'/' + NodesFile;
    const Result<QByteArray> data = readSmallFile(path, id);
    if (!data) {
        return data.error();
    }
    return nodeFileLines(*data);
}

QList<Labels> ResultStore::loadNodeLabels(const QString &id, qsizetype count) const
{
    if (!checkExists(id)) {
        return {};
    }
    const QString path = huntDir(id) + u'/' + LabelsFile;
    if (!QFileInfo::exists(path)) {
        return {};
    }
    const Result<QByteArray> data = readSmallFile(path, id);
    return data ? labelsFileLabels(*data, count) : QList<Labels>{};
}

Result<QList<HuntInfo>> ResultStore::listHunts(int limit, const QString &before,
                                               std::optional<HuntState> state) const
{
    QList<HuntInfo> hunts;
    if (limit <= 0) {
        return hunts;
    }
    QStringList ids = QDir(huntsDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    // Ids sort by creation time, so the newest come last.
    std::reverse(ids.begin(), ids.end());
    for (const QString &id : std::as_const(ids)) {
        if (!isValidHuntId(id) || (!before.isEmpty() && id >= before)) {
            continue;
        }
        const Result<HuntInfo> info = loadManifest(id);
        if (!info) {
            // A hunt being created has no manifest yet; that is not worth a warning.
            if (info.error().code != ErrorCode::NotFound) {
                qCWarning(lcStore).noquote()
                    << u"skipping hunt %1: %2"_s.arg(id, info.error().message);
            }
            continue;
        }
        if (state && info->state != *state) {
            continue;
        }
        hunts.append(*info);
        if (hunts.size() >= limit) {
            break;
        }
    }
    return hunts;
}

Result<void> ResultStore::appendResults(const QString &id, const QList<Outcome> &outcomes)
{
    if (const Result<void> valid = checkId(id); !valid) {
        return valid;
    }
    if (outcomes.isEmpty()) {
        return {};
    }
    QByteArray lines;
    for (const Outcome &outcome : outcomes) {
        lines += QJsonDocument(outcome.toJson()).toJson(QJsonDocument::Compact);
        lines += '\n';
    }
    const QString path = resultsPath(id);
    QFile file(path);
    // Opening per batch costs ~30 us, next to ~9 us per outcome to serialize (measured);
    // keeping no descriptor open means nothing to close on remove or shutdown. Unbuffered: the
    // batch goes to the kernel in one write() call.
    if (!file.open(QIODevice::ReadWrite | QIODevice::Append | QIODevice::Unbuffered)) {
        if (!QFileInfo(huntDir(id)).isDir()) {
            return notFound(id);
        }
        return ioError(u"open"_s, path, file.errorString());
    }
    // Before the first byte lands: readers must not take our half-written batch for a torn line.
    index(id)->markWriting();
    const qint64 size = file.isSequential() ? 0 : file.size();
    if (size > 0) {
        // A crash may have left a torn last line: start ours on a line of their own, so the
        // torn one stays one corrupt line instead of spoiling the first of ours.
        char last = 0;
        if (!file.seek(size - 1) || file.read(&last, 1) != 1) {
            return ioError(u"read"_s, path, file.errorString());
        }
        if (last != '\n') {
            lines.prepend('\n');
        }
    }
    const qint64 written = writeFully(file, lines);
    if (written != lines.size()) {
        QString reason = file.errorString();
        // Cut off what part of the batch made it, so the file ends on a whole line.
        if (written > 0 && !file.resize(size)) {
            reason += u"; the partial batch could not be cut off (%1)"_s.arg(file.errorString());
        }
        return ioError(u"write"_s, path, reason);
    }
    file.close();
    if (file.error() != QFileDevice::NoError) {
        return ioError(u"close"_s, path, file.errorString());
    }
    return {};
}

Result<ResultPage> ResultStore::readResults(const QString &id, const ResultQuery &query) const
{
    if (const Result<void> exists = checkExists(id); !exists) {
        return exists.error();
    }
    if (query.offset < 0 || query.limit < 0) {
        return makeError(ErrorCode::InvalidArgument, u"offset and limit must not be negative"_s);
    }
    const bool whole = query.readsEveryLine();
    Result<ResultIndex::Selection> selection =
        whole ? index(id)->select(query.outcome, 0, std::numeric_limits<qsizetype>::max())
              : index(id)->select(query.outcome, query.offset, query.limit);
    if (!selection) {
        return selection.error();
    }
    if (whole) {
        // The whole matching set in order, then the page of it.
        Result<QList<LineRef>> order = searchAndSort(resultsPath(id), selection->lines, query);
        if (!order) {
            return order.error();
        }
        selection->total = int(order->size());
        selection->lines = order->mid(query.offset, query.limit);
    }
    Result<QList<Outcome>> outcomes = readLines(resultsPath(id), selection->lines);
    if (!outcomes) {
        return outcomes.error();
    }
    ResultPage page;
    page.outcomes = std::move(*outcomes);
    page.total = selection->total;
    page.offset = query.offset;
    page.skippedLines = selection->skipped;
    return page;
}

Result<QList<LineRef>> ResultStore::selectLines(const QString &id, const ResultQuery &query) const
{
    if (const Result<void> exists = checkExists(id); !exists) {
        return exists.error();
    }
    const Result<ResultIndex::Selection> selection =
        index(id)->select(query.outcome, 0, std::numeric_limits<qsizetype>::max());
    if (!selection) {
        return selection.error();
    }
    return searchAndSort(resultsPath(id), selection->lines, query);
}

QString ResultStore::resultsFile(const QString &id) const
{
    return checkId(id) ? resultsPath(id) : QString();
}

Result<Outcome> ResultStore::findResult(const QString &id, const QString &node) const
{
    if (const Result<void> exists = checkExists(id); !exists) {
        return exists.error();
    }
    const Result<QList<LineRef>> candidates = index(id)->candidatesForNode(node);
    if (!candidates) {
        return candidates.error();
    }
    // Newest first; a hash collision just costs one more parse.
    for (const LineRef &line : *candidates) {
        const Result<QList<Outcome>> outcome = readLines(resultsPath(id), {line});
        if (!outcome) {
            return outcome.error();
        }
        if (!outcome->isEmpty() && outcome->first().node == node) {
            return outcome->first();
        }
    }
    return makeError(ErrorCode::NotFound, u"no result for node '%1' in hunt '%2'"_s.arg(node, id));
}

Result<int> ResultStore::forEachResult(const QString &id,
                                       const std::function<bool(const Outcome &)> &sink) const
{
    if (const Result<void> exists = checkExists(id); !exists) {
        return exists.error();
    }
    const QString path = resultsPath(id);
    QFile file(path);
    // Existence first: the writer may create the file between a failed open and the check.
    if (!file.exists() || (!file.open(QIODevice::ReadOnly) && !file.exists())) {
        return 0;
    }
    if (!file.isOpen()) {
        return ioError(u"open"_s, path, file.errorString());
    }
    // A sequential pass of its own: cheaper than seeking line by line through the index.
    int skipped = 0;
    bool stopped = false;
    const Result<qint64> end = ResultIndex::scanLines(file, 0, [&](qint64, QByteArrayView line) {
        if (ResultIndex::isBlank(line)) {
            return true;
        }
        const Result<Outcome> outcome = ResultIndex::parseLine(line);
        if (!outcome) {
            ++skipped;
            return true;
        }
        stopped = !sink(*outcome);
        return !stopped;
    });
    if (!end) {
        return end.error();
    }
    if (!stopped && file.pos() > *end) {
        ++skipped; // the torn tail
    }
    return skipped;
}

Result<void> ResultStore::removeHunt(const QString &id)
{
    if (const Result<void> exists = checkExists(id); !exists) {
        return exists;
    }
    {
        const QMutexLocker lock(&m_mutex);
        m_indexes.remove(id);
    }
    const QString dir = huntDir(id);
    if (!QDir(dir).removeRecursively()) {
        return makeError(ErrorCode::Io, u"cannot remove %1"_s.arg(dir));
    }
    return {};
}

} // namespace Artemis
