#include "core/fleet/fleetvalues.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QThreadPool>

#include "core/fleet/valuedistribution.h"
#include "core/store/batchscan.h"
#include "core/store/resultindex.h"
#include "core/store/resultskim.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr double OutlierThreshold = 3.5;
constexpr double MadFactor = 0.6745;
constexpr double MeanAdFactor = 0.7979;
// Lines are handed to the pool in batches of about this many bytes: big enough that a task
// costs far more than its scheduling, small enough that a few in flight stay a few MB.

void appendJsonString(QString &out, const QString &text)
{
    out.reserve(out.size() + text.size() + 2);
    out.append(u'"');
    for (const QChar c : text) {
        switch (c.unicode()) {
        case u'"':
            out.append(u"\\\""_s);
            break;
        case u'\\':
            out.append(u"\\\\"_s);
            break;
        case u'\n':
            out.append(u"\\n"_s);
            break;
        case u'\r':
            out.append(u"\\r"_s);
            break;
        case u'\t':
            out.append(u"\\t"_s);
            break;
        case u'\b':
            out.append(u"\\b"_s);
            break;
        case u'\f':
            out.append(u"\\f"_s);
            break;
        default:
            if (c.unicode() < 0x20) {
                out.append(u"\\u%1"_s.arg(int(c.unicode()), 4, 16, QChar(u'0')));
            } else {
                out.append(c);
            }
        }
    }
    out.append(u'"');
}

// Values in a sorted (number, count) list, addressed by 1-based rank over the counts.
using Weighted = std::vector<std::pair<double, int>>;

double atRank(const Weighted &sorted, qint64 rank)
{
    qint64 seen = 0;
    for (const auto &[number, count] : sorted) {
        seen += count;
        if (seen >= rank) {
            return number;
        }
    }
    return sorted.back().first;
}

double weightedMedian(const Weighted &sorted, qint64 n)
{
    if (n % 2) {
        return atRank(sorted, (n + 1) / 2);
    }
    return (atRank(sorted, n / 2) + atRank(sorted, n / 2 + 1)) / 2.0;
}

double nearestRank(const Weighted &sorted, qint64 n, double percent)
{
    const qint64 rank = std::max<qint64>(1, qint64(std::ceil(percent / 100.0 * double(n))));
    return atRank(sorted, rank);
}

// One line reduced to what the builder needs; made on a pool thread.
struct Record
{
    QString node;
    OutcomeKind kind = OutcomeKind::Error;
    QJsonValue value;
    QString text;  // compactJsonText(value)
    Labels labels; // with groupByLabels: the node's values of those it has
};

struct ParsedBatch
{
    QList<Record> records;
    int skipped = 0;
};

// Accepts the lines Outcome::fromJson accepts (well-formed JSON, a non-empty node, a known
// outcome). Skimmed rather than parsed: measured on 100,000 lines of 486 bytes, QJsonDocument
// took ~1.3 s on 2 cores, nearly all of it allocating the containers of bodies thrown away.
// With groupByLabels the node's labels are needed too: the line is parsed whole (QJsonDocument,
// as Outcome::fromJson reads it), which is slower than the skimmer but only asked for then.
ParsedBatch parseLabelledBatch(const QByteArray &bytes, const JsonPath &path,
                               const QStringList &names)
{
    ParsedBatch out;
    qsizetype start = 0;
    while (start < bytes.size()) {
        qsizetype end = bytes.indexOf('\n', start);
        if (end < 0) {
            end = bytes.size();
        }
        const QByteArrayView line(bytes.constData() + start, end - start);
        start = end + 1;
        if (ResultIndex::isBlank(line)) {
            continue;
        }
        const QJsonObject json = QJsonDocument::fromJson(line.toByteArray()).object();
        const QString node = json.value(QLatin1String("node")).toString();
        const std::optional<OutcomeKind> kind =
            outcomeFromName(json.value(QLatin1String("outcome")).toString());
        if (node.isEmpty() || !kind) {
            ++out.skipped;
            continue;
        }
        Record record{node, *kind, QJsonValue(QJsonValue::Undefined), {}, {}};
        if (record.kind == OutcomeKind::Ok) {
            QJsonValue value = jsonValueAt(json.value(QLatin1String("body")), path);
            if (!value.isUndefined()) {
                record.text = compactJsonText(value);
                record.value = std::move(value);
            }
        }
        const QJsonObject labels = json.value(QLatin1String("labels")).toObject();
        for (const QString &name : names) {
            if (const QJsonValue l = labels.value(name); l.isString()) {
                record.labels.insert(name, l.toString());
            }
        }
        out.records.append(std::move(record));
    }
    return out;
}

