#include "headless/cli/querycommand.h"

#include <algorithm>
#include <cmath>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrlQuery>

#include "core/base/huntid.h"
#include "core/base/jsonvalues.h"
#include "core/base/plural.h"
#include "core/fleet/fleetvalues.h"
#include "core/fleet/nodediff.h"
#include "core/fleet/resultexport.h"
#include "core/service/huntcatalog.h"
#include "headless/cli/clioptions.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr int UsageExit = 2;
constexpr int RequestTimeoutMs = 60000;

QString commandName(QuerySettings::Kind kind)
{
    switch (kind) {
    case QuerySettings::Kind::Values:
        return u"values"_s;
    case QuerySettings::Kind::Results:
        return u"results"_s;
    case QuerySettings::Kind::Diff:
        break;
    }
    return u"diff"_s;
}

const QString CsvRawHelp =
    u"CSV cells exactly as stored: no leading ' before a cell starting with =, +, -, @, tab or "
    "CR (by default such cells are neutralised so a spreadsheet cannot run them as formulas)."_s;

void addOptions(QuerySettings::Kind kind, QCommandLineParser &parser)
{
    using K = QuerySettings::Kind;
    parser.addOptions({
        {u"hunt"_s, u"The hunt: its id, or 'latest' (required)."_s, u"ID|latest"_s},
        {u"data-dir"_s,
         u"Read this data dir (default: $ARTEMIS_DATA_DIR or ./data); read-only, "
         "so it works next to the serve or hunt that holds it."_s,
         u"DIR"_s},
        {u"server"_s,
         u"Ask this service instead of reading a data dir, e.g. "
         "http://127.0.0.1:5000."_s,
         u"URL"_s},
        {u"token-file"_s, u"With --server: file holding the API token (else $ARTEMIS_TOKEN)."_s,
         u"FILE"_s},
    });
    switch (kind) {
    case K::Values:
        parser.setApplicationDescription(
            u"The values of one JSON path across a hunt's nodes: groups of identical values, "
            "number statistics, outliers and minority values."_s);
        parser.addOptions({
            {u"path"_s, u"JSON path into each answer, e.g. version, mem.used, cpu[0] (required)."_s,
             u"PATH"_s},
            {u"format"_s, u"table (default on a terminal), json (default otherwise) or csv."_s,
             u"FORMAT"_s},
            {u"groups"_s, u"Groups shown (default 20)."_s, u"N"_s},
            {u"nodes"_s, u"Nodes shown per group (default 5 in a table, 100 in JSON)."_s, u"N"_s},
            {u"group-by"_s,
             u"Also answer per value of a node label, e.g. label:dc (one table per value); "
             u"repeat it (or label:dc,label:rack) for one per combination."_s,
             u"label:NAME"_s},
            {u"csv-raw"_s, CsvRawHelp},
        });
        break;
    case K::Results:
        parser.setApplicationDescription(
            u"A hunt's stored results, whole or as chosen fields, as NDJSON or CSV."_s);
        parser.addOptions({
            {u"fields"_s,
             u"Comma list: node, outcome, httpStatus, latencyMs, attempts, bytes, "
             "fetchedAt, error, url, body, or JSON paths into the answer."_s,
             u"F,..."_s},
            {u"outcome"_s, u"Only these outcomes: a kind, a comma list, or 'failed'."_s,
             u"OUTCOME"_s},
            {u"sort"_s, u"node, latency or a JSON path; '-' first for descending."_s, u"KEY"_s},
            {u"numbers"_s, u"Turn number-like strings (\"80%\", \"1.5G\") into numbers."_s},
            {u"format"_s, u"ndjson (default) or csv."_s, u"FORMAT"_s},
            {u"csv-raw"_s, CsvRawHelp},
        });
        break;
    case K::Diff:
        parser.setApplicationDescription(
            u"Where one node's answer differs from the majority of the hunt's nodes, from "
            "another node, or from its own answer in the previous round of a schedule."_s);
        parser.addOptions({
            {u"node"_s, u"The node to compare (required)."_s, u"NODE"_s},
            {u"against"_s, u"majority (default), previous, or another node."_s, u"WHAT"_s},
            {u"format"_s, u"table (default on a terminal) or json."_s, u"FORMAT"_s},
        });
        break;
    }
    parser.addHelpOption();
}

