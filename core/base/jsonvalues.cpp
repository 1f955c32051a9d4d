#include "core/base/jsonvalues.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

bool isIdentifier(QStringView key)
{
    if (key.isEmpty()) {
        return false;
    }
    for (qsizetype i = 0; i < key.size(); ++i) {
        const QChar c = key[i];
        const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
        const bool other = (c >= u'0' && c <= u'9') || c == u'-';
        if (!letter && !(i > 0 && other)) {
            return false;
        }
    }
    return true;
}

QString quoteKey(const QString &key)
{
    QString escaped = key;
    escaped.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s);
    return u"[\""_s + escaped + u"\"]"_s;
}

Error pathError(QStringView path, qsizetype at, const QString &why)
{
    return makeError(ErrorCode::InvalidArgument,
                     u"bad JSON path '%1' at %2: %3"_s.arg(path.toString()).arg(at).arg(why));
}

} // namespace

Result<JsonPath> parseJsonPath(QStringView path)
{
    JsonPath out;
    qsizetype i = 0;
    const qsizetype n = path.size();
    bool expectKey = true; // at the start or after '.'
    while (i < n) {
        const QChar c = path[i];
        if (c == u'[') {
            ++i;
            if (i < n && path[i] == u'"') {
                ++i;
                QString key;
                bool closed = false;
                while (i < n) {
                    if (path[i] == u'\\' && i + 1 < n) {
                        key.append(path[i + 1]);
                        i += 2;
                    } else if (path[i] == u'"') {
                        closed = true;
                        ++i;
                        break;
                    } else {
                        key.append(path[i++]);
                    }
                }
                if (!closed || i >= n || path[i] != u']') {
                    return pathError(path, i, u"unterminated quoted key"_s);
                }
                ++i;
                out.append(JsonPathSegment{key, -1});
            } else {
                const qsizetype start = i;
                while (i < n && path[i].isDigit()) {
                    ++i;
                }
                if (i == start || i >= n || path[i] != u']') {
                    return pathError(path, i, u"expected an index like [0]"_s);
                }
                bool ok = false;
                const int index = path.mid(start, i - start).toInt(&ok);
                if (!ok) {
                    return pathError(path, start, u"index too large"_s);
                }
                ++i;
                out.append(JsonPathSegment{{}, index});
            }
            expectKey = false;
        } else if (c == u'.') {
            if (expectKey) {
                return pathError(path, i, u"empty key"_s);
            }
            expectKey = true;
            ++i;
        } else {
            if (!expectKey) {
                return pathError(path, i, u"expected '.' or '['"_s);
            }
            const qsizetype start = i;
            while (i < n && path[i] != u'.' && path[i] != u'[') {
                ++i;
            }
            out.append(JsonPathSegment{path.mid(start, i - start).toString(), -1});
            expectKey = false;
        }
    }
    if (expectKey && !out.isEmpty()) {
        return pathError(path, n, u"ends with '.'"_s);
    }
    return out;
}

QString jsonPathToString(const JsonPath &path)
{
    QString out;
    for (const JsonPathSegment &segment : path) {
        out = segment.index >= 0 ? jsonPathAppendIndex(out, segment.index)
                                 : jsonPathAppendKey(out, segment.key);
    }
    return out;
}

QString jsonPathAppendKey(const QString &path, const QString &key)
{
    if (!isIdentifier(key)) {
        return path + quoteKey(key);
    }
    return path.isEmpty() ? key : path + u'.' + key;
}

QString jsonPathAppendIndex(const QString &path, int index)
{
    return path + u'[' + QString::number(index) + u']';
}

