#include "headless/huntcommand.h"

#include <algorithm>

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include "core/datadirlock.h"
#include "core/duration.h"
#include "core/huntcatalog.h"
#include "core/localstack.h"
#include "core/logging.h"
#include "core/nodefile.h"
#include "core/noderange.h"
#include "core/plural.h"
#include "core/resultstore.h"
#include "core/scheduler.h"
#include "core/target.h"
#include "headless/clioptions.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr int UsageExit = 2;
constexpr int MaxFailuresListed = 10; // reasons
constexpr int FailureExamples = 3;    // nodes named per reason

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

} // namespace

HuntCommand::HuntCommand(QTextStream &out, QTextStream &err, bool interactive, QObject *parent)
    : QObject(parent), m_out(out), m_err(err), m_interactive(interactive)
{
}

HuntCommand::~HuntCommand() = default;

Scheduler *HuntCommand::scheduler() const
{
    return m_stack ? m_stack->scheduler() : nullptr;
}

QString HuntCommand::helpText()
{
    QCommandLineParser parser;
    addOptions(parser);
    QString text = parser.helpText();
    text.replace(QCoreApplication::applicationFilePath(), u"artemis-headless hunt"_s);
    text += u"\nExit status: 0 every node answered ok, 1 some node failed, 2 bad usage or "
            "invalid nodes (nothing fetched).\n"_s;
    return text;
}