Error usage(const QString &message)
{
    return makeError(ErrorCode::InvalidArgument, message);
}

} // namespace

Result<QuerySettings> QuerySettings::parse(Kind kind, const QStringList &arguments,
                                           const QHash<QString, QString> &environment, bool tty)
{
    QCommandLineParser parser;
    addOptions(kind, parser);
    if (!parser.parse(arguments)) {
        return usage(parser.errorText());
    }
    if (!parser.positionalArguments().isEmpty()) {
        return usage(u"unexpected argument '%1'"_s.arg(parser.positionalArguments().first()));
    }
    QuerySettings s;
    s.kind = kind;
    s.hunt = parser.value(u"hunt"_s);
    if (s.hunt.isEmpty()) {
        return usage(u"--hunt ID|latest is required"_s);
    }
    if (s.hunt != u"latest"_s && !isValidHuntId(s.hunt)) {
        return usage(u"--hunt '%1' is not a hunt id (26 characters, as printed by hunt) nor "
                     "'latest'"_s.arg(s.hunt));
    }
    s.dataDir = parser.value(u"data-dir"_s);
    if (s.dataDir.isEmpty()) {
        s.dataDir = environment.value(u"ARTEMIS_DATA_DIR"_s, u"./data"_s);
    }
    if (parser.isSet(u"server"_s)) {
        QString text = parser.value(u"server"_s);
        if (!text.contains(u"://"_s)) {
            text = u"http://"_s + text;
        }
        s.server = QUrl(text);
        if (!s.server.isValid() || s.server.host().isEmpty()
            || (s.server.scheme() != u"http"_s && s.server.scheme() != u"https"_s)) {
            return usage(u"--server '%1' is not an http(s) URL"_s.arg(parser.value(u"server"_s)));
        }
        if (parser.isSet(u"data-dir"_s)) {
            return usage(u"--server and --data-dir do not go together"_s);
        }
    }
    if (parser.isSet(u"token-file"_s)) {
        QFile file(parser.value(u"token-file"_s));
        if (!file.open(QIODevice::ReadOnly)) {
            return usage(
                u"cannot read --token-file '%1': %2"_s.arg(file.fileName(), file.errorString()));
        }
        s.token = file.readAll().trimmed();
    } else {
        s.token = environment.value(u"ARTEMIS_TOKEN"_s).trimmed().toUtf8();
    }
    const QString format = parser.value(u"format"_s);
    s.csvCells = kind != Kind::Diff && parser.isSet(u"csv-raw"_s) ? CsvCells::Raw : CsvCells::Safe;
    switch (kind) {
    case Kind::Values: {
        s.path = parser.value(u"path"_s);
        if (!parser.isSet(u"path"_s)) {
            return usage(u"--path PATH is required (e.g. version or mem.used)"_s);
        }
        if (const Result<JsonPath> p = parseJsonPath(s.path); !p) {
            return usage(u"bad --path '%1': %2"_s.arg(s.path, p.error().message));
        }
        s.output = format.isEmpty()       ? (tty ? Output::Table : Output::Json)
                   : format == u"table"_s ? Output::Table
                   : format == u"json"_s  ? Output::Json
                   : format == u"csv"_s   ? Output::Csv
                                          : Output::Ndjson;
        if (s.output == Output::Ndjson) {
            return usage(u"--format must be table, json or csv, not '%1'"_s.arg(format));
        }
        s.nodesPerGroup = s.output == Output::Table ? 5 : 100;
        const Result<int> groups = numberOption<int>(parser, u"groups"_s, s.groups, 1, 10000);
        const Result<int> nodes = numberOption<int>(parser, u"nodes"_s, s.nodesPerGroup, 0, 100000);
        if (!groups || !nodes) {
            return (!groups ? groups : nodes).error();
        }
        s.groups = *groups;
        s.nodesPerGroup = *nodes;
        const Result<QStringList> groupBy = parseLabelGroupBy(parser.values(u"group-by"_s));
        if (!groupBy) {
            return usage(groupBy.error().message);
        }
        s.groupByLabels = *groupBy;
        break;
    }
    case Kind::Results: {
        s.output = format.isEmpty() || format == u"ndjson"_s ? Output::Ndjson
                   : format == u"csv"_s                      ? Output::Csv
                                                             : Output::Table;
        if (s.output == Output::Table) {
            return usage(u"--format must be ndjson or csv, not '%1'"_s.arg(format));
        }
        s.fields = parser.value(u"fields"_s).split(u',', Qt::SkipEmptyParts);
        s.numbers = parser.isSet(u"numbers"_s);
        if (!s.fields.isEmpty()) {
            if (const Result<Projection> p = Projection::parse(s.fields, s.numbers); !p) {
                return p.error();
            }
        }
        s.outcome = parser.value(u"outcome"_s);
        if (const Result<OutcomeFilter> f = OutcomeFilter::parse(s.outcome); !f) {
            return f.error();
        }
        s.sort = parser.value(u"sort"_s);
        if (const Result<ResultSort> sort = ResultSort::parse(s.sort); !sort) {
            return sort.error();
        }
        break;
    }
    case Kind::Diff:
        s.node = parser.value(u"node"_s);
        if (s.node.isEmpty()) {
            return usage(u"--node NODE is required"_s);
        }
        if (parser.isSet(u"against"_s)) {
            s.against = parser.value(u"against"_s);
        }
        s.output = format.isEmpty()       ? (tty ? Output::Table : Output::Json)
                   : format == u"table"_s ? Output::Table
                   : format == u"json"_s  ? Output::Json
                                          : Output::Csv;
        if (s.output == Output::Csv) {
            return usage(u"--format must be table or json, not '%1'"_s.arg(format));
        }
        break;
    }
    return s;
}

