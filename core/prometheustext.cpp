#include "core/prometheustext.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

bool isLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

bool isMetricNameStart(char c)
{
    return isLetter(c) || c == '_' || c == ':';
}

bool isMetricNameChar(char c)
{
    return isMetricNameStart(c) || isDigit(c);
}

bool isLabelNameStart(char c)
{
    return isLetter(c) || c == '_';
}

bool isLabelNameChar(char c)
{
    return isLabelNameStart(c) || isDigit(c);
}

QString quoted(QByteArrayView text)
{
    return u"'"_s + QString::fromUtf8(text) + u"'"_s;
}

// A cursor over one line (without its line feed, trimmed of blanks at both ends).
class Line
{
public:
    explicit Line(QByteArrayView text) : m_text(text) {}

    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return atEnd() ? '\0' : m_text.at(m_pos); }
    void advance() { ++m_pos; }
    void skip(qsizetype count) { m_pos += count; }
    QByteArrayView rest() const { return m_text.sliced(m_pos); }

    void skipBlanks()
    {
        while (!atEnd() && isBlank(peek())) {
            ++m_pos;
        }
    }
    // Up to the next blank (or the end).
    QByteArrayView token()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && !isBlank(peek())) {
            ++m_pos;
        }
        return m_text.sliced(start, m_pos - start);
    }
    // A name: one `first` char, then `next` chars; empty when the cursor is not at one.
    template <typename First, typename Next> QByteArrayView name(First first, Next next)
    {
        const qsizetype start = m_pos;
        if (atEnd() || !first(peek())) {
            return {};
        }
        while (!atEnd() && next(peek())) {
            ++m_pos;
        }
        return m_text.sliced(start, m_pos - start);
    }

private:
    QByteArrayView m_text;
    qsizetype m_pos = 0;
};

bool equalsIgnoringCase(QByteArrayView text, QByteArrayView lower)
{
    if (text.size() != lower.size()) {
        return false;
    }
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if ((c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c) != lower.at(i)) {
            return false;
        }
    }
    return true;
}

// Go's strconv.ParseFloat (which Prometheus uses) takes NaN and Inf in any case.
std::optional<QJsonValue> parseValue(QByteArrayView token)
{
    // Only a token starting (after its sign) with a letter can be one of the words; the check
    // comes first because lower-casing every value into a new QByteArray cost ~10% of a parse.
    const QByteArrayView magnitude =
        token.startsWith('+') || token.startsWith('-') ? token.sliced(1) : token;
    if (!magnitude.isEmpty() && isLetter(magnitude.front())) {
        if (equalsIgnoringCase(token, "nan")) {
            return QJsonValue(u"NaN"_s);
        }
        for (const QByteArrayView word : {"inf", "+inf", "infinity", "+infinity"}) {
            if (equalsIgnoringCase(token, word)) {
                return QJsonValue(u"+Inf"_s);
            }
        }
        if (equalsIgnoringCase(token, "-inf") || equalsIgnoringCase(token, "-infinity")) {
            return QJsonValue(u"-Inf"_s);
        }
    }
    bool ok = false;
    const double value = token.toDouble(&ok);
    if (!ok || !std::isfinite(value)) {
        return std::nullopt;
    }
    return QJsonValue(value);
}

// HELP docstrings escape only backslash and line feed; other backslashes stay as written.
QString unescapeHelp(QByteArrayView text)
{
    QByteArray out;
    out.reserve(text.size());
    qsizetype from = 0;
    for (qsizetype i = text.indexOf('\\'); i >= 0 && i + 1 < text.size();
         i = text.indexOf('\\', i + 1)) {
        const char next = text.at(i + 1);
        if (next == '\\' || next == 'n') {
            out.append(text.sliced(from, i - from));
            out.append(next == 'n' ? '\n' : '\\');
            from = i + 2;
            ++i;
        }
    }
    out.append(text.sliced(from));
    return QString::fromUtf8(out);
}

