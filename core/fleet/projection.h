#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include "core/base/jsonvalues.h"
#include "core/base/result.h"
#include "core/fetch/outcome.h"

class QIODevice;

namespace Artemis {

// Field projection and export of a hunt's outcomes: choose columns, then stream them one
// outcome at a time as NDJSON, a JSON array or CSV (the REST export, `artemis export`, the
// GUI's "Save as").
//
// Fields: the record fields node, outcome, httpStatus, latencyMs, attempts, bytes, fetchedAt
// (ISO 8601 UTC with ms), error, url, worker (distributed mode; "" otherwise); `labels.NAME` or
// `label:NAME` (the node's label NAME, null when it has none); `body` (the whole body); `body.PATH`
// / `body[...]` (a path into the body, for keys that clash with a record field); any other text is
// a JSON path into the body (jsonvalues.h syntax), e.g. `version`, `mem.used`,
// `labels["k8s.io/name"]`. A body path that is absent (or any path of a non-ok outcome's body)
// gives null. numbers = true turns body values that jsonNumber reads ("80%", "15.9G") into numbers.
//
// Projection is an immutable value (thread-safe). A ProjectionWriter is used by one thread.

class Projection
{
public:
    // Errors: InvalidArgument for an empty field list or a bad path (naming the field).
    static Result<Projection> parse(const QStringList &fields, bool numbers = false);
    // A CSV export's columns when no fields are given: the record's, then the whole body.
    static QStringList defaultCsvFields();

    QStringList fields() const { return m_names; }
    // The fields of one outcome, in field order.
    QList<QJsonValue> values(const Outcome &outcome) const;
    // The same from a stored line's JSON object (Outcome::toJson's shape), without building
    // the Outcome: what exports use.
    QList<QJsonValue> recordValues(const QJsonObject &record) const;
    // {field: value} (QJsonObject sorts keys; the writers keep the field order).
    QJsonObject toJson(const Outcome &outcome) const;

private:
    enum class Source : quint8 {
        Node,
        Outcome,
        HttpStatus,
        LatencyMs,
        Attempts,
        Bytes,
        FetchedAt,
        Error,
        Url,
        Worker,
        Label, // "labels.dc" or "label:dc": the node's label (Outcome::labels); null when absent
        Body,
    };
    struct Field
    {
        Source source = Source::Body;
        JsonPath path; // for Source::Body
        QString label; // for Source::Label
    };

    QJsonValue bodyValue(QJsonValue value) const; // absent -> null; numbers=true applied

    QStringList m_names;
    QList<Field> m_fields;
    bool m_numbers = false;
};

// How CSV cells that a spreadsheet would run as a formula are written. Safe (the default of
// every CSV the project writes): a cell beginning with '=', '+', '-', '@', a tab or a carriage
// return gets a leading "'" so a spreadsheet shows it as text, unless the whole cell is a number
// ("-2.5" stays -2.5). Raw: the text unchanged, for pipelines (REST `raw=1`, CLI `--csv-raw`).
// Node answers, labels and even a Content-Type are chosen by the nodes, so their text is hostile.
enum class CsvCells : quint8 { Safe, Raw };

enum class ExportFormat : quint8 {
    Ndjson,    // one compact JSON object per line, keys in field order, '\n' line ends
    JsonArray, // "[\n" objects separated by ",\n" "\n]\n"
    Csv,       // RFC 4180: header row, CRLF, quoted when needed
};

// "ndjson", "json", "csv"; InvalidArgument naming the unknown format.
Result<ExportFormat> exportFormatFromName(QStringView name);

// Streams projected outcomes into a device it does not own (must outlive the writer and be
// open for writing). Call begin(), write() per outcome, finish(). Every call returns an Io
// error when the device refuses bytes.
class ProjectionWriter
{
public:
    ProjectionWriter(QIODevice *device, Projection projection, ExportFormat format,
                     CsvCells cells = CsvCells::Safe);

    Result<void> begin();
    Result<void> write(const Outcome &outcome);
    Result<void> writeRecord(const QJsonObject &record); // a stored line's object
    Result<void> finish();
    qint64 bytesWritten() const { return m_bytes; }

private:
    Result<void> put(const QByteArray &bytes);
    Result<void> writeValues(const QList<QJsonValue> &values);

    QIODevice *m_device; // not owned
    Projection m_projection;
    ExportFormat m_format;
    CsvCells m_cells;
    qint64 m_rows = 0;
    qint64 m_bytes = 0;
};

// One CSV cell: strings as is, numbers in their shortest form, true/false, null and undefined
// as "", objects/arrays as compact JSON; then as csvCell.
QString csvField(const QJsonValue &value, CsvCells cells = CsvCells::Safe);
// One CSV cell from its text: neutralised as `cells` says (CsvCells), then quoted (inner quotes
// doubled) when it contains a comma, a quote, CR or LF.
QString csvCell(QString text, CsvCells cells = CsvCells::Safe);

} // namespace Artemis