QString QuerySettings::helpText(Kind kind)
{
    QCommandLineParser parser;
    addOptions(kind, parser);
    QString text = parser.helpText();
    text.replace(QCoreApplication::applicationFilePath(),
                 u"artemis-headless "_s + commandName(kind));
    text +=
        kind == Kind::Diff
            ? u"\nExit status: 0 no difference, 1 the node differs, 2 bad usage or nothing to "
              "compare.\n"_s
            : u"\nExit status: 0 answered, 2 bad usage, unknown hunt or path, unreachable server.\n"_s;
    return text;
}

QueryCommand::QueryCommand(QuerySettings::Kind kind, QTextStream &out, QTextStream &err, bool tty,
                           QObject *parent)
    : QObject(parent), m_kind(kind), m_out(out), m_err(err), m_tty(tty)
{
}

QueryCommand::~QueryCommand() = default;

void QueryCommand::start(const QStringList &arguments)
{
    if (arguments.contains(u"--help"_s) || arguments.contains(u"-h"_s)) {
        m_out << QuerySettings::helpText(m_kind);
        m_out.flush();
        finish(0);
        return;
    }
    const QHash<QString, QString> environment = artemisEnvironment();
    Result<QuerySettings> parsed = QuerySettings::parse(m_kind, arguments, environment, m_tty);
    if (!parsed) {
        fail(parsed.error().message
             + u"\nTry 'artemis-headless %1 --help'."_s.arg(commandName(m_kind)));
        return;
    }
    m_settings = std::move(parsed).value();
    if (m_settings.server.isValid()) {
        runRemote();
    } else {
        runLocal();
    }
}