// A JSON object of entries with distinct keys made of metric or label name characters (ASCII,
// nothing to escape in JSON).
//
// QJsonObject keeps its keys sorted in one array: an insert binary-searches it and, unless the key
// is the largest, moves the tail. Keys inserted in hash order took 172 s for a 10 MiB exposition
// of distinct names; in sorted order still ~1 us each (the search's string compares through
// QCborContainerPrivate, and a temporary QCborValue per key: 845 ms for 800k keys in Qt 6.4.2).
// QJsonDocument::fromJson builds an object in one pass and sorts it once (~430 ns a key for a
// skeleton {"key": index, ...}); the values then go in through iterators, which find nothing.
// Measured on the shared 2-core box; bench/prometheusbench.cpp has the whole-parser figures.
template <typename Value>
QJsonObject objectOf(const std::vector<std::pair<QByteArrayView, Value>> &entries)
{
    // Below this, sorted inserts are cheaper than writing and parsing a skeleton (64 labels:
    // 765 ms against 1649 ms for 10 MiB of such samples).
    constexpr size_t SkeletonFrom = 1024;
    QJsonObject object;
    if (entries.size() < SkeletonFrom) {
        for (const auto &[key, value] : entries) {
            object.insert(QLatin1StringView(key), value);
        }
        return object;
    }
    QByteArray skeleton;
    qsizetype size = 2;
    for (const auto &entry : entries) {
        size += entry.first.size() + 14;
    }
    skeleton.reserve(size);
    skeleton.append('{');
    for (size_t i = 0; i < entries.size(); ++i) {
        skeleton.append('"')
            .append(entries[i].first)
            .append("\":")
            .append(QByteArray::number(qulonglong(i)))
            .append(',');
    }
    skeleton.back() = '}';
    object = QJsonDocument::fromJson(skeleton).object();
    Q_ASSERT(size_t(object.size()) == entries.size());
    for (auto it = object.begin(); it != object.end(); ++it) {
        *it = QJsonValue(entries[size_t((*it).toInteger())].second);
    }
    return object;
}

class Parser
{
public:
    Result<QJsonObject> run(QByteArrayView text)
    {
        qsizetype start = 0;
        while (start < text.size()) {
            qsizetype end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.size();
            }
            ++m_lineNumber;
            QByteArrayView line = text.sliced(start, end - start);
            start = end + 1;
            while (!line.isEmpty() && (isBlank(line.back()) || line.back() == '\r')) {
                line.chop(1);
            }
            while (!line.isEmpty() && isBlank(line.front())) {
                line = line.sliced(1);
            }
            if (line.isEmpty()) {
                continue;
            }
            const std::optional<QString> error =
                line.front() == '#' ? metadata(Line(line.sliced(1))) : sample(Line(line));
            if (error) {
                return makeError(ErrorCode::InvalidArgument,
                                 u"line %1: %2"_s.arg(m_lineNumber).arg(*error));
            }
            if (m_ended) {
                break;
            }
        }
        QJsonObject json = objectOf(m_series);
        if (!m_meta.empty()) {
            json.insert(u"#meta"_s, objectOf(m_meta));
        }
        return json;
    }

