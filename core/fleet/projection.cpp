#include "core/fleet/projection.h"

#include <QIODevice>
#include <QJsonArray>
#include <QRegularExpression>

#include "core/base/nearest.h"
#include "core/fleet/fleetvalues.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

QString cellText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return {};
    case QJsonValue::String:
        return value.toString();
    default:
        return compactJsonText(value);
    }
}

// Written by hand rather than through QJsonObject: that sorts keys, and fields keep the order
// the user chose.
QByteArray orderedObject(const QStringList &names, const QList<QJsonValue> &values)
{
    QString text = u"{"_s;
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i > 0) {
            text.append(u',');
        }
        text.append(compactJsonText(names[i]));
        text.append(u':');
        text.append(values[i].isUndefined() ? u"null"_s : compactJsonText(values[i]));
    }
    text.append(u'}');
    return text.toUtf8();
}

} // namespace

Result<Projection> Projection::parse(const QStringList &fields, bool numbers)
{
    if (fields.isEmpty()) {
        return makeError(ErrorCode::InvalidArgument, u"no fields to export"_s);
    }
    static const QList<QPair<QString, Source>> records = {
        {u"node"_s, Source::Node},
        {u"outcome"_s, Source::Outcome},
        {u"httpStatus"_s, Source::HttpStatus},
        {u"latencyMs"_s, Source::LatencyMs},
        {u"attempts"_s, Source::Attempts},
        {u"bytes"_s, Source::Bytes},
        {u"fetchedAt"_s, Source::FetchedAt},
        {u"error"_s, Source::Error},
        {u"url"_s, Source::Url},
        {u"worker"_s, Source::Worker},
    };
    Projection p;
    p.m_numbers = numbers;
    for (const QString &name : fields) {
        Field field;
        bool record = false;
        for (const auto &[recordName, source] : records) {
            if (name == recordName) {
                field.source = source;
                record = true;
                break;
            }
        }
        const bool label = name.startsWith(u"labels."_s) || name.startsWith(u"label:"_s);
        if (!record && label) {
            field.source = Source::Label;
            field.label = name.mid(name.startsWith(u"label:"_s) ? 6 : 7);
            if (!isValidLabelName(field.label)) {
                return makeError(ErrorCode::InvalidArgument,
                                 u"field '%1': '%2' is not a label name"_s.arg(name, field.label));
            }
        } else if (!record) {
            // Any other name is a body path, so "outcom" or "latency" gave an empty column
            // with exit 0 (issue #22): a bare name close to a record field is a typo for it.
            if (!name.contains(u'.') && !name.contains(u'[') && name != u"body") {
                QStringList known;
                for (const auto &entry : records) {
                    known.append(entry.first);
                }
                const QStringList near = nearestNames(name, known, 1);
                if (!near.isEmpty()) {
                    return makeError(
                        ErrorCode::InvalidArgument,
                        u"unknown field '%1' (did you mean %2?); the fields are %3, labels.NAME "
                        u"and body paths (a body value named so: body.%1)"_s.arg(
                            name, near.first(), known.join(u", "_s)));
                }
            }
            QStringView path = name;
            if (path == u"body") {
                path = {};
            } else if (path.startsWith(u"body.")) {
                path = path.mid(5);
            } else if (path.startsWith(u"body[")) {
                path = path.mid(4);
            }
            Result<JsonPath> parsed = parseJsonPath(path);
            if (!parsed) {
                return makeError(ErrorCode::InvalidArgument,
                                 u"field '%1': %2"_s.arg(name, parsed.error().message));
            }
            field.path = std::move(*parsed);
        }
        p.m_names.append(name);
        p.m_fields.append(std::move(field));
    }
    return p;
}

QStringList Projection::defaultCsvFields()
{
    return {u"node"_s,     u"outcome"_s, u"httpStatus"_s, u"latencyMs"_s,
            u"attempts"_s, u"bytes"_s,   u"fetchedAt"_s,  u"error"_s,
            u"url"_s,      u"worker"_s,  u"body"_s};
}

