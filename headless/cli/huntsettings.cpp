#include "headless/cli/huntsettings.h"

#include <algorithm>
#include <limits>

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/base/duration.h"
#include "core/base/extract.h"
#include "core/base/fileaccess.h"
#include "core/base/logging.h"
#include "core/fetch/authrules.h"
#include "core/inventory/nodefile.h"
#include "core/inventory/noderange.h"
#include "core/rules/schedule.h"
#include "headless/cli/clioptions.h"
#include "headless/cli/optionsource.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

Error usage(const QString &message)
{
    return makeError(ErrorCode::InvalidArgument, message);
}

void addOptions(QCommandLineParser &parser)
{
    const FetchOptions d;
    parser.setApplicationDescription(
        u"Fetch http://NODE/PATH from every node concurrently and store each answer under "
        "DATA_DIR/hunts/<id>/results.ndjson."_s);
    parser.addOptions({
        {u"url"_s, u"Path fetched on every node, e.g. 'metric' or 'stats?x=1' (required)."_s,
         u"PATH"_s},
        {u"node"_s,
         u"A node: host, host:port, [ipv6]:port, optionally http:// or https://; ranges "
         "expand (node[01-20]:9100, 10.0.0.[1-254], host[1,3,7-9]). Repeat it, or give a "
         "comma-separated list."_s,
         u"NODE"_s},
        {u"nodes-file"_s,
         u"Read nodes from FILE ('-' = standard input): one per line (blank lines and # "
         "comments ignored), or Prometheus file_sd JSON or YAML with labels."_s,
         u"FILE"_s},
        {u"nodes-from"_s,
         u"With --every, instead of --node and --nodes-file: read the nodes again before every "
         "round from FILE (as --nodes-file) or an http:// or https:// URL (Prometheus http_sd "
         "JSON); a failed read keeps the last good list."_s,
         u"FILE|URL"_s},
        {u"label"_s,
         u"Give every node of this command (--node and --nodes-file) the label NAME=VALUE; "
         "a file_sd node's own label of that name wins (repeatable)."_s,
         u"NAME=VALUE"_s},
        {u"data-dir"_s, u"Where hunts are stored (default: $ARTEMIS_DATA_DIR or ./data)."_s,
         u"DIR"_s},
        {u"timeout-ms"_s,
         u"Deadline of one attempt in milliseconds (default %1)."_s.arg(d.timeoutMs), u"MS"_s},
        {u"attempts"_s, u"Attempts per node for transient failures (default %1)."_s.arg(d.attempts),
         u"N"_s},
        {u"concurrency"_s, u"Requests in flight at once (default %1)."_s.arg(d.concurrency),
         u"N"_s},
        {u"threads"_s, u"Fetch threads, each with its own connection pool (default 2)."_s, u"N"_s},
        {u"max-body"_s, u"Largest accepted body in bytes (default %1)."_s.arg(d.maxBodyBytes),
         u"BYTES"_s},
        {u"header"_s, u"Extra request header 'Name: value' (repeatable)."_s, u"HEADER"_s},
        {u"user"_s,
         u"Basic auth for every node as USER:PASSWORD (the password is never stored; mind "
         "that the command line is visible to other local users)."_s,
         u"USER:PASSWORD"_s},
        {u"auth-file"_s,
         u"Credentials per group of nodes: a JSON file with the API's \"auth\" array, e.g. "
         "[{\"match\": {\"dc\": \"fra1\"}, \"basicAuth\": {\"user\": \"svc\", "
         "\"passwordFile\": \"/etc/artemis/fra1.pass\"}}, {\"match\": {}, "
         "\"bearerTokenFile\": \"/etc/artemis/default.token\"}] (first match wins; the files "
         "are read when each round starts)."_s,
         u"FILE"_s},
        {u"ca-file"_s,
         u"PEM file of the CA certificate(s) https nodes must chain to (instead of the "
         "system's)."_s,
         u"FILE"_s},
        {u"insecure-skip-verify"_s,
         u"https: accept any certificate and host name (testing only)."_s},
        {u"follow-redirects"_s,
         u"Follow 3xx answers, at most %1 hops (default: a 3xx is http_error)."_s.arg(
             FetchOptions::MaxRedirects)},
        {u"every"_s,
         u"Repeat the hunt every DURATION (e.g. 30s, 5m, 1h; at least 1s) until Ctrl-C or "
         "--rounds; a round still running when the next is due is skipped, not stacked."_s,
         u"DURATION"_s},
        {u"rounds"_s, u"With --every: stop after N rounds (default: run until Ctrl-C)."_s, u"N"_s},
        {u"extract"_s,
         u"Name the value at a JSON PATH of each answer as metric NAME (a Prometheus metric "
         "name), e.g. mem_used_bytes=mem.used; stored with the hunt and served by serve's "
         "/api/v1/hunts/ID/metrics (repeatable)."_s,
         u"NAME=PATH"_s},
        {u"keep"_s,
         u"With --every: keep the newest N rounds on disk, delete older ones "
         "(default 100)."_s,
         u"N"_s},
        {u"json"_s, u"Print one JSON object with the hunt id, state, counts and timing (with "
                    "--every: one line per round)."_s},
        {u"ndjson"_s, u"Print each node's outcome as one JSON line on standard output as it "
                      "finishes (the summary goes to standard error)."_s},
        {u"quiet"_s, u"No progress line and no failure list."_s},
    });
    parser.addOption(strictPermissionsOption());
    parser.addOptions(targetPolicyOptions());
    parser.addHelpOption();
}

