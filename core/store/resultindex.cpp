#include "core/store/resultindex.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <QFile>
#include <QHashFunctions>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QMutexLocker>

#include "core/base/logging.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {
constexpr qint64 ChunkSize = 1024 * 1024;
} // namespace

ResultIndex::ResultIndex(QString huntId, QString path)
    : m_huntId(std::move(huntId)), m_path(std::move(path))
{
}

Result<qint64> ResultIndex::scanLines(QFile &file, qint64 from,
                                      const std::function<bool(qint64, QByteArrayView)> &onLine)
{
    if (!file.seek(from)) {
        return makeError(ErrorCode::Io,
                         u"cannot seek in %1: %2"_s.arg(file.fileName(), file.errorString()));
    }
    QByteArray chunk(ChunkSize, Qt::Uninitialized);
    QByteArray carry; // the start of a line that continues in the next chunk
    qint64 chunkStart = from;
    qint64 end = from; // just past the last complete line
    for (;;) {
        const qint64 n = file.read(chunk.data(), chunk.size());
        if (n < 0) {
            return makeError(ErrorCode::Io,
                             u"cannot read %1: %2"_s.arg(file.fileName(), file.errorString()));
        }
        if (n == 0) {
            return end;
        }
        const char *const data = chunk.constData();
        qint64 pos = 0;
        while (pos < n) {
            const void *nl = std::memchr(data + pos, '\n', size_t(n - pos));
            if (!nl) {
                carry.append(data + pos, n - pos);
                break;
            }
            const qint64 nlPos = static_cast<const char *>(nl) - data;
            bool more = true;
            if (carry.isEmpty()) {
                more = onLine(chunkStart + pos, QByteArrayView(data + pos, nlPos - pos));
            } else {
                carry.append(data + pos, nlPos - pos);
                more = onLine(end, QByteArrayView(carry));
                carry.clear();
            }
            end = chunkStart + nlPos + 1;
            pos = nlPos + 1;
            if (!more) {
                return end;
            }
        }
        chunkStart += n;
    }
}

bool ResultIndex::isBlank(QByteArrayView line)
{
    for (const char c : line) {
        if (c != ' ' && c != '\t' && c != '\r') {
            return false;
        }
    }
    return true;
}

namespace {
Result<QJsonObject> parseObject(QByteArrayView line)
{
    QJsonParseError error;
    // fromRawData: no copy; the document keeps its own copy of whatever it parsed.
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray::fromRawData(line.data(), line.size()), &error);
    if (error.error != QJsonParseError::NoError) {
        return makeError(
            ErrorCode::InvalidArgument,
            u"invalid JSON at byte %1: %2"_s.arg(error.offset).arg(error.errorString()));
    }
    if (!doc.isObject()) {
        return makeError(ErrorCode::InvalidArgument, u"not a JSON object"_s);
    }
    return doc.object();
}

struct LineKey
{
    quint32 nodeHash = 0;
    OutcomeKind kind = OutcomeKind::Error;
};

// What the index needs of a line. Accepts exactly what Outcome::fromJson accepts (a non-empty
// node and a known outcome) without its other work (dates, strings): that halves the time of a
// first scan, which is mostly JSON parsing.
Result<LineKey> inspectLine(QByteArrayView line)
{
    const Result<QJsonObject> object = parseObject(line);
    if (!object) {
        return object.error();
    }
    const QString nodeText = object->value(u"node"_s).toString();
    if (nodeText.isEmpty()) {
        return makeError(ErrorCode::InvalidArgument, u"outcome record has no node"_s);
    }
    const std::optional<OutcomeKind> kind = outcomeFromName(object->value(u"outcome"_s).toString());
    if (!kind) {
        return makeError(ErrorCode::InvalidArgument,
                         u"outcome record for '%1' has an unknown outcome"_s.arg(nodeText));
    }
    return LineKey{ResultIndex::nodeHash(nodeText), *kind};
}
} // namespace

Result<Outcome> ResultIndex::parseLine(QByteArrayView line)
{
    const Result<QJsonObject> object = parseObject(line);
    if (!object) {
        return object.error();
    }
    return Outcome::fromJson(*object);
}

quint32 ResultIndex::nodeHash(QStringView node)
{
    // A fixed seed: the index lives in memory only, but lookups must agree with the scan.
    return quint32(qHash(node, 0));
}