QList<QJsonValue> Projection::recordValues(const QJsonObject &record) const
{
    // The stored line's own fields, as Outcome::toJson wrote them: no Outcome (and no date
    // parse) is built, which made exports twice as fast (bench/values-bench.sh).
    QList<QJsonValue> out;
    out.reserve(m_fields.size());
    const bool ok = record.value(QLatin1String("outcome")).toString() == QLatin1String("ok");
    for (const Field &field : m_fields) {
        switch (field.source) {
        case Source::Node:
            out.append(record.value(QLatin1String("node")));
            break;
        case Source::Outcome:
            out.append(record.value(QLatin1String("outcome")));
            break;
        case Source::HttpStatus:
            out.append(record.value(QLatin1String("httpStatus")).toInt());
            break;
        case Source::LatencyMs:
            out.append(record.value(QLatin1String("latencyMs")).toInteger());
            break;
        case Source::Attempts:
            out.append(record.value(QLatin1String("attempts")).toInt());
            break;
        case Source::Bytes:
            out.append(record.value(QLatin1String("bytes")).toInteger());
            break;
        case Source::FetchedAt:
            out.append(record.value(QLatin1String("fetchedAt")).toString());
            break;
        case Source::Error:
            out.append(record.value(QLatin1String("error")).toString());
            break;
        case Source::Url:
            out.append(record.value(QLatin1String("url")).toString());
            break;
        case Source::Worker:
            out.append(record.value(QLatin1String("worker")).toString());
            break;
        case Source::Label: {
            const QJsonValue value =
                record.value(QLatin1String("labels")).toObject().value(field.label);
            out.append(value.isString() ? value : QJsonValue(QJsonValue::Null));
            break;
        }
        case Source::Body:
            out.append(bodyValue(ok ? jsonValueAt(record.value(QLatin1String("body")), field.path)
                                    : QJsonValue(QJsonValue::Undefined)));
            break;
        }
    }
    return out;
}

QJsonValue Projection::bodyValue(QJsonValue v) const
{
    if (v.isUndefined()) {
        return QJsonValue::Null;
    }
    if (m_numbers && v.isString()) {
        if (const std::optional<double> n = jsonNumber(v)) {
            return *n;
        }
    }
    return v;
}

QList<QJsonValue> Projection::values(const Outcome &outcome) const
{
    QList<QJsonValue> out;
    out.reserve(m_fields.size());
    for (const Field &field : m_fields) {
        switch (field.source) {
        case Source::Node:
            out.append(outcome.node);
            break;
        case Source::Outcome:
            out.append(outcomeName(outcome.outcome));
            break;
        case Source::HttpStatus:
            out.append(outcome.httpStatus);
            break;
        case Source::LatencyMs:
            out.append(outcome.latencyMs);
            break;
        case Source::Attempts:
            out.append(outcome.attempts);
            break;
        case Source::Bytes:
            out.append(outcome.bytes);
            break;
        case Source::FetchedAt:
            out.append(outcome.fetchedAt.isValid()
                           ? outcome.fetchedAt.toUTC().toString(Qt::ISODateWithMs)
                           : QString());
            break;
        case Source::Error:
            out.append(outcome.error);
            break;
        case Source::Url:
            out.append(outcome.url);
            break;
        case Source::Worker:
            out.append(outcome.worker);
            break;
        case Source::Label: {
            const auto it = outcome.labels.constFind(field.label);
            out.append(it == outcome.labels.cend() ? QJsonValue(QJsonValue::Null)
                                                   : QJsonValue(*it));
            break;
        }
        case Source::Body:
            out.append(bodyValue(outcome.outcome == OutcomeKind::Ok
                                     ? jsonValueAt(outcome.body, field.path)
                                     : QJsonValue(QJsonValue::Undefined)));
            break;
        }
    }
    return out;
}

QJsonObject Projection::toJson(const Outcome &outcome) const
{
    const QList<QJsonValue> vs = values(outcome);
    QJsonObject object;
    for (qsizetype i = 0; i < vs.size(); ++i) {
        object.insert(m_names[i], vs[i]);
    }
    return object;
}