// --node, --nodes-file, --label, --nodes-from: the nodes, their labels, where each came from.
Result<void> readNodes(const QCommandLineParser &parser, HuntSettings &s)
{
    Labels commonLabels;
    for (const QString &value : parser.values(u"label"_s)) {
        const Result<QPair<QString, QString>> label = parseLabelAssignment(value);
        if (!label) {
            return usage(label.error().message);
        }
        commonLabels.insert(label->first, label->second);
    }
    QStringList nodes;
    for (const QString &value : parser.values(u"node"_s)) {
        // Commas inside a range ("host[1,3]") belong to it.
        nodes += splitNodeList(value);
    }
    QList<Labels> labels(nodes.size(), commonLabels);
    if (parser.isSet(u"nodes-file"_s)) {
        const QString path = parser.value(u"nodes-file"_s);
        QFile file;
        const bool opened = path == u"-"_s
                                ? file.open(stdin, QIODevice::ReadOnly)
                                : (file.setFileName(path), file.open(QIODevice::ReadOnly));
        if (!opened) {
            return usage(u"cannot read nodes file '%1': %2"_s.arg(path, file.errorString()));
        }
        Result<NodeFile> read = parseNodeFile(file.readAll(), path);
        if (!read) {
            return usage(read.error().message);
        }
        if (read->nodes.isEmpty()) {
            return usage(
                u"nodes file '%1' has no nodes (only blank lines and # comments)"_s.arg(path));
        }
        s.flagNodes = nodes.size();
        s.nodesFile = path;
        s.fileLines = read->lines;
        for (qsizetype i = 0; i < read->nodes.size(); ++i) {
            labels.append(read->labels.isEmpty() ? commonLabels
                                                 : withDefaults(read->labels.at(i), commonLabels));
        }
        nodes += read->nodes;
    }
    if (parser.isSet(u"nodes-from"_s)) {
        if (!nodes.isEmpty() || parser.isSet(u"nodes-file"_s) || parser.isSet(u"label"_s)) {
            return usage(u"--nodes-from replaces --node, --nodes-file and --label"_s);
        }
        const QString from = parser.value(u"nodes-from"_s);
        const bool url = from.startsWith(u"http://"_s) || from.startsWith(u"https://"_s);
        Result<NodeSource> source = NodeSource::fromJson(QJsonObject{
            {url ? u"http"_s : u"file"_s, url ? from : QFileInfo(from).absoluteFilePath()}});
        if (!source) {
            return usage(source.error().message);
        }
        s.nodesFrom = std::move(source).value();
    } else if (nodes.isEmpty()) {
        return usage(u"no nodes given: use --node NODE or --nodes-file FILE"_s);
    }
    s.request.nodes = nodes;
    if (std::any_of(labels.cbegin(), labels.cend(), [](const Labels &l) { return !l.isEmpty(); })) {
        s.request.labels = std::move(labels);
    }
    return {};
}

