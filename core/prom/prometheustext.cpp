#include "core/prom/prometheustext.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QList>

#include "core/prom/nametable.h"
#include "core/prom/prometheuslines.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

using namespace PromText;

QString quoted(QByteArrayView text)
{
    return u"'"_s + QString::fromUtf8(text) + u"'"_s;
}

// `text` (bytes as written) as a JSON string holding what QString::fromUtf8(text) holds, as when
// the values were QStrings: invalid UTF-8 becomes U+FFFD (QJsonDocument::fromJson would refuse
// it); a byte order mark is kept, written \ufeff (fromJson drops a leading one from a string
// without escapes).
void appendJsonString(QByteArray &out, QByteArrayView text)
{
    bool plain = true;
    for (const char c : text) {
        const auto u = uchar(c);
        plain = plain && u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
    }
    out.append('"');
    if (plain) {
        out.append(text).append('"');
        return;
    }
    QByteArray valid;
    if (!text.isValidUtf8()) {
        valid = QString::fromUtf8(text).toUtf8();
        // fromUtf8 drops a leading byte order mark; it is content here (a HELP text or label
        // value may start with one), or writing the text back would not give it again.
        if (text.startsWith("\xef\xbb\xbf") && !valid.startsWith("\xef\xbb\xbf")) {
            valid.prepend("\xef\xbb\xbf");
        }
        text = valid;
    }
    qsizetype from = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const auto u = uchar(text.at(i));
        const bool byteOrderMark = u == 0xef && text.sliced(i).startsWith("\xef\xbb\xbf");
        if (u >= 0x20 && u != '"' && u != '\\' && !byteOrderMark) {
            continue;
        }
        out.append(text.sliced(from, i - from));
        if (byteOrderMark) {
            out.append("\\ufeff");
            i += 2;
        } else if (u == '"' || u == '\\') {
            out.append('\\').append(char(u));
        } else if (u == '\n') {
            out.append("\\n");
        } else {
            static constexpr char Hex[] = "0123456789abcdef";
            out.append("\\u00").append(Hex[u >> 4]).append(Hex[u & 15]);
        }
        from = i + 1;
    }
    out.append(text.sliced(from)).append('"');
}

// The value as JSON: a number, or "NaN", "+Inf", "-Inf". False when it is not a value; a
// number fromJson would make an integer where QJsonValue(double) is a double goes in `exact`.
bool appendValue(QByteArray &out, QByteArrayView token, std::optional<double> &exact)
{
    // Go's strconv.ParseFloat (which Prometheus uses) takes NaN and Inf in any case. Only a token
    // starting (after its sign) with a letter can be one of the words; the check comes first
    // because lower-casing every value into a new QByteArray cost ~10% of a parse.
    const QByteArrayView magnitude =
        token.startsWith('+') || token.startsWith('-') ? token.sliced(1) : token;
    if (!magnitude.isEmpty() && isLetter(magnitude.front())) {
        if (equalsIgnoringCase(token, "nan")) {
            out.append("\"NaN\"");
            return true;
        }
        for (const QByteArrayView word : {"inf", "+inf", "infinity", "+infinity"}) {
            if (equalsIgnoringCase(token, word)) {
                out.append("\"+Inf\"");
                return true;
            }
        }
        if (equalsIgnoringCase(token, "-inf") || equalsIgnoringCase(token, "-infinity")) {
            out.append("\"-Inf\"");
            return true;
        }
    }
    bool ok = false;
    const double value = token.toDouble(&ok);
    if (!ok || !std::isfinite(value)) {
        return false;
    }
    // The shortest text that reads back as the same double.
    char buffer[32];
    char *end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
    out.append(buffer, end - buffer);
    // fromJson stores any whole number in [-2^63, 2^63) as an integer, QJsonValue(double) only
    // those up to 2^53: the few between would print differently (4611686018427387904 against
    // 4611686018427388000), so they are put back as doubles afterwards.
    const double magnitudeValue = std::abs(value);
    exact.reset();
    if (value == std::trunc(value) && magnitudeValue > 0x1p53
        && (magnitudeValue < 0x1p63 || value == -0x1p63)) {
        exact = value;
    }
    return true;
}