void QueryCommand::runLocal()
{
    const QuerySettings &s = m_settings;
    if (!QDir(s.dataDir + u"/hunts"_s).exists()) {
        fail(u"no hunts in data dir '%1' (give --data-dir, or --server URL)"_s.arg(s.dataDir));
        return;
    }
    // Read-only: no open() (it would mark the holder's running hunts interrupted), no lock.
    ResultStore store(s.dataDir);
    HuntCatalog catalog(nullptr, &store);
    const Result<HuntInfo> info = catalog.find(s.hunt); // "latest": the newest done hunt
    if (!info) {
        fail(info.error().message);
        return;
    }
    const QString id = info->id;
    m_hunt = *info;
    switch (m_kind) {
    case QuerySettings::Kind::Values: {
        FleetValuesOptions options;
        options.maxGroups = s.groups;
        options.maxNodesPerGroup = s.nodesPerGroup;
        options.groupByLabels = s.groupByLabels;
        const Result<FleetValues> values = catalog.values(id, s.path, options);
        if (!values) {
            fail(values.error().message);
            return;
        }
        render(m_hunt->withCoverage(toJson(*values, options)));
        return;
    }
    case QuerySettings::Kind::Diff: {
        const Result<NodeDiff> diff = catalog.diff(id, s.node, s.against);
        if (!diff) {
            fail(diff.error().message);
            return;
        }
        render(m_hunt->withCoverage(toJson(*diff)));
        return;
    }
    case QuerySettings::Kind::Results: {
        ResultQuery query;
        query.outcome = *OutcomeFilter::parse(s.outcome);
        query.sort = *ResultSort::parse(s.sort);
        std::optional<Projection> projection;
        if (!s.fields.isEmpty()) {
            projection = *Projection::parse(s.fields, s.numbers);
        }
        m_out.flush();
        noteOnStderr();
        QFile out;
        if (!out.open(stdout, QIODevice::WriteOnly)) {
            fail(u"cannot write to standard output"_s);
            return;
        }
        const Result<qint64> written = exportResults(
            store, id, query, projection,
            s.output == QuerySettings::Output::Csv ? ExportFormat::Csv : ExportFormat::Ndjson, &out,
            s.csvCells);
        out.flush();
        if (!written) {
            fail(written.error().message);
            return;
        }
        finish(0);
        return;
    }
    }
}

void QueryCommand::get(const QString &path, const QList<std::pair<QString, QString>> &query,
                       std::function<void(const QByteArray &)> done)
{
    QUrl url = m_settings.server;
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + path);
    QUrlQuery q;
    for (const auto &[key, value] : query) {
        q.addQueryItem(key, QString::fromUtf8(QUrl::toPercentEncoding(value)));
    }
    url.setQuery(q);
    QNetworkRequest request(url);
    request.setTransferTimeout(RequestTimeoutMs);
    if (!m_settings.token.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + m_settings.token);
    }
    if (m_kind == QuerySettings::Kind::Results && path.endsWith(u"/results"_s)) {
        request.setRawHeader("Accept", m_settings.output == QuerySettings::Output::Csv
                                           ? "text/csv"
                                           : "application/x-ndjson");
    }
    QNetworkReply *reply = m_nam->get(request);
    const bool streaming = request.hasRawHeader("Accept");
    if (streaming) {
        // Exports go to stdout as they arrive: 100k results never sit in memory.
        connect(reply, &QNetworkReply::readyRead, this, [this, reply] {
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200) {
                const QByteArray bytes = reply->readAll();
                m_out << QString::fromUtf8(bytes);
                m_out.flush();
            }
        });
    }
    connect(reply, &QNetworkReply::finished, this, [this, reply, streaming, done] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        if (status == 0) {
            fail(u"cannot reach %1: %2"_s.arg(m_settings.server.toDisplayString(),
                                              reply->errorString()));
            return;
        }
        if (status != 200) {
            const QJsonObject error = QJsonDocument::fromJson(body).object();
            QJsonValue details = error.value(u"details"_s);
            const QString text = details.isObject()
                                     ? details.toObject().value(u"message"_s).toString()
                                     : details.toString();
            fail(u"HTTP %1 from %2: %3"_s.arg(status).arg(
                m_settings.server.toDisplayString(),
                text.isEmpty() ? QString::fromUtf8(body.left(200)) : text));
            return;
        }
        if (streaming) {
            m_out.flush();
            finish(0);
            return;
        }
        done(body);
    });
}