// --timeout-ms, --attempts, --concurrency, --max-body, --threads; --every, --rounds, --keep.
Result<void> readNumbers(const QCommandLineParser &parser, HuntSettings &s)
{
    FetchOptions &o = s.request.options;
    const Result<int> timeout =
        numberOption<int>(parser, u"timeout-ms"_s, o.timeoutMs, 1, FetchOptions::MaxTimeoutMs);
    const Result<int> attempts =
        numberOption<int>(parser, u"attempts"_s, o.attempts, 1, FetchOptions::MaxAttempts);
    const Result<int> concurrency =
        numberOption<int>(parser, u"concurrency"_s, o.concurrency, 1, FetchOptions::MaxConcurrency);
    const Result<int> threads = numberOption<int>(parser, u"threads"_s, s.threads, 1, 64);
    const Result<int> maxBody = numberOption<int>(parser, u"max-body"_s, int(o.maxBodyBytes), 1,
                                                  std::numeric_limits<int>::max());
    for (const Result<int> *r : {&timeout, &attempts, &concurrency, &threads, &maxBody}) {
        if (!*r) {
            return usage(r->error().message);
        }
    }
    o.timeoutMs = *timeout;
    o.attempts = *attempts;
    o.concurrency = *concurrency;
    o.maxBodyBytes = *maxBody;
    s.threads = *threads;
    if (parser.isSet(u"every"_s)) {
        const Result<qint64> every = parseDurationMs(parser.value(u"every"_s));
        if (!every) {
            return usage(u"--every: "_s + every.error().message);
        }
        s.everyMs = *every;
    } else if (parser.isSet(u"rounds"_s) || parser.isSet(u"keep"_s) || s.nodesFrom) {
        return usage(u"--rounds, --keep and --nodes-from need --every"_s);
    }
    const Result<int> rounds = numberOption<int>(parser, u"rounds"_s, 0, 1, 1000000000);
    const Result<int> keep =
        numberOption<int>(parser, u"keep"_s, 100, 1, RetentionPolicy::MaxKeepRounds);
    for (const Result<int> *r : {&rounds, &keep}) {
        if (!*r) {
            return usage(r->error().message);
        }
    }
    s.rounds = *rounds;
    s.keep = *keep;
    return {};
}