void HuntCommand::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    addOptions(parser);
    auto usageError = [this](const QString &message) {
        m_err << "artemis-headless hunt: " << message << '\n'
              << "Try 'artemis-headless hunt --help'.\n";
        m_err.flush();
        finish(UsageExit);
    };
    if (!parser.parse(arguments)) {
        usageError(parser.errorText());
        return;
    }
    if (parser.isSet(u"help"_s)) {
        m_out << helpText();
        m_out.flush();
        finish(0);
        return;
    }
    if (!parser.positionalArguments().isEmpty()) {
        usageError(u"unexpected argument '%1'"_s.arg(parser.positionalArguments().first()));
        return;
    }
    if (!parser.isSet(u"url"_s)) {
        usageError(u"--url PATH is required"_s);
        return;
    }
    m_json = parser.isSet(u"json"_s);
    m_ndjson = parser.isSet(u"ndjson"_s);
    if (m_json && m_ndjson) {
        usageError(u"--json and --ndjson do not go together"_s);
        return;
    }
    m_quiet = parser.isSet(u"quiet"_s);

    Labels commonLabels;
    for (const QString &value : parser.values(u"label"_s)) {
        const Result<QPair<QString, QString>> label = parseLabelAssignment(value);
        if (!label) {
            usageError(label.error().message);
            return;
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
            usageError(u"cannot read nodes file '%1': %2"_s.arg(path, file.errorString()));
            return;
        }
        Result<NodeFile> read = parseNodeFile(file.readAll(), path);
        if (!read) {
            usageError(read.error().message);
            return;
        }
        if (read->nodes.isEmpty()) {
            usageError(
                u"nodes file '%1' has no nodes (only blank lines and # comments)"_s.arg(path));
            return;
        }
        m_flagNodes = nodes.size();
        m_nodesFile = path;
        m_fileLines = read->lines;
        for (qsizetype i = 0; i < read->nodes.size(); ++i) {
            labels.append(read->labels.isEmpty() ? commonLabels
                                                 : withDefaults(read->labels.at(i), commonLabels));
        }
        nodes += read->nodes;
    }
    std::optional<NodeSource> nodesFrom;
    if (parser.isSet(u"nodes-from"_s)) {
        if (!nodes.isEmpty() || parser.isSet(u"nodes-file"_s) || parser.isSet(u"label"_s)) {
            usageError(u"--nodes-from replaces --node, --nodes-file and --label"_s);
            return;
        }
        const QString from = parser.value(u"nodes-from"_s);
        const bool url = from.startsWith(u"http://"_s) || from.startsWith(u"https://"_s);
        Result<NodeSource> source = NodeSource::fromJson(QJsonObject{
            {url ? u"http"_s : u"file"_s, url ? from : QFileInfo(from).absoluteFilePath()}});
        if (!source) {
            usageError(source.error().message);
            return;
        }
        nodesFrom = std::move(source).value();
    } else if (nodes.isEmpty()) {
        usageError(u"no nodes given: use --node NODE or --nodes-file FILE"_s);
        return;
    }

    HuntRequest request;
    request.nodes = nodes;
    if (std::any_of(labels.cbegin(), labels.cend(), [](const Labels &l) { return !l.isEmpty(); })) {
        request.labels = std::move(labels);
    }
    request.url = parser.value(u"url"_s);
    request.origin = u"cli"_s;
    FetchOptions &o = request.options;
    const Result<int> timeout =
        numberOption<int>(parser, u"timeout-ms"_s, o.timeoutMs, 1, FetchOptions::MaxTimeoutMs);
    const Result<int> attempts =
        numberOption<int>(parser, u"attempts"_s, o.attempts, 1, FetchOptions::MaxAttempts);
    const Result<int> concurrency =
        numberOption<int>(parser, u"concurrency"_s, o.concurrency, 1, FetchOptions::MaxConcurrency);
    const Result<int> threads = numberOption<int>(parser, u"threads"_s, 2, 1, 64);
    const Result<int> maxBody = numberOption<int>(parser, u"max-body"_s, int(o.maxBodyBytes), 1,
                                                  std::numeric_limits<int>::max());
    for (const Result<int> *r : {&timeout, &attempts, &concurrency, &threads, &maxBody}) {
        if (!*r) {
            usageError(r->error().message);
            return;
        }
    }
    o.timeoutMs = *timeout;
    o.attempts = *attempts;
    o.concurrency = *concurrency;
    o.maxBodyBytes = *maxBody;
    qint64 everyMs = 0;
    if (parser.isSet(u"every"_s)) {
        const Result<qint64> every = parseDurationMs(parser.value(u"every"_s));
        if (!every) {
            usageError(u"--every: "_s + every.error().message);
            return;
        }
        everyMs = *every;
    } else if (parser.isSet(u"rounds"_s) || parser.isSet(u"keep"_s) || nodesFrom) {
        usageError(u"--rounds, --keep and --nodes-from need --every"_s);
        return;
    }
    const Result<int> rounds = numberOption<int>(parser, u"rounds"_s, 0, 1, 1000000000);
    const Result<int> keep =
        numberOption<int>(parser, u"keep"_s, 100, 1, RetentionPolicy::MaxKeepRounds);
    for (const Result<int> *r : {&rounds, &keep}) {
        if (!*r) {
            usageError(r->error().message);
            return;
        }
    }
    for (const QString &header : parser.values(u"header"_s)) {
        const qsizetype colon = header.indexOf(u':');
        if (colon <= 0) {
            usageError(u"--header must look like 'Name: value', not '%1'"_s.arg(header));
            return;
        }
        o.headers.append(
            {header.left(colon).trimmed().toLatin1(), header.mid(colon + 1).trimmed().toUtf8()});
    }
    if (parser.isSet(u"user"_s)) {
        const QString user = parser.value(u"user"_s);
        const qsizetype colon = user.indexOf(u':');
        if (colon <= 0) {
            usageError(u"--user must look like USER:PASSWORD"_s);
            return;
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
            usageError(!text ? text.error().message
                             : u"--auth-file '%1': not valid JSON at byte %2"_s.arg(path).arg(
                                 parseError.offset));
            return;
        }
        Result<AuthRules> rules = authRulesFromJson(
            doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()), false);
        if (!rules) {
            usageError(u"--auth-file '%1': %2"_s.arg(path, rules.error().message));
            return;
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
        usageError(permissions.error().message);
        return;
    }
    for (const QString &warning : *permissions) {
        m_err << "artemis-headless hunt: warning: " << warning << '\n';
    }
    if (parser.isSet(u"ca-file"_s)) {
        if (const Result<void> loaded =
                o.loadCaFile(parser.value(u"ca-file"_s), FileAccess::unrestricted());
            !loaded) {
            usageError(loaded.error().message);
            return;
        }
    }
    Result<ExtractList> extract = parseExtractArguments(parser.values(u"extract"_s));
    if (!extract) {
        usageError(extract.error().message);
        return;
    }
    request.extract = std::move(extract).value();
    o.insecureSkipVerify = parser.isSet(u"insecure-skip-verify"_s);
    o.followRedirects = parser.isSet(u"follow-redirects"_s);
    if (const Result<void> valid = o.validate(); !valid) {
        usageError(valid.error().message);
        return;
    }

    const Result<std::shared_ptr<TargetPolicy>> policy = targetPolicyFrom(OptionSource(parser));
    if (!policy) {
        usageError(policy.error().message);
        return;
    }

    QString dataDir = parser.value(u"data-dir"_s);
    if (dataDir.isEmpty()) {
        dataDir = qEnvironmentVariable("ARTEMIS_DATA_DIR", u"data"_s);
    }
    LocalStackConfig config;
    config.dataDir = dataDir;
    config.command = u"artemis-headless hunt"_s;
    config.threads = *threads;
    config.engine.policy = *policy;
    if (everyMs > 0) {
        // In memory only: a foreground schedule ends with this process.
        SchedulerConfig scheduling;
        scheduling.persist = false;
        scheduling.maxSchedules = 1;
        config.scheduler = scheduling;
    } else {
        config.scheduler.reset();
    }
    Result<std::unique_ptr<LocalStack>> stack = LocalStack::open(std::move(config));
    if (!stack) {
        m_err << "artemis-headless hunt: " << dataDirProblem(dataDir, stack.error()) << '\n';
        m_err.flush();
        finish(UsageExit);
        return;
    }
    m_stack = std::move(stack).value();
    connect(m_stack->catalog(), &HuntCatalog::huntProgress, this, &HuntCommand::onProgress);
    connect(m_stack->catalog(), &HuntCatalog::huntFinished, this, &HuntCommand::onFinished);

    if (everyMs > 0) {
        if (!startSchedule(request, nodesFrom, everyMs, *rounds, *keep)) {
            finish(UsageExit);
        }
        return;
    }
    const Result<HuntInfo> submitted = m_stack->engine()->submit(request);
    if (!submitted) {
        reportRefused(submitted.error());
        finish(UsageExit);
        return;
    }
    m_huntId = submitted->id;
    if (!m_json && !submitted->duplicates.isEmpty()) {
        m_err << "note: " << countOf(submitted->duplicates.size(), u"duplicate node")
              << " fetched once: " << submitted->duplicates.join(u", "_s) << '\n';
        m_err.flush();
    }
}