// HELP docstrings escape only backslash and line feed; other backslashes stay as written.
QByteArray unescapeHelp(QByteArrayView text)
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
    return out;
}

// The text is parsed into plain structures holding JSON text: each sample is written as its JSON
// object ({"labels":{...},"value":...}) into one buffer as it is read, names stay views into the
// input. At the end the whole result is one JSON text, and QJsonDocument::fromJson builds the
// QJsonObject from it in one pass, sorting each object's keys once.
//
// Why: building the tree through the QJsonObject API cost ~1 us a key (QJsonObject keeps its keys
// in one sorted array: each insert is a binary search through QCborContainerPrivate and a
// temporary QCborValue) plus a detach per sample, and 10 MiB of distinct names took 4.5 s; as
// JSON text the same object costs what fromJson costs (see bench/prometheusbench.cpp).
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
        return object();
    }

private:
    struct Sample
    {
        qsizetype begin; // of its JSON text in m_json; it ends where the next one begins
        quint32 series;  // its name's number in m_series
    };

    struct Meta
    {
        QByteArray fields; // JSON members, each followed by a comma
        bool help = false;
        bool type = false;
        bool unit = false;
    };

    // The series in order of first sight, each with its samples in order, and "#meta".
    Result<QJsonObject> object() const
    {
        // A counting sort of the samples by series (they mostly come grouped already).
        const std::vector<QByteArrayView> &names = m_series.names();
        std::vector<quint32> first(names.size() + 1, 0);
        for (const Sample &sample : m_samples) {
            ++first[sample.series + 1];
        }
        std::partial_sum(first.begin(), first.end(), first.begin());
        std::vector<quint32> order(m_samples.size());
        {
            std::vector<quint32> next(first.begin(), first.end() - 1);
            for (size_t i = 0; i < m_samples.size(); ++i) {
                order[next[m_samples[i].series]++] = quint32(i);
            }
        }
        qsizetype size = m_json.size() + qsizetype(m_samples.size()) + 16;
        for (const QByteArrayView name : names) {
            size += name.size() + 6;
        }
        for (size_t i = 0; i < m_meta.size(); ++i) {
            size += m_metaNames.names()[i].size() + m_meta[i].fields.size() + 6;
        }
        QByteArray json;
        json.reserve(size);
        json.append('{');
        // "#meta" first and the names sorted (in bytes, as they are ASCII), as the object will
        // hold them: fromJson sorts the keys of an object anyway, but for 200k distinct names it
        // then took 290 ms instead of 675 (and far fewer cache misses afterwards).
        if (!m_meta.empty()) {
            json.append("\"#meta\":{");
            for (const quint32 i : sortedByName(m_metaNames.names())) {
                json.append('"').append(m_metaNames.names()[i]).append("\":{");
                json.append(m_meta[i].fields);
                json.back() = '}';
                json.append(',');
            }
            json.back() = '}';
            json.append(',');
        }
        for (const quint32 series : sortedByName(names)) {
            json.append('"').append(names[series]).append("\":[");
            for (quint32 k = first[series]; k < first[series + 1]; ++k) {
                const size_t i = order[k];
                const qsizetype end =
                    i + 1 < m_samples.size() ? m_samples[i + 1].begin : m_json.size();
                json.append(
                    QByteArrayView(m_json).sliced(m_samples[i].begin, end - m_samples[i].begin));
                json.append(',');
            }
            json.back() = ']';
            json.append(',');
        }
        if (json.size() == 1) {
            json.append('}');
        } else {
            json.back() = '}';
        }
        QJsonParseError error;
        // The document goes at once: `object` is then not shared, and changes copy nothing.
        QJsonObject object = QJsonDocument::fromJson(json, &error).object();
        // Everything written above is valid JSON with distinct keys; a failure is a bug here.
        Q_ASSERT_X(error.error == QJsonParseError::NoError, "parsePrometheusText",
                   qPrintable(error.errorString()));
        if (error.error != QJsonParseError::NoError) {
            return makeError(ErrorCode::InvalidArgument,
                             u"the parsed text did not convert to JSON (a bug): %1 at %2"_s
                                 .arg(error.errorString())
                                 .arg(error.offset));
        }
        if (!m_doubles.empty()) {
            putBackDoubles(object, first, order);
        }
        return object;
    }

    static std::vector<quint32> sortedByName(const std::vector<QByteArrayView> &names)
    {
        std::vector<quint32> order(names.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(),
                  [&names](quint32 a, quint32 b) { return names[a] < names[b]; });
        return order;
    }

    // The values of m_doubles as QJsonValue(double), as the parser made them before.
    void putBackDoubles(QJsonObject &object, const std::vector<quint32> &first,
                        const std::vector<quint32> &order) const
    {
        std::vector<quint32> position(m_samples.size()); // in its series
        for (size_t series = 0; series + 1 < first.size(); ++series) {
            for (quint32 k = first[series]; k < first[series + 1]; ++k) {
                position[order[k]] = k - first[series];
            }
        }
        std::vector<std::pair<quint32, double>> doubles = m_doubles;
        std::stable_sort(doubles.begin(), doubles.end(), [this](const auto &a, const auto &b) {
            return m_samples[a.first].series < m_samples[b.first].series;
        });
        for (auto it = doubles.begin(); it != doubles.end();) {
            const quint32 series = m_samples[it->first].series;
            const auto member = object.find(QLatin1StringView(m_series.names()[series]));
            QJsonArray samples = member->toArray();
            *member = QJsonValue(); // `samples` alone holds the array: no copy on change
            for (; it != doubles.end() && m_samples[it->first].series == series; ++it) {
                QJsonObject sample = samples.at(position[it->first]).toObject();
                sample.insert(u"value"_s, it->second);
                samples.replace(position[it->first], sample);
            }
            *member = samples;
        }
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
        const quint32 index = m_metaNames.insert(name);
        if (index == m_meta.size()) {
            m_meta.emplace_back();
        }
        Meta &entry = m_meta[index];
        bool &seen = help ? entry.help : type ? entry.type : entry.unit;
        if (seen) {
            return u"second # %1 line for %2"_s.arg(QString::fromLatin1(keyword), quoted(name));
        }
        seen = true;
        if (help) {
            entry.fields.append("\"help\":");
            appendJsonString(entry.fields, unescapeHelp(line.rest()));
        } else if (unit) {
            entry.fields.append("\"unit\":");
            appendJsonString(entry.fields, line.rest());
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
            entry.fields.append("\"type\":\"").append(kind).append('"');
        }
        entry.fields.append(',');
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
        // A failed line fails the parse: what it left in m_json is never read.
        const qsizetype begin = m_json.size();
        m_json.append("{\"labels\":{");
        if (line.peek() == '{') {
            line.advance();
            if (std::optional<QString> error = readLabels(line)) {
                return error;
            }
            line.skipBlanks();
        }
        if (m_json.back() == ',') {
            m_json.back() = '}';
        } else {
            m_json.append('}');
        }
        const QByteArrayView valueText = line.token();
        if (valueText.isEmpty()) {
            return u"%1 has no value"_s.arg(quoted(name));
        }
        m_json.append(",\"value\":");
        std::optional<double> exact;
        if (!appendValue(m_json, valueText, exact)) {
            return u"%1 is not a number (value of %2)"_s.arg(quoted(valueText), quoted(name));
        }
        line.skipBlanks();
        if (!line.atEnd() && line.peek() != '#') {
            const QByteArrayView timestampText = line.token();
            bool ok = false;
            const qint64 timestamp = timestampText.toLongLong(&ok);
            if (!ok) {
                return u"%1 is not a timestamp in milliseconds"_s.arg(quoted(timestampText));
            }
            char buffer[24];
            char *end = std::to_chars(buffer, buffer + sizeof buffer, timestamp).ptr;
            m_json.append(",\"timestamp\":").append(buffer, end - buffer);
            line.skipBlanks();
        }
        if (!line.atEnd() && line.peek() != '#') {
            return u"unexpected %1 after the value of %2"_s.arg(quoted(line.rest()), quoted(name));
        }
        m_json.append('}');
        if (qsizetype(m_samples.size()) == PrometheusMaxSamples) {
            return u"more than %1 samples; larger expositions are not parsed"_s.arg(
                PrometheusMaxSamples);
        }
        // Samples of a series come one after another: no hash look-up for those.
        if (m_samples.empty() || m_series.names()[m_lastSeries] != name) {
            m_lastSeries = m_series.insert(name);
        }
        if (exact) {
            m_doubles.emplace_back(quint32(m_samples.size()), *exact);
        }
        m_samples.push_back({begin, m_lastSeries});
        return std::nullopt;
    }

    // After '{': label="value" pairs up to '}' (a trailing comma is allowed), into m_json as
    // "name":"value", members each followed by a comma.
    std::optional<QString> readLabels(Line &line)
    {
        m_labelNames.clear();
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
            QByteArrayView value;
            {
                // Whole runs of plain characters at a time: a 10 MiB value appended byte by byte
                // was most of the time such a line took. Without escapes, no copy at all.
                const QByteArrayView rest = line.rest();
                const qsizetype run = std::find_if(rest.begin(), rest.end(),
                                                   [](char c) { return c == '"' || c == '\\'; })
                                      - rest.begin();
                if (run < rest.size() && rest.at(run) == '"') {
                    value = rest.first(run);
                    line.skip(run + 1);
                } else if (std::optional<QString> error = unescapeLabelValue(line, name)) {
                    return error;
                } else {
                    value = QByteArrayView(m_unescaped.data(), qsizetype(m_unescaped.size()));
                }
            }
            bool added = false;
            m_labelNames.insert(name, added);
            if (!added) {
                return u"label %1 given twice"_s.arg(quoted(name));
            }
            if (qsizetype(m_labelNames.names().size()) > PrometheusMaxLabels) {
                return u"more than %1 labels in a sample; such samples are not parsed"_s.arg(
                    PrometheusMaxLabels);
            }
            m_json.append('"').append(name).append("\":");
            appendJsonString(m_json, value);
            m_json.append(',');
            line.skipBlanks();
            if (line.peek() == ',') {
                line.advance();
            } else if (line.peek() != '}') {
                return u"expected ',' or '}' after label %1"_s.arg(quoted(name));
            }
        }
    }

    // A label value with escapes (\\ \" \n), from after its opening quote to after its closing
    // one, into m_unescaped.
    std::optional<QString> unescapeLabelValue(Line &line, QByteArrayView name)
    {
        m_unescaped.clear();
        for (;;) {
            const QByteArrayView rest = line.rest();
            const qsizetype run =
                std::find_if(rest.begin(), rest.end(), [](char c) { return c == '"' || c == '\\'; })
                - rest.begin();
            m_unescaped.append(rest.data(), size_t(run));
            line.skip(run);
            if (line.atEnd()) {
                return u"the value of label %1 has no closing quote"_s.arg(quoted(name));
            }
            const char c = line.peek();
            line.advance();
            if (c == '"') {
                return std::nullopt;
            }
            const char escaped = line.peek();
            line.advance();
            if (escaped == '\\' || escaped == '"') {
                m_unescaped.push_back(escaped);
            } else if (escaped == 'n') {
                m_unescaped.push_back('\n');
            } else {
                return u"invalid escape '\\%1' in the value of label %2"_s.arg(
                    QChar::fromLatin1(escaped), quoted(name));
            }
        }
    }

    int m_lineNumber = 0;
    bool m_ended = false;
    QByteArray m_json;             // the samples' JSON objects, one after another
    std::vector<Sample> m_samples; // in order of the text
    std::vector<std::pair<quint32, double>> m_doubles; // see appendValue
    NameTable m_series;                                // names, in order of first sight
    quint32 m_lastSeries = 0;
    NameTable m_labelNames;  // of the current sample
    std::string m_unescaped; // the current label value, when it has escapes
    NameTable m_metaNames;
    std::vector<Meta> m_meta; // in the order of m_metaNames
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