ParsedBatch parseBatch(const QByteArray &bytes, const JsonPath &path)
{
    ParsedBatch out;
    qsizetype start = 0;
    SkimmedResult skimmed;
    while (start < bytes.size()) {
        qsizetype end = bytes.indexOf('\n', start);
        if (end < 0) {
            end = bytes.size();
        }
        const QByteArrayView line(bytes.constData() + start, end - start);
        start = end + 1;
        if (ResultIndex::isBlank(line)) {
            continue;
        }
        if (!skimResultLine(line, path, skimmed) || skimmed.node.isEmpty() || !skimmed.kind) {
            ++out.skipped;
            continue;
        }
        Record record{
            std::move(skimmed.node), *skimmed.kind, QJsonValue(QJsonValue::Undefined), {}, {}};
        if (record.kind == OutcomeKind::Ok && !skimmed.value.isUndefined()) {
            record.text = compactJsonText(skimmed.value);
            record.value = std::move(skimmed.value);
        }
        out.records.append(std::move(record));
    }
    return out;
}

} // namespace

QString compactJsonText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        const qint64 i = value.toInteger(std::numeric_limits<qint64>::min());
        if (i != std::numeric_limits<qint64>::min() && double(i) == d) {
            return QString::number(i);
        }
        if (!std::isfinite(d)) {
            return u"null"_s; // what QJsonDocument writes for them
        }
        return QString::number(d, 'g', QLocale::FloatingPointShortest);
    }
    case QJsonValue::String: {
        QString out;
        appendJsonString(out, value.toString());
        return out;
    }
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

FleetValuesBuilder::FleetValuesBuilder(JsonPath path, FleetValuesOptions options)
    : m_path(std::move(path)), m_options(options)
{
    m_result.path = jsonPathToString(m_path);
}

void FleetValuesBuilder::add(const Outcome &outcome)
{
    const QJsonValue value = outcome.outcome == OutcomeKind::Ok ? jsonValueAt(outcome.body, m_path)
                                                                : QJsonValue(QJsonValue::Undefined);
    if (m_options.groupByLabels.isEmpty()) {
        addValue(outcome.node, outcome.outcome, value);
        return;
    }
    addLabelled(outcome.node, outcome.outcome, value,
                outcome.outcome == OutcomeKind::Ok && !value.isUndefined() ? compactJsonText(value)
                                                                           : QString(),
                outcome.labels);
}

void FleetValuesBuilder::addLabelled(const QString &node, OutcomeKind kind, const QJsonValue &value,
                                     QString text, const Labels &labels)
{
    if (m_options.groupByLabels.isEmpty()) {
        addKeyed(node, kind, value, std::move(text));
        return;
    }
    // The whole-hunt builder decides whether the record is a node's first: a duplicate with
    // another label value must not count in a second slice.
    const int duplicatesBefore = m_result.duplicates;
    addKeyed(node, kind, value, text);
    if (m_result.duplicates != duplicatesBefore) {
        return;
    }
    // The key: per name (fixed and ordered), "-" when absent or "=LENGTH:" + value; the length
    // keeps it unambiguous whatever a value holds.
    QString key;
    Labels combination;
    for (const QString &name : std::as_const(m_options.groupByLabels)) {
        const auto label = labels.constFind(name);
        if (label == labels.cend()) {
            key += u'-';
        } else {
            key += u'=' + QString::number(label->size()) + u':' + *label;
            combination.insert(name, *label);
        }
    }
    auto it = m_sliceIndex.constFind(key);
    if (it == m_sliceIndex.constEnd()) {
        FleetValuesOptions sliceOptions = m_options;
        sliceOptions.groupByLabels.clear();
        m_slices.push_back(std::make_unique<FleetValuesBuilder>(m_path, sliceOptions));
        m_sliceLabels.append(std::move(combination));
        it = m_sliceIndex.insert(key, qsizetype(m_slices.size()) - 1);
    }
    m_slices[size_t(*it)]->addKeyed(node, kind, value, std::move(text));
}