private:
    // The index of `name` in `entries`, added (empty) on first sight. Names are views into the
    // text, which outlives the parse: no QString per line.
    template <typename Value>
    static size_t entryOf(QHash<QByteArrayView, size_t> &index,
                          std::vector<std::pair<QByteArrayView, Value>> &entries,
                          QByteArrayView name)
    {
        auto it = index.constFind(name);
        if (it == index.cend()) {
            it = index.insert(name, entries.size());
            entries.emplace_back(name, Value());
        }
        return *it;
    }

    // "# HELP name text", "# TYPE name type", "# UNIT name unit", "# EOF"; other comments pass.
    std::optional<QString> metadata(Line line)
    {
        line.skipBlanks();
        const QByteArrayView keyword = line.token();
        line.skipBlanks();
        if (keyword == "EOF" && line.atEnd()) {
            m_ended = true;
            return std::nullopt;
        }
        const bool help = keyword == "HELP";
        const bool type = keyword == "TYPE";
        const bool unit = keyword == "UNIT";
        if (!help && !type && !unit) {
            return std::nullopt; // a comment
        }
        const QByteArrayView name = line.name(isMetricNameStart, isMetricNameChar);
        if (name.isEmpty() || (!line.atEnd() && !isBlank(line.peek()))) {
            return u"# %1 needs a valid metric name"_s.arg(QString::fromLatin1(keyword));
        }
        line.skipBlanks();
        QJsonObject &entry = m_meta[entryOf(m_metaIndex, m_meta, name)].second;
        const QString field = help ? u"help"_s : type ? u"type"_s : u"unit"_s;
        if (entry.contains(field)) {
            return u"second # %1 line for %2"_s.arg(QString::fromLatin1(keyword), quoted(name));
        }
        if (help) {
            entry.insert(field, unescapeHelp(line.rest()));
        } else if (unit) {
            entry.insert(field, QString::fromUtf8(line.rest()));
        } else {
            static const QList<QByteArrayView> Types = {
                "counter", "gauge", "histogram",      "summary",  "untyped",
                "unknown", "info",  "gaugehistogram", "stateset",
            };
            const QByteArrayView kind = line.token();
            line.skipBlanks();
            if (!Types.contains(kind)) {
                return u"unknown metric type %1 for %2"_s.arg(quoted(kind), quoted(name));
            }
            if (!line.atEnd()) {
                return u"unexpected %1 after the type of %2"_s.arg(quoted(line.rest()),
                                                                   quoted(name));
            }
            entry.insert(field, QString::fromLatin1(kind));
        }
        return std::nullopt;
    }

    // name [{label="value",...}] value [timestamp] [# exemplar]
    std::optional<QString> sample(Line line)
    {
        const QByteArrayView name = line.name(isMetricNameStart, isMetricNameChar);
        if (name.isEmpty()) {
            return u"expected a metric name, found %1"_s.arg(quoted(line.rest().first(1)));
        }
        line.skipBlanks();
        m_labels.clear();
        m_seenLabels.clear();
        if (line.peek() == '{') {
            line.advance();
            if (std::optional<QString> error = readLabels(line)) {
                return error;
            }
            line.skipBlanks();
        }
        const QByteArrayView valueText = line.token();
        if (valueText.isEmpty()) {
            return u"%1 has no value"_s.arg(quoted(name));
        }
        const std::optional<QJsonValue> value = parseValue(valueText);
        if (!value) {
            return u"%1 is not a number (value of %2)"_s.arg(quoted(valueText), quoted(name));
        }
        line.skipBlanks();
        std::optional<qint64> timestamp;
        if (!line.atEnd() && line.peek() != '#') {
            const QByteArrayView timestampText = line.token();
            bool ok = false;
            timestamp = timestampText.toLongLong(&ok);
            if (!ok) {
                return u"%1 is not a timestamp in milliseconds"_s.arg(quoted(timestampText));
            }
            line.skipBlanks();
        }
        if (!line.atEnd() && line.peek() != '#') {
            return u"unexpected %1 after the value of %2"_s.arg(quoted(line.rest()), quoted(name));
        }
        // A copy of a template shares its keys and needs one allocation; building the object
        // key by key costs three times as long (290 vs 800 ns a sample, measured). Keys sort as
        // labels, timestamp, value.
        QJsonObject sample = timestamp ? m_timedSample : m_plainSample;
        auto field = sample.begin();
        if (!m_labels.empty()) {
            *field = objectOf(m_labels);
        }
        if (timestamp) {
            *++field = QJsonValue(*timestamp);
        }
        *++field = *value;
        // Samples of a series come one after another: no hash look-up for those.
        if (m_lastSeries == size_t(-1) || m_series[m_lastSeries].first != name) {
            m_lastSeries = entryOf(m_seriesIndex, m_series, name);
        }
        m_series[m_lastSeries].second.append(sample);
        return std::nullopt;
    }

    // Whether label `name` is already in m_labels: a scan while there are few, a set beyond.
    bool seenLabel(QByteArrayView name)
    {
        constexpr size_t ScanUpTo = 64;
        if (m_labels.size() < ScanUpTo) {
            return std::any_of(m_labels.begin(), m_labels.end(),
                               [name](const auto &label) { return label.first == name; });
        }
        if (m_seenLabels.isEmpty()) {
            for (const auto &label : m_labels) {
                m_seenLabels.insert(label.first);
            }
        }
        return m_seenLabels.contains(name);
    }

    // After '{': label="value" pairs up to '}' (a trailing comma is allowed), into m_labels.
    std::optional<QString> readLabels(Line &line)
    {
        for (;;) {
            line.skipBlanks();
            if (line.peek() == '}') {
                line.advance();
                return std::nullopt;
            }
            const QByteArrayView name = line.name(isLabelNameStart, isLabelNameChar);
            if (name.isEmpty()) {
                return line.atEnd()
                           ? u"labels not closed with '}'"_s
                           : u"expected a label name, found %1"_s.arg(quoted(line.rest().first(1)));
            }
            line.skipBlanks();
            if (line.peek() != '=') {
                return u"expected '=' after label %1"_s.arg(quoted(name));
            }
            line.advance();
            line.skipBlanks();
            if (line.peek() != '"') {
                return u"the value of label %1 must be in double quotes"_s.arg(quoted(name));
            }
            line.advance();
            QByteArray value;
            for (;;) {
                // Whole runs of plain characters at a time: a 10 MiB value appended byte by
                // byte was most of the time such a line took.
                const QByteArrayView rest = line.rest();
                qsizetype run = 0;
                while (run < rest.size() && rest.at(run) != '"' && rest.at(run) != '\\') {
                    ++run;
                }
                value.append(rest.first(run));
                line.skip(run);
                if (line.atEnd()) {
                    return u"the value of label %1 has no closing quote"_s.arg(quoted(name));
                }
                const char c = line.peek();
                line.advance();
                if (c == '"') {
                    break;
                }
                const char escaped = line.peek();
                line.advance();
                if (escaped == '\\' || escaped == '"') {
                    value.append(escaped);
                } else if (escaped == 'n') {
                    value.append('\n');
                } else {
                    return u"invalid escape '\\%1' in the value of label %2"_s.arg(
                        QChar::fromLatin1(escaped), quoted(name));
                }
            }
            if (seenLabel(name)) {
                return u"label %1 given twice"_s.arg(quoted(name));
            }
            m_labels.emplace_back(name, QString::fromUtf8(value));
            if (!m_seenLabels.isEmpty()) {
                m_seenLabels.insert(name);
            }
            line.skipBlanks();
            if (line.peek() == ',') {
                line.advance();
            } else if (line.peek() != '}') {
                return u"expected ',' or '}' after label %1"_s.arg(quoted(name));
            }
        }
    }

    int m_lineNumber = 0;
    bool m_ended = false;
    const QJsonObject m_plainSample{{u"labels"_s, QJsonObject()}, {u"value"_s, 0}};
    const QJsonObject m_timedSample{
        {u"labels"_s, QJsonObject()}, {u"timestamp"_s, 0}, {u"value"_s, 0}};
    std::vector<std::pair<QByteArrayView, QString>> m_labels; // of the current sample
    QSet<QByteArrayView> m_seenLabels;                        // the same, once there are many
    QHash<QByteArrayView, size_t> m_seriesIndex;
    size_t m_lastSeries = size_t(-1);
    std::vector<std::pair<QByteArrayView, QJsonArray>> m_series; // in order of first sight
    QHash<QByteArrayView, size_t> m_metaIndex;
    std::vector<std::pair<QByteArrayView, QJsonObject>> m_meta;
};

} // namespace

Result<QJsonObject> parsePrometheusText(QByteArrayView text)
{
    return Parser().run(text);
}

bool isPrometheusContentType(QByteArrayView contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArray mediaType = (semicolon < 0 ? contentType : contentType.first(semicolon))
                                     .trimmed()
                                     .toByteArray()
                                     .toLower();
    return mediaType == "text/plain" || mediaType == "application/openmetrics-text";
}

} // namespace Artemis