void QueryCommand::runRemote()
{
    if (!m_nam) {
        // First the hunt itself: the service resolves "latest" (the newest done hunt), and its
        // state says what the answers will cover.
        m_nam = std::make_unique<QNetworkAccessManager>();
        get(u"/api/v1/hunts/"_s + m_settings.hunt, {}, [this](const QByteArray &body) {
            const Result<HuntInfo> info =
                HuntInfo::fromJson(QJsonDocument::fromJson(body).object());
            if (!info) {
                fail(u"unexpected answer from %1: %2"_s.arg(m_settings.server.toDisplayString(),
                                                            info.error().message));
                return;
            }
            m_settings.hunt = info->id;
            m_hunt = *info;
            runRemote();
        });
        return;
    }
    const QString base = u"/api/v1/hunts/"_s + m_settings.hunt;
    const QuerySettings &s = m_settings;
    auto answer = [this](const QByteArray &body) {
        render(m_hunt->withCoverage(QJsonDocument::fromJson(body).object()));
    };
    switch (m_kind) {
    case QuerySettings::Kind::Values:
        get(base + u"/values"_s,
            {{u"path"_s, s.path},
             {u"groups"_s, QString::number(s.groups)},
             {u"nodes"_s, QString::number(s.nodesPerGroup)},
             {u"groupBy"_s, labelGroupByText(s.groupByLabels)}},
            answer);
        return;
    case QuerySettings::Kind::Diff:
        get(base + u"/diff"_s, {{u"node"_s, s.node}, {u"against"_s, s.against}}, answer);
        return;
    case QuerySettings::Kind::Results: {
        QList<std::pair<QString, QString>> query;
        if (!s.fields.isEmpty()) {
            query.append({u"fields"_s, s.fields.join(u',')});
        }
        if (!s.outcome.isEmpty()) {
            query.append({u"outcome"_s, s.outcome});
        }
        if (!s.sort.isEmpty()) {
            query.append({u"sort"_s, s.sort});
        }
        if (s.numbers) {
            query.append({u"numbers"_s, u"true"_s});
        }
        if (s.csvCells == CsvCells::Raw) {
            query.append({u"raw"_s, u"1"_s});
        }
        noteOnStderr();
        get(base + u"/results"_s, query, [](const QByteArray &) {});
        return;
    }
    }
}

QString QueryCommand::coverageNote() const
{
    return m_hunt ? m_hunt->coverageNote() : QString();
}

void QueryCommand::noteOnStderr()
{
    if (const QString note = coverageNote(); !note.isEmpty()) {
        m_err << note << '\n';
        m_err.flush();
    }
}

void QueryCommand::render(const QJsonObject &answer)
{
    const QuerySettings::Output output = m_settings.output;
    // An answer from a hunt that is not done says so first (in JSON, its "state" does).
    if (output == QuerySettings::Output::Table && !coverageNote().isEmpty()) {
        m_out << coverageNote() << '\n';
    } else if (output == QuerySettings::Output::Csv) {
        noteOnStderr();
    }
    if (output == QuerySettings::Output::Json) {
        m_out << QJsonDocument(answer).toJson(QJsonDocument::Indented);
    } else if (m_kind == QuerySettings::Kind::Values) {
        m_out << (output == QuerySettings::Output::Csv ? valuesCsv(answer, m_settings.csvCells)
                                                       : valuesTable(answer));
    } else {
        m_out << diffTable(answer);
    }
    m_out.flush();
    if (m_kind == QuerySettings::Kind::Diff) {
        const bool differs = !answer.value(u"differences"_s).toArray().isEmpty()
                             || !answer.value(u"onlyNode"_s).toArray().isEmpty()
                             || !answer.value(u"onlyOther"_s).toArray().isEmpty();
        finish(differs ? 1 : 0);
        return;
    }
    finish(0);
}

void QueryCommand::fail(const QString &message, int code)
{
    m_err << "artemis-headless " << commandName(m_kind) << ": " << message << '\n';
    m_err.flush();
    finish(code);
}

void QueryCommand::finish(int exitCode)
{
    QTimer::singleShot(0, this, [this, exitCode] { Q_EMIT finished(exitCode); });
}

} // namespace Artemis