void FleetValuesBuilder::addValue(const QString &node, OutcomeKind kind, const QJsonValue &value)
{
    addKeyed(node, kind, value,
             kind == OutcomeKind::Ok && !value.isUndefined() ? compactJsonText(value) : QString());
}

void FleetValuesBuilder::addKeyed(const QString &node, OutcomeKind kind, const QJsonValue &value,
                                  QString text)
{
    const qsizetype before = m_seen.size();
    m_seen.insert(node);
    if (m_seen.size() == before) {
        ++m_result.duplicates; // first record wins
        return;
    }
    ++m_result.nodes;
    if (kind != OutcomeKind::Ok) {
        ++m_result.failed[outcomeName(kind)];
        return;
    }
    if (value.isUndefined()) {
        ++m_result.missing;
        return;
    }
    ++m_result.withValue;
    const auto it = m_groupIndex.constFind(text);
    if (it != m_groupIndex.constEnd()) {
        m_groups[*it].nodes.append(node);
        return;
    }
    m_groupIndex.insert(text, m_groups.size());
    m_groups.append(Group{value, std::move(text), {node}});
}

FleetValues FleetValuesBuilder::finish()
{
    FleetValues result = std::move(m_result);
    result.groups.reserve(m_groups.size());
    for (Group &group : m_groups) {
        ValueGroup g;
        g.value = std::move(group.value);
        g.text = std::move(group.text);
        g.nodes = std::move(group.nodes);
        g.count = int(g.nodes.size());
        g.share = result.withValue > 0 ? double(g.count) / double(result.withValue) : 0.0;
        g.number = jsonNumber(g.value); // once per distinct value, not per node
        result.groups.append(std::move(g));
    }
    std::sort(result.groups.begin(), result.groups.end(),
              [](const ValueGroup &a, const ValueGroup &b) {
                  return a.count != b.count ? a.count > b.count : a.text < b.text;
              });

    // Groups are sorted by count: the common ones come first.
    double commonShare = 0;
    for (const ValueGroup &g : std::as_const(result.groups)) {
        if (g.share < m_options.minorityShare) {
            break;
        }
        commonShare += g.share;
    }
    if (commonShare >= m_options.majorityShare) {
        for (qsizetype i = 0; i < result.groups.size(); ++i) {
            if (result.groups[i].share < m_options.minorityShare) {
                result.groups[i].minority = true;
                result.minorities.append(int(i));
            }
        }
    }

    // Statistics over (number, count) pairs: a fleet that agrees has few distinct values.
    Weighted numbers;
    qint64 n = 0;
    double sum = 0;
    for (const ValueGroup &g : std::as_const(result.groups)) {
        if (g.number && std::isfinite(*g.number)) {
            numbers.emplace_back(*g.number, g.count);
            n += g.count;
            sum += *g.number * g.count;
        }
    }
    if (n > 0) {
        std::sort(numbers.begin(), numbers.end());
        ValueStats s;
        s.count = int(n);
        s.min = numbers.front().first;
        s.max = numbers.back().first;
        s.mean = sum / double(n);
        s.p50 = nearestRank(numbers, n, 50);
        s.p90 = nearestRank(numbers, n, 90);
        s.p99 = nearestRank(numbers, n, 99);
        result.stats = s;
    }

    if (n >= 3) {
        const double median = weightedMedian(numbers, n);
        Weighted deviations;
        deviations.reserve(numbers.size());
        double deviationSum = 0;
        for (const auto &[number, count] : numbers) {
            deviations.emplace_back(std::abs(number - median), count);
            deviationSum += std::abs(number - median) * count;
        }
        std::sort(deviations.begin(), deviations.end());
        const double mad = weightedMedian(deviations, n);
        const double meanAd = deviationSum / double(n);
        const auto score = [&](double x) {
            return mad > 0 ? MadFactor * (x - median) / mad : MeanAdFactor * (x - median) / meanAd;
        };
        if (mad > 0 || meanAd > 0) {
            for (const ValueGroup &g : std::as_const(result.groups)) {
                if (!g.number || !std::isfinite(*g.number)) {
                    continue;
                }
                const double m = score(*g.number);
                if (std::abs(m) <= OutlierThreshold) {
                    continue;
                }
                for (const QString &node : g.nodes) {
                    result.outliers.append(ValueOutlier{node, g.value, *g.number, m});
                }
            }
        }
        std::sort(result.outliers.begin(), result.outliers.end(),
                  [](const ValueOutlier &a, const ValueOutlier &b) {
                      if (std::abs(a.score) != std::abs(b.score)) {
                          return std::abs(a.score) > std::abs(b.score);
                      }
                      return a.node < b.node;
                  });
        result.outlierCount = int(result.outliers.size());
        if (result.outliers.size() > m_options.maxOutliers) {
            result.outliers.resize(std::max(0, m_options.maxOutliers));
        }
    }

    result.groupCount = int(result.groups.size());
    if (std::optional<ValueDistribution> d = distributionOf(result)) {
        result.distribution = std::make_shared<const ValueDistribution>(std::move(*d));
    }

    if (!m_options.groupByLabels.isEmpty()) {
        result.groupLabels = m_options.groupByLabels;
        for (size_t i = 0; i < m_slices.size(); ++i) {
            result.byLabel.push_back(
                LabelSlice{m_sliceLabels.at(qsizetype(i)), m_slices[i]->finish()});
        }
        const QStringList &names = m_options.groupByLabels;
        std::sort(result.byLabel.begin(), result.byLabel.end(),
                  [&names](const LabelSlice &a, const LabelSlice &b) {
                      if (a.labels.size() != b.labels.size()) {
                          return a.labels.size() > b.labels.size();
                      }
                      if (a.values.nodes != b.values.nodes) {
                          return a.values.nodes > b.values.nodes;
                      }
                      for (const QString &name : names) {
                          const std::optional<QString> x = a.labels.contains(name)
                                                               ? std::optional(a.labels[name])
                                                               : std::nullopt;
                          const std::optional<QString> y = b.labels.contains(name)
                                                               ? std::optional(b.labels[name])
                                                               : std::nullopt;
                          if (x != y) {
                              return x.has_value() && (!y || *x < *y);
                          }
                      }
                      return false;
                  });
    }

    m_seen.clear();
    m_groupIndex.clear();
    m_groups.clear();
    m_slices.clear();
    m_sliceLabels.clear();
    m_sliceIndex.clear();
    m_result = FleetValues{};
    m_result.path = result.path;
    return result;
}