void HuntCommand::reportRefused(const Error &error)
{
    // A position from core counts the nodes as given; a file's node is named by its line.
    auto where = [this](int index) {
        const qsizetype inFile = index - m_flagNodes;
        if (inFile >= 0 && !m_nodesFile.isEmpty()) {
            return inFile < m_fileLines.size()
                       ? u"%1 line %2"_s.arg(m_nodesFile).arg(m_fileLines.at(inFile))
                       : u"%1 node %2"_s.arg(m_nodesFile).arg(inFile + 1);
        }
        return u"node %1"_s.arg(index + 1);
    };
    const QJsonArray bad = error.details.toArray();
    QString message = error.message;
    if (!bad.isEmpty()) {
        // The message's own "first: node N ..." repeats the first line below, by position.
        const qsizetype first = message.indexOf(u"; first: "_s);
        const QString one = error.code == ErrorCode::Denied ? u"node denied by the target policy"_s
                                                            : u"invalid node"_s;
        message = first < 0 ? one : message.left(first);
    }
    m_err << "artemis-headless hunt: " << message << '\n';
    for (const QJsonValue &value : bad) {
        const QJsonObject b = value.toObject();
        m_err << "  " << where(b.value(u"index"_s).toInt()) << " '" << b.value(u"node"_s).toString()
              << "': " << b.value(u"reason"_s).toString() << '\n';
    }
    m_err << "Nothing was fetched.\n";
    m_err.flush();
}

bool HuntCommand::startSchedule(const HuntRequest &request,
                                const std::optional<NodeSource> &nodesFrom, qint64 everyMs,
                                int rounds, int keep)
{
    connect(scheduler(), &Scheduler::roundStarted, this,
            [this](const QString &, const HuntInfo &info) { m_huntId = info.id; });
    connect(scheduler(), &Scheduler::roundSkipped, this,
            [this](const QString &, const QString &reason) {
                m_err << "round skipped: " << reason << '\n';
                m_err.flush();
            });
    ScheduleSpec spec = ScheduleSpec::forRequest(request, everyMs);
    spec.maxRounds = rounds;
    spec.retention.keepRounds = keep;
    m_maxRounds = rounds;
    if (!nodesFrom) {
        return scheduleCreated(scheduler()->create(spec), everyMs, rounds);
    }
    spec.nodesFrom = nodesFrom;
    // The source's first read may take a round trip: the command goes on when it is done.
    scheduler()->createLater(spec, this, [this, everyMs, rounds](const Result<Schedule> &created) {
        if (!scheduleCreated(created, everyMs, rounds)) {
            finish(UsageExit);
        }
    });
    return true;
}