// --header, --user, --auth-file (and whether its secret files are others' to read).
Result<void> readCredentials(const QCommandLineParser &parser, HuntSettings &s)
{
    FetchOptions &o = s.request.options;
    for (const QString &header : parser.values(u"header"_s)) {
        const qsizetype colon = header.indexOf(u':');
        if (colon <= 0) {
            return usage(u"--header must look like 'Name: value', not '%1'"_s.arg(header));
        }
        o.headers.append(
            {header.left(colon).trimmed().toLatin1(), header.mid(colon + 1).trimmed().toUtf8()});
    }
    if (parser.isSet(u"user"_s)) {
        const QString user = parser.value(u"user"_s);
        const qsizetype colon = user.indexOf(u':');
        if (colon <= 0) {
            return usage(u"--user must look like USER:PASSWORD"_s);
        }
        o.basicAuth = FetchOptions::BasicAuth{user.left(colon), user.mid(colon + 1)};
        addRedactedValue(o.basicAuth->password);
    }
    QStringList headerNames;
    for (const auto &header : std::as_const(o.headers)) {
        headerNames.append(QString::fromLatin1(header.first));
    }
    addRedactedHeaderNames(headerNames); // their values never reach a log line
    QStringList secretFiles;
    if (parser.isSet(u"auth-file"_s)) {
        const QString path = parser.value(u"auth-file"_s);
        const Result<QByteArray> text =
            FileAccess::unrestricted().read(path, 1024 * 1024, u"--auth-file"_s);
        QJsonParseError parseError;
        const QJsonDocument doc =
            text ? QJsonDocument::fromJson(*text, &parseError) : QJsonDocument();
        if (!text || parseError.error != QJsonParseError::NoError) {
            return usage(!text ? text.error().message
                               : u"--auth-file '%1': not valid JSON at byte %2"_s.arg(path).arg(
                                   parseError.offset));
        }
        Result<AuthRules> rules = authRulesFromJson(
            doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()), false);
        if (!rules) {
            return usage(u"--auth-file '%1': %2"_s.arg(path, rules.error().message));
        }
        o.auth = std::move(rules).value();
        for (const AuthRule &rule : std::as_const(o.auth)) {
            secretFiles.append(rule.bearerTokenFile.isEmpty() ? rule.passwordFile
                                                              : rule.bearerTokenFile);
        }
    }
    const Result<QStringList> permissions =
        secretFileWarnings(OptionSource(parser), {}, secretFiles);
    if (!permissions) {
        return usage(permissions.error().message);
    }
    s.warnings = *permissions;
    return {};
}

// --ca-file, --extract, --insecure-skip-verify, --follow-redirects, then the options as a whole.
Result<void> readRest(const QCommandLineParser &parser, HuntSettings &s)
{
    FetchOptions &o = s.request.options;
    if (parser.isSet(u"ca-file"_s)) {
        if (const Result<void> loaded =
                o.loadCaFile(parser.value(u"ca-file"_s), FileAccess::unrestricted());
            !loaded) {
            return usage(loaded.error().message);
        }
    }
    Result<ExtractList> extract = parseExtractArguments(parser.values(u"extract"_s));
    if (!extract) {
        return usage(extract.error().message);
    }
    s.request.extract = std::move(extract).value();
    o.insecureSkipVerify = parser.isSet(u"insecure-skip-verify"_s);
    o.followRedirects = parser.isSet(u"follow-redirects"_s);
    if (const Result<void> valid = o.validate(); !valid) {
        return usage(valid.error().message);
    }
    return {};
}

} // namespace

QString HuntSettings::optionsHelp()
{
    QCommandLineParser parser;
    addOptions(parser);
    return parser.helpText();
}

Result<HuntSettings> HuntSettings::parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    addOptions(parser);
    HuntSettings s;
    if (!parser.parse(arguments)) {
        return usage(parser.errorText());
    }
    if (parser.isSet(u"help"_s)) {
        s.help = true;
        return s;
    }
    if (!parser.positionalArguments().isEmpty()) {
        return usage(u"unexpected argument '%1'"_s.arg(parser.positionalArguments().first()));
    }
    if (!parser.isSet(u"url"_s)) {
        return usage(u"--url PATH is required"_s);
    }
    s.json = parser.isSet(u"json"_s);
    s.ndjson = parser.isSet(u"ndjson"_s);
    if (s.json && s.ndjson) {
        return usage(u"--json and --ndjson do not go together"_s);
    }
    s.quiet = parser.isSet(u"quiet"_s);
    s.request.url = parser.value(u"url"_s);
    s.request.origin = u"cli"_s;
    for (auto read : {readNodes, readNumbers, readCredentials, readRest}) {
        if (const Result<void> ok = read(parser, s); !ok) {
            return ok.error();
        }
    }
    const Result<std::shared_ptr<TargetPolicy>> policy = targetPolicyFrom(OptionSource(parser));
    if (!policy) {
        return usage(policy.error().message);
    }
    s.policy = *policy;
    s.dataDir = parser.value(u"data-dir"_s);
    if (s.dataDir.isEmpty()) {
        s.dataDir = qEnvironmentVariable("ARTEMIS_DATA_DIR", u"data"_s);
    }
    return s;
}

} // namespace Artemis