Result<ExportFormat> exportFormatFromName(QStringView name)
{
    if (name == u"ndjson") {
        return ExportFormat::Ndjson;
    }
    if (name == u"json") {
        return ExportFormat::JsonArray;
    }
    if (name == u"csv") {
        return ExportFormat::Csv;
    }
    return makeError(ErrorCode::InvalidArgument,
                     u"unknown export format '%1' (expected ndjson, json or csv)"_s.arg(name));
}

namespace {

// A plain decimal number, as a spreadsheet reads one: "-2.5", "+3", "1e-9", ".5".
bool isNumberText(QStringView text)
{
    static const QRegularExpression number(
        u"\\A[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?\\z"_s);
    return number.match(text).hasMatch();
}

bool startsFormula(QStringView text)
{
    if (text.isEmpty()) {
        return false;
    }
    const QChar first = text.front();
    return first == u'=' || first == u'+' || first == u'-' || first == u'@' || first == u'\t'
           || first == u'\r';
}

} // namespace

QString csvField(const QJsonValue &value, CsvCells cells)
{
    return csvCell(cellText(value), cells);
}

QString csvCell(QString text, CsvCells cells)
{
    if (cells == CsvCells::Safe && startsFormula(text) && !isNumberText(text)) {
        text.prepend(u'\'');
    }
    const bool quote =
        text.contains(u',') || text.contains(u'"') || text.contains(u'\r') || text.contains(u'\n');
    if (!quote) {
        return text;
    }
    text.replace(u"\""_s, u"\"\""_s);
    return u'"' + text + u'"';
}

ProjectionWriter::ProjectionWriter(QIODevice *device, Projection projection, ExportFormat format,
                                   CsvCells cells)
    : m_device(device), m_projection(std::move(projection)), m_format(format), m_cells(cells)
{
    Q_ASSERT(m_device);
}

Result<void> ProjectionWriter::put(const QByteArray &bytes)
{
    const qint64 written = m_device->write(bytes);
    if (written != bytes.size()) {
        return makeError(ErrorCode::Io, u"export write failed: %1"_s.arg(m_device->errorString()));
    }
    m_bytes += written;
    return {};
}

Result<void> ProjectionWriter::begin()
{
    switch (m_format) {
    case ExportFormat::Ndjson:
        return {};
    case ExportFormat::JsonArray:
        return put(QByteArrayLiteral("["));
    case ExportFormat::Csv: {
        QStringList cells;
        for (const QString &name : m_projection.fields()) {
            cells.append(csvField(name, m_cells));
        }
        return put(cells.join(u',').toUtf8() + "\r\n");
    }
    }
    return {};
}

Result<void> ProjectionWriter::write(const Outcome &outcome)
{
    return writeValues(m_projection.values(outcome));
}

Result<void> ProjectionWriter::writeRecord(const QJsonObject &record)
{
    return writeValues(m_projection.recordValues(record));
}

Result<void> ProjectionWriter::writeValues(const QList<QJsonValue> &values)
{
    QByteArray line;
    switch (m_format) {
    case ExportFormat::Ndjson:
        line = orderedObject(m_projection.fields(), values);
        line.append('\n');
        break;
    case ExportFormat::JsonArray:
        line = m_rows == 0 ? QByteArrayLiteral("\n") : QByteArrayLiteral(",\n");
        line.append(orderedObject(m_projection.fields(), values));
        break;
    case ExportFormat::Csv: {
        QString row;
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (i > 0) {
                row.append(u',');
            }
            row.append(csvField(values[i], m_cells));
        }
        line = row.toUtf8();
        line.append("\r\n");
        break;
    }
    }
    ++m_rows;
    return put(line);
}

Result<void> ProjectionWriter::finish()
{
    if (m_format == ExportFormat::JsonArray) {
        return put(m_rows == 0 ? QByteArrayLiteral("]\n") : QByteArrayLiteral("\n]\n"));
    }
    return {};
}

} // namespace Artemis