bool HuntCommand::scheduleCreated(const Result<Schedule> &created, qint64 everyMs, int rounds)
{
    if (!created) {
        reportRefused(created.error());
        return false;
    }
    if (!m_json) {
        m_err << "schedule " << created->id << ": one round every " << durationText(everyMs)
              << (rounds > 0 ? u", %1 round(s)"_s.arg(rounds) : u" until Ctrl-C"_s) << '\n';
    }
    for (const QString &warning : created->spec.warnings()) {
        m_err << "warning: " << warning << '\n';
    }
    m_err.flush();
    return true;
}

void HuntCommand::interrupt()
{
    if (scheduler()) {
        m_interrupted = true;
        scheduler()->stop();
        if (m_huntId.isEmpty() || !m_stack->engine()->activeInfo(m_huntId)) {
            finish(m_allRoundsOk ? 0 : 1); // between rounds: nothing to cancel
            return;
        }
    }
    if (m_stack && !m_huntId.isEmpty()) {
        (void)m_stack->catalog()->cancel(m_huntId);
    }
}

void HuntCommand::onProgress(const HuntProgress &p)
{
    if (p.id != m_huntId) {
        return;
    }
    if (m_ndjson) {
        for (const Outcome &outcome : p.newOutcomes) {
            m_out << QJsonDocument(outcome.toJson()).toJson(QJsonDocument::Compact) << '\n';
        }
        m_out.flush();
    }
    if (!m_interactive || m_json || m_quiet) {
        return;
    }
    m_lastProgress = p;
    m_lastProgress.newOutcomes.clear();
    if (!m_progressTimer) {
        // Redrawn every second even when no node finishes, so the line never looks frozen.
        m_progressTimer = new QTimer(this);
        m_progressTimer->setInterval(1000);
        connect(m_progressTimer, &QTimer::timeout, this, &HuntCommand::drawProgress);
        m_progressTimer->start();
        m_progressClock.start();
    }
    drawProgress();
}

void HuntCommand::drawProgress()
{
    const HuntProgress &p = m_lastProgress;
    static constexpr char Spinner[] = {'|', '/', '-', '\\'};
    const int cancelled = p.counts.count(OutcomeKind::Cancelled);
    m_err << "\r\x1b[2K" << Spinner[(m_spin++) % 4] << ' ' << p.done << '/' << p.total << " done  "
          << p.counts.count(OutcomeKind::Ok) << " ok  " << p.counts.failed() << " failed  ";
    if (cancelled > 0) {
        m_err << cancelled << " cancelled  ";
    }
    // After 3 s without a node finishing, name the oldest unfinished ones instead of a count.
    if (p.sinceLastOutcomeMs >= StallNamingMs && p.unfinished.count > 0) {
        m_err << "waiting on " << p.unfinished.count << ": " << p.unfinished.describe(3) << "  ";
    } else {
        m_err << p.total - p.done << " in flight or waiting to retry  ";
    }
    m_err << qRound(p.nodesPerSecond) << " nodes/s  "
          << durationText(m_progressClock.elapsed() / 1000 * 1000);
    m_err.flush();
    m_progressShown = true;
}

void HuntCommand::onFinished(const HuntInfo &info)
{
    if (info.id != m_huntId) {
        return;
    }
    const int exitCode = printSummary(info);
    if (!scheduler()) {
        finish(exitCode);
        return;
    }
    ++m_roundsFinished;
    m_allRoundsOk = m_allRoundsOk && exitCode == 0;
    if (m_interrupted || (m_maxRounds > 0 && m_roundsFinished >= m_maxRounds)) {
        finish(m_allRoundsOk ? 0 : 1);
    }
}