Result<ResultIndex::Selection> ResultIndex::select(const OutcomeFilter &filter, qsizetype offset,
                                                   qsizetype limit)
{
    const QMutexLocker lock(&m_mutex);
    if (const Result<void> r = refreshLocked(); !r) {
        return r.error();
    }
    Selection selection;
    selection.skipped = skippedLocked();
    const qsizetype count = m_offsets.size();
    if (filter.isEmpty()) {
        selection.total = int(count);
        for (qsizetype i = offset; i < count && i - offset < limit; ++i) {
            selection.lines.append(LineRef{m_offsets[i], m_lengths[i]});
        }
        return selection;
    }
    // One byte per line: a linear pass costs ~1 ms per million lines and parses nothing.
    std::array<bool, OutcomeKindCount> wanted{};
    for (int k = 0; k < OutcomeKindCount; ++k) {
        wanted[size_t(k)] = filter.matches(static_cast<OutcomeKind>(k));
    }
    selection.total = filter.count(m_counts);
    qsizetype seen = 0;
    const char *const kinds = m_kinds.constData();
    for (qsizetype i = 0; i < count && selection.lines.size() < limit; ++i) {
        if (!wanted[size_t(quint8(kinds[i]))]) {
            continue;
        }
        if (seen++ >= offset) {
            selection.lines.append(LineRef{m_offsets[i], m_lengths[i]});
        }
    }
    return selection;
}

Result<QList<LineRef>> ResultIndex::candidatesForNode(QStringView node)
{
    const QMutexLocker lock(&m_mutex);
    if (const Result<void> r = refreshLocked(); !r) {
        return r.error();
    }
    const quint32 hash = nodeHash(node);
    QList<LineRef> lines;
    for (qsizetype i = m_hashes.size() - 1; i >= 0; --i) {
        if (m_hashes[i] == hash) {
            lines.append(LineRef{m_offsets[i], m_lengths[i]});
        }
    }
    return lines;
}

Result<ResultIndex::Summary> ResultIndex::summary()
{
    const QMutexLocker lock(&m_mutex);
    if (const Result<void> r = refreshLocked(); !r) {
        return r.error();
    }
    return Summary{m_counts, int(m_offsets.size()), skippedLocked()};
}

qint64 ResultIndex::scannedSize() const
{
    const QMutexLocker lock(&m_mutex);
    return m_scanned;
}

void ResultIndex::markWriting()
{
    const QMutexLocker lock(&m_mutex);
    m_writing = true;
}

int ResultIndex::skippedLocked() const
{
    return m_corrupt + (!m_writing && m_fileSize > m_scanned ? 1 : 0);
}

void ResultIndex::resetLocked()
{
    m_scanned = 0;
    m_fileSize = 0;
    m_physicalLines = 0;
    m_tornWarnedAt = -1;
    m_corrupt = 0;
    m_counts = {};
    m_offsets.clear();
    m_lengths.clear();
    m_hashes.clear();
    m_kinds.clear();
}

Result<void> ResultIndex::refreshLocked()
{
    QFile file(m_path);
    // Existence first: the writer may create the file between a failed open and the check.
    if (!file.exists() || (!file.open(QIODevice::ReadOnly) && !file.exists())) {
        // No results yet (or the hunt was removed): an empty index.
        resetLocked();
        return {};
    }
    if (!file.isOpen()) {
        return makeError(ErrorCode::Io, u"cannot open %1: %2"_s.arg(m_path, file.errorString()));
    }
    const qint64 size = file.size();
    if (size < m_scanned) {
        // Truncated or replaced: the old offsets mean nothing any more.
        qCWarning(lcStore).noquote()
            << u"hunt %1: results file shrank; rebuilding its index"_s.arg(m_huntId);
        resetLocked();
    }
    if (size == m_scanned) {
        m_fileSize = size;
        return {};
    }

    const Result<qint64> end =
        scanLines(file, m_scanned, [this](qint64 offset, QByteArrayView line) {
            ++m_physicalLines;
            if (isBlank(line)) {
                return true;
            }
            const Result<LineKey> key =
                line.size() <= std::numeric_limits<quint32>::max()
                    ? inspectLine(line)
                    : Result<LineKey>(makeError(ErrorCode::TooLarge, u"line too long"_s));
            if (!key) {
                ++m_corrupt;
                qCWarning(lcStore).noquote()
                    << u"hunt %1: skipping corrupt line %2 of results.ndjson (%3)"_s.arg(m_huntId)
                           .arg(m_physicalLines)
                           .arg(key.error().message);
                return true;
            }
            m_offsets.append(offset);
            m_lengths.append(quint32(line.size()));
            m_hashes.append(key->nodeHash);
            m_kinds.append(char(key->kind));
            m_counts.add(key->kind);
            return true;
        });
    if (!end) {
        return end.error();
    }
    m_scanned = *end;
    // The file may have grown while we read it; what lies past the last '\n' is a tail.
    m_fileSize = std::max(size, file.pos());
    if (!m_writing && m_fileSize > m_scanned && m_tornWarnedAt != m_scanned) {
        m_tornWarnedAt = m_scanned;
        qCWarning(lcStore).noquote()
            << u"hunt %1: line %2 of results.ndjson is incomplete (torn write?); skipping it"_s
                   .arg(m_huntId)
                   .arg(m_physicalLines + 1);
    }
    return {};
}

} // namespace Artemis
