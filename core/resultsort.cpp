#include "core/resultsort.h"

#include <algorithm>
#include <optional>

#include <QFile>

#include "core/resultskim.h"

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
    } else if (text == u"latency" || text == u"latencyMs") {
        sort.by = By::Latency;
    } else {
        Result<JsonPath> path = parseJsonPath(text);
        if (!path) {
            return makeError(ErrorCode::InvalidArgument,
                             u"bad sort '%1': %2 (node, latency or a JSON path, '-' for "
                             "descending)"_s.arg(text.toString(), path.error().message));
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
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly)) {
        return makeError(ErrorCode::Io, u"cannot open %1: %2"_s.arg(file, in.errorString()));
    }
    QList<Keyed> keyed;
    keyed.reserve(lines.size());
    QByteArray block;
    qint64 blockStart = 0;
    for (const LineRef &line : lines) {
        if (line.offset < blockStart || line.offset + line.length > blockStart + block.size()) {
            if (!in.seek(line.offset)) {
                return makeError(ErrorCode::Io, u"cannot read %1: %2"_s.arg(file, in.errorString()));
            }
            blockStart = line.offset;
            block = in.read(std::max(ReadBlock, line.length));
        }
        const QByteArrayView bytes =
            QByteArrayView(block).sliced(line.offset - blockStart,
                                         std::min<qint64>(line.length, block.size() - (line.offset - blockStart)));
        Keyed k{line, std::nullopt, {}, false};
        SkimmedResult skimmed;
        switch (sort.by) {
        case ResultSort::By::Node:
            if (skimResultLine(bytes, {}, skimmed)) {
                k.text = skimmed.node;
                k.present = true;
            }
            break;
        case ResultSort::By::Latency: {
            const Result<Outcome> outcome = ResultIndex::parseLine(bytes);
            if (outcome) {
                k.number = double(outcome->latencyMs);
                k.present = true;
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

} // namespace Artemis