int HuntCommand::printSummary(const HuntInfo &info)
{
    if (m_progressShown) {
        m_err << "\r\x1b[2K";
        m_err.flush();
    }
    const int exitCode =
        info.state == HuntState::Done && info.counts.count(OutcomeKind::Ok) == info.total ? 0 : 1;
    const qint64 elapsed = info.elapsedMs();
    if (m_json) {
        QJsonObject json{
            {u"hunt"_s, info.id},
            {u"state"_s, huntStateName(info.state)},
            {u"total"_s, info.total},
            {u"done"_s, info.done},
            {u"counts"_s, info.counts.toJson()},
            {u"elapsedMs"_s, elapsed},
            {u"results"_s,
             QDir::cleanPath(m_stack->store()->huntDir(info.id) + u"/results.ndjson"_s)},
        };
        if (!info.duplicates.isEmpty()) {
            json.insert(u"duplicates"_s, QJsonArray::fromStringList(info.duplicates));
        }
        if (!info.error.isEmpty()) {
            json.insert(u"error"_s, info.error);
        }
        if (!info.schedule.isEmpty()) {
            json.insert(u"schedule"_s, info.schedule);
            json.insert(u"round"_s, info.round);
        }
        m_out << QJsonDocument(json).toJson(QJsonDocument::Compact) << '\n';
        m_out.flush();
        return exitCode;
    }
    const double rate = elapsed > 0 ? info.done * 1000.0 / double(elapsed) : 0.0;
    if (info.round > 0) {
        m_out << "round " << info.round << ": ";
    }
    QTextStream &out = m_ndjson ? m_err : m_out; // stdout carries the outcomes then
    const int cancelled = info.counts.count(OutcomeKind::Cancelled);
    out << "hunt " << info.id << ' ' << huntStateName(info.state) << " in "
        << QString::number(double(elapsed) / 1000.0, 'f', 2) << " s: " << nodeCount(info.total)
        << ", " << info.counts.count(OutcomeKind::Ok) << " ok, " << info.counts.failed()
        << " failed";
    if (cancelled > 0) {
        out << ", " << cancelled << " cancelled";
    }
    out << " (" << qRound(rate) << " nodes/s)\n";
    for (int i = 0; i < OutcomeKindCount; ++i) {
        const auto kind = static_cast<OutcomeKind>(i);
        if (info.counts.count(kind) > 0) {
            out << "  " << qSetFieldWidth(14) << Qt::left << outcomeName(kind) << qSetFieldWidth(0)
                << info.counts.count(kind) << '\n';
        }
    }
    if (!info.error.isEmpty()) {
        out << "error: " << info.error << '\n';
    }
    if (info.counts.failed() > 0 && !m_quiet) {
        printFailures(out, info.id);
    }
    out << "results: " << QDir::cleanPath(m_stack->store()->huntDir(info.id) + u"/results.ndjson"_s)
        << '\n';
    out.flush();
    return exitCode;
}

void HuntCommand::printFailures(QTextStream &out, const QString &huntId)
{
    // Grouped by outcome and reason, the largest group first: 2,000 nodes failing five ways
    // read as five lines, not as the first ten nodes in file order.
    struct Group
    {
        OutcomeKind kind;
        QString reason;
        int count = 0;
        QStringList examples;
    };
    QHash<QString, int> index;
    QList<Group> groups;
    (void)m_stack->store()->forEachResult(huntId, [&](const Outcome &o) {
        if (o.outcome == OutcomeKind::Ok || o.outcome == OutcomeKind::Cancelled) {
            return true;
        }
        const QString reason = failureReason(o);
        const QString key = outcomeName(o.outcome) + u'\n' + reason;
        auto it = index.find(key);
        if (it == index.end()) {
            it = index.insert(key, int(groups.size()));
            groups.append(Group{o.outcome, reason, 0, {}});
        }
        Group &g = groups[*it];
        ++g.count;
        if (g.examples.size() < FailureExamples) {
            g.examples.append(o.node);
        }
        return true;
    });
    std::stable_sort(groups.begin(), groups.end(),
                     [](const Group &a, const Group &b) { return a.count > b.count; });
    out << "failures by reason:\n";
    for (qsizetype i = 0; i < groups.size() && i < MaxFailuresListed; ++i) {
        const Group &g = groups[i];
        out << "  " << g.count << ' ' << outcomeName(g.kind) << ": " << g.reason << " ("
            << g.examples.join(u", "_s);
        if (g.count > g.examples.size()) {
            out << ", +" << g.count - g.examples.size() << " more";
        }
        out << ")\n";
    }
    if (groups.size() > MaxFailuresListed) {
        out << "  ... and " << groups.size() - MaxFailuresListed << " more reasons\n";
    }
}

void HuntCommand::finish(int exitCode)
{
    // Delivered from the event loop, so callers can connect after start() returns.
    QTimer::singleShot(0, this, [this, exitCode] { Q_EMIT finished(exitCode); });
}

} // namespace Artemis
