#include "core/store/resultsort.h"

#include <algorithm>
#include <optional>

#include <QFile>

#include "core/inventory/nodesearch.h"
#include "core/store/resultskim.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr qint64 ReadBlock = 1 << 20;

struct Keyed
{
    LineRef line;
    std::optional<double> number;
    QString text;
    bool present = false;
    bool failed = false; // by latency: after the answered rows
};

// Reads the bytes of lines given by LineRef, a block of ReadBlock at a time (lines in file
// order share blocks; a sorted list seeks).
class LineReader
{
public:
    explicit LineReader(const QString &file) : m_file(file) {}

    Result<void> open()
    {
        if (!m_file.open(QIODevice::ReadOnly)) {
            return makeError(ErrorCode::Io,
                             u"cannot open %1: %2"_s.arg(m_file.fileName(), m_file.errorString()));
        }
        return {};
    }

    Result<QByteArrayView> read(const LineRef &line)
    {
        if (line.offset < m_blockStart
            || line.offset + line.length > m_blockStart + m_block.size()) {
            if (!m_file.seek(line.offset)) {
                return makeError(ErrorCode::Io, u"cannot read %1: %2"_s.arg(m_file.fileName(),
                                                                            m_file.errorString()));
            }
            m_blockStart = line.offset;
            m_block = m_file.read(std::max(ReadBlock, line.length));
        }
        const qint64 from = line.offset - m_blockStart;
        return QByteArrayView(m_block).sliced(from,
                                              std::min<qint64>(line.length, m_block.size() - from));
    }

private:
    QFile m_file;
    QByteArray m_block;
    qint64 m_blockStart = 0;
};

} // namespace

Result<ResultSort> ResultSort::parse(QStringView text)
{
    ResultSort sort;
    text = text.trimmed();
    if (text.startsWith(u'-')) {
        sort.descending = true;
        text = text.mid(1);
    }
    if (text.isEmpty()) {
        return sort;
    }
    if (text == u"node") {
        sort.by = By::Node;
    } else if (text == u"outcome") {
        sort.by = By::Outcome;
    } else if (text == u"latency" || text == u"latencyMs") {
        sort.by = By::Latency;
    } else {
        Result<JsonPath> path = parseJsonPath(text);
        if (!path) {
            return makeError(ErrorCode::InvalidArgument,
                             u"bad sort '%1': %2 (node, outcome, latency or a JSON path, '-' "
                             "for descending)"_s.arg(text.toString(), path.error().message));
        }
        sort.by = By::Path;
        sort.path = std::move(path).value();
    }
    return sort;
}

QString ResultSort::toString() const
{
    QString name;
    switch (by) {
    case By::File:
        return {};
    case By::Node:
        name = u"node"_s;
        break;
    case By::Outcome:
        name = u"outcome"_s;
        break;
    case By::Latency:
        name = u"latency"_s;
        break;
    case By::Path:
        name = jsonPathToString(path);
        break;
    }
    return descending ? u"-"_s + name : name;
}

Result<QList<LineRef>> sortLines(const QString &file, const QList<LineRef> &lines,
                                 const ResultSort &sort)
{
    if (sort.isFileOrder() || lines.size() < 2) {
        return lines;
    }
    LineReader reader(file);
    if (const Result<void> opened = reader.open(); !opened) {
        return opened.error();
    }
    QList<Keyed> keyed;
    keyed.reserve(lines.size());
    for (const LineRef &line : lines) {
        const Result<QByteArrayView> read = reader.read(line);
        if (!read) {
            return read.error();
        }
        const QByteArrayView bytes = *read;
        Keyed k{line, std::nullopt, {}, false, false};
        SkimmedResult skimmed;
        switch (sort.by) {
        case ResultSort::By::Node:
            if (skimResultLine(bytes, {}, skimmed)) {
                k.text = skimmed.node;
                k.present = true;
            }
            break;
        case ResultSort::By::Outcome:
            if (skimResultLine(bytes, {}, skimmed) && skimmed.kind) {
                k.text = outcomeName(*skimmed.kind);
                k.present = true;
            }
            break;
        case ResultSort::By::Latency: {
            const Result<Outcome> outcome = ResultIndex::parseLine(bytes);
            if (outcome) {
                k.number = double(outcome->latencyMs);
                k.present = true;
                k.failed = outcome->outcome != OutcomeKind::Ok;
            }
            break;
        }
        case ResultSort::By::Path:
            if (skimResultLine(bytes, sort.path, skimmed) && skimmed.kind == OutcomeKind::Ok
                && !skimmed.value.isUndefined()) {
                k.number = jsonNumber(skimmed.value);
                k.text = jsonValueText(skimmed.value);
                k.present = true;
            }
            break;
        case ResultSort::By::File:
            break;
        }
        keyed.append(std::move(k));
    }
    const bool descending = sort.descending;
    std::stable_sort(keyed.begin(), keyed.end(), [descending](const Keyed &a, const Keyed &b) {
        if (a.present != b.present) {
            return a.present; // rows without a value last, in either direction
        }
        if (!a.present) {
            return false;
        }
        if (a.failed != b.failed) {
            return b.failed;
        }
        // Numbers before text; numbers by value, text by text.
        if (a.number.has_value() != b.number.has_value()) {
            return a.number.has_value();
        }
        const bool less = a.number ? *a.number < *b.number : a.text < b.text;
        const bool greater = a.number ? *b.number < *a.number : b.text < a.text;
        return descending ? greater : less;
    });
    QList<LineRef> sorted;
    sorted.reserve(keyed.size());
    for (const Keyed &k : keyed) {
        sorted.append(k.line);
    }
    return sorted;
}

Result<QList<LineRef>> filterLinesByNode(const QString &file, const QList<LineRef> &lines,
                                         QStringView needle)
{
    const NodeSearch search(needle);
    if (search.isEmpty() || lines.isEmpty()) {
        return lines;
    }
    LineReader reader(file);
    if (const Result<void> opened = reader.open(); !opened) {
        return opened.error();
    }
    QList<LineRef> matching;
    SkimmedResult skimmed;
    SkimmedRecord record;
    for (const LineRef &line : lines) {
        const Result<QByteArrayView> read = reader.read(line);
        if (!read) {
            return read.error();
        }
        // No paths: the skimmer reads the node (and outcome, labels), and parses no value.
        const bool matches =
            search.readsLabels()
                ? skimResultRecord(*read, {}, record) && search.matches(record.node, record.labels)
                : skimResultLine(*read, {}, skimmed) && search.matches(skimmed.node, QJsonObject());
        if (matches) {
            matching.append(line);
        }
    }
    return matching;
}

} // namespace Artemis