Result<FleetValues> computeFleetValues(const ResultStore &store, const QString &huntId,
                                       const JsonPath &path, const FleetValuesOptions &options)
{
    const QString dir = store.huntDir(huntId);
    if (dir.isEmpty()) {
        return makeError(ErrorCode::InvalidArgument, u"invalid hunt id '%1'"_s.arg(huntId));
    }
    if (!QFileInfo(dir).isDir()) {
        return makeError(ErrorCode::NotFound, u"no hunt '%1'"_s.arg(huntId));
    }
    FleetValuesBuilder builder(path, options);
    // The store's layout (ResultStore::resultsPath). Read here rather than via forEachResult:
    // a full Outcome per line (dates, every string, the whole body) is most of the cost, and
    // lines are parsed in parallel batches merged in file order (first record wins).
    QFile file(dir + u"/results.ndjson"_s);
    if (!file.exists()) {
        return builder.finish();
    }
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(ErrorCode::Io,
                         u"cannot open %1: %2"_s.arg(file.fileName(), file.errorString()));
    }

    // About 500 bytes a line in practice: a hint that saves the node set's rehashes.
    builder.reserve(std::min<qint64>(file.size() / 400, 10'000'000));
    int skipped = 0;
    const QStringList &names = options.groupByLabels;
    const Result<qint64> end = scanInBatches(
        file, QThreadPool::globalInstance(),
        [&path, &names](const QByteArray &bytes) {
            return names.isEmpty() ? parseBatch(bytes, path)
                                   : parseLabelledBatch(bytes, path, names);
        },
        [&](const ParsedBatch &parsed) {
            skipped += parsed.skipped;
            for (const Record &record : parsed.records) {
                builder.addLabelled(record.node, record.kind, record.value, record.text,
                                    record.labels);
            }
        });
    if (!end) {
        return end.error();
    }
    if (file.pos() > *end) {
        ++skipped; // the torn tail (or an append in flight), as forEachResult counts it
    }
    FleetValues values = builder.finish();
    values.skippedLines = skipped;
    return values;
}

} // namespace Artemis