QJsonValue jsonValueAt(const QJsonValue &root, const JsonPath &path)
{
    QJsonValue current = root;
    for (const JsonPathSegment &segment : path) {
        if (segment.index >= 0) {
            if (!current.isArray() || segment.index >= current.toArray().size()) {
                return QJsonValue(QJsonValue::Undefined);
            }
            current = current.toArray().at(segment.index);
        } else {
            if (!current.isObject() || !current.toObject().contains(segment.key)) {
                return QJsonValue(QJsonValue::Undefined);
            }
            current = current.toObject().value(segment.key);
        }
    }
    return current;
}

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"bool"_s;
    case QJsonValue::Double:
        return u"number"_s;
    case QJsonValue::String:
        return u"string"_s;
    case QJsonValue::Array:
        return u"array"_s;
    case QJsonValue::Object:
        return u"object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"undefined"_s;
}

QString jsonValueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (std::abs(d) < 1e15 && d == std::floor(d)) {
            return QString::number(qint64(d));
        }
        return QString::number(d, 'g', 15);
    }
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

std::optional<double> parseLooseNumber(QStringView text)
{
    // number: digits with optional thousands groups, fraction, exponent; then an optional unit.
    static const QRegularExpression re(
        uR"(^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([^\d\s.,+-][^\s]*)?$)"_s);
    const QString trimmed = text.trimmed().toString();
    const QRegularExpressionMatch m = re.match(trimmed);
    if (!m.hasMatch()) {
        return std::nullopt;
    }
    QString number = m.captured(1);
    // The optional groups above also match "", "+", ".e5" and the like: require a digit.
    if (!std::any_of(number.cbegin(), number.cend(), [](QChar c) { return c.isDigit(); })) {
        return std::nullopt;
    }
    number.remove(u',');
    bool ok = false;
    const double value = number.toDouble(&ok);
    if (!ok) {
        return std::nullopt;
    }
    const QString unit = m.captured(2);
    if (unit.isEmpty() || unit == u"%"_s) {
        return value;
    }
    // Durations, normalised to milliseconds.
    static const QList<QPair<QString, double>> durations = {
        {u"ns"_s, 1e-6},    {u"us"_s, 1e-3}, {u"µs"_s, 1e-3}, {u"ms"_s, 1.0},   {u"s"_s, 1000.0},
        {u"sec"_s, 1000.0}, {u"min"_s, 6e4}, {u"h"_s, 3.6e6}, {u"d"_s, 8.64e7},
    };
    for (const auto &[name, factor] : durations) {
        if (unit == name) {
            return value * factor;
        }
    }
    // Sizes: K/M/G/T/P, optional 'i', optional 'B' (case-insensitive except bare 'm', which
    // could be minutes or milli and is left alone); bare 'B' is bytes.
    static const QRegularExpression sizeRe(u"^([kKMGTPgtp])(i?)([bB]?)$"_s);
    const QRegularExpressionMatch sm = sizeRe.match(unit);
    if (unit == u"B"_s || unit == u"b"_s) {
        return value;
    }
    const bool lowerMb = unit.compare(u"mb"_s, Qt::CaseInsensitive) == 0
                         || unit.compare(u"mib"_s, Qt::CaseInsensitive) == 0;
    if (sm.hasMatch() || lowerMb) {
        const QChar prefix = lowerMb ? u'M' : sm.captured(1).at(0).toUpper();
        const QString prefixes = u"KMGTP"_s;
        const qsizetype power = prefixes.indexOf(prefix) + 1;
        return value * std::pow(1024.0, double(power));
    }
    // Any other unit ("°C", "rpm", "req/s"): the number as written.
    return value;
}

std::optional<double> jsonNumber(const QJsonValue &value)
{
    if (value.isDouble()) {
        return value.toDouble();
    }
    if (value.isString()) {
        return parseLooseNumber(value.toString());
    }
    return std::nullopt;
}

std::optional<NumberSummary> summarize(QList<double> values)
{
    if (values.isEmpty()) {
        return std::nullopt;
    }
    std::sort(values.begin(), values.end());
    NumberSummary s;
    s.count = int(values.size());
    s.min = values.first();
    s.max = values.last();
    const qsizetype mid = values.size() / 2;
    s.median = values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
    double sum = 0;
    for (double v : std::as_const(values)) {
        sum += v;
    }
    s.mean = sum / double(values.size());
    return s;
}

} // namespace Artemis
