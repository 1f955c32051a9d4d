#include "headless/cli/servecommand.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>

#include "core/base/datadirlock.h"
#include "core/base/duration.h"
#include "core/base/logging.h"
#include "core/base/plural.h"
#include "core/broker/redisexecutor.h"
#include "core/engine/huntengine.h"
#include "core/rules/alertrule.h"
#include "core/service/huntcatalog.h"
#include "core/service/localstack.h"
#include "core/store/resultstore.h"
#include "core/watch/scheduler.h"
#include "headless/cli/brokeroptions.h"
#include "headless/cli/clioptions.h"
#include "headless/cli/optionsource.h"
#include "headless/cli/servicenotify.h"
#include "headless/cli/tlsfiles.h"
#include "headless/rest/restserver.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr int UsageExit = 2;

const QString Description =
    u"Serve the Artemis REST API: POST /fetch (the old tool's form call), /api/v1/hunts, "
    "GET /metric (this host's metrics), /metrics (Prometheus), /healthz, /readyz."_s;
// The options that may be given more than once (and on several lines of a config file).
const QStringList Repeatable = {u"allow"_s, u"deny"_s, u"allow-origin"_s, u"allow-host"_s,
                                u"allow-files"_s};

QList<QCommandLineOption> serveOptions()
{
    QList<QCommandLineOption> options{
        {u"listen"_s,
         u"Address and port to listen on (default 127.0.0.1:5000; port 0 picks a "
         "free one). A non-loopback address needs a token."_s,
         u"ADDR:PORT"_s},
        {u"data-dir"_s, u"Where hunts are stored (default: $ARTEMIS_DATA_DIR or ./data)."_s,
         u"DIR"_s},
        {u"token-file"_s,
         u"File holding the API token (else $ARTEMIS_TOKEN). With a token, "
         "/fetch and /api/v1/* need 'Authorization: Bearer TOKEN'."_s,
         u"FILE"_s},
        {u"max-nodes"_s, u"Most nodes per hunt (default 100000)."_s, u"N"_s},
        {u"max-body"_s,
         u"Largest request body in bytes (default 10485760); a request declaring more gets "
         "413 before its body is read."_s,
         u"BYTES"_s},
        {u"max-connections"_s,
         u"Most client connections open at once (default 1024); more are refused at accept."_s,
         u"N"_s},
        {u"idle-timeout"_s,
         u"Close a connection idle this long, or whose request stalls this long (default "
         "30s; e.g. 500ms, 2m)."_s,
         u"DURATION"_s},
        {u"body-timeout"_s,
         u"A request body must arrive whole within this time after its head (default 10s); "
         "else 408 and the connection is closed."_s,
         u"DURATION"_s},
        {u"max-body-memory"_s,
         u"Bytes of request bodies held in memory at once, over all connections (default "
         "67108864); a body beyond it gets 503 before it is read."_s,
         u"BYTES"_s},
        {u"max-running"_s, u"Hunts fetching at once (default 4); more wait in a queue."_s, u"N"_s},
        {u"max-queued"_s, u"Hunts waiting beyond --max-running before 429 (default 64)."_s, u"N"_s},
        {u"threads"_s, u"Fetch threads (default 2)."_s, u"N"_s},
        {u"broker"_s,
         u"Distributed mode: send the nodes to 'artemis-headless worker' processes "
         "through this Redis, redis://[USER:PASSWORD@]HOST:PORT[/DB], instead of fetching "
         "here (percent-encode reserved characters in USER and PASSWORD)."_s,
         u"URL"_s},
        {u"broker-password-file"_s,
         u"Read the Redis password from FILE (trailing newline ignored) instead of the "
         "--broker URL, keeping it out of 'ps'."_s,
         u"FILE"_s},
        {u"broker-secret-file"_s,
         u"Distributed mode: sign jobs and results with the secret in FILE (shared with every "
         "worker) and seal header values and passwords; results not signed with it are "
         "refused. Without it, hunts with header values or a password are refused."_s,
         u"FILE"_s},
        {u"allow-origin"_s,
         u"Let web pages from ORIGIN (e.g. http://dash.example:8080) call "
         "/fetch and /api/v1 (repeatable); other origins get 403."_s,
         u"ORIGIN"_s},
        {u"allow-host"_s,
         u"Answer requests whose Host is NAME without a token (repeatable); "
         "by default only loopback names are (DNS rebinding)."_s,
         u"NAME"_s},
        {u"tls-cert"_s,
         u"Serve HTTPS only, with this PEM certificate (the server's first, then "
         "any intermediates). Needs --tls-key."_s,
         u"FILE"_s},
        {u"tls-key"_s, u"The PEM private key (RSA or EC, not encrypted) of --tls-cert."_s,
         u"FILE"_s},
        {u"alertmanager"_s,
         u"Send the schedules' firing and resolved alerts to this Alertmanager "
         "(http://HOST:9093; its v2 API)."_s,
         u"URL"_s},
        {u"allow-files"_s,
         u"Let API requests and schedules name files under DIR (repeatable): nodesFrom "
         "files, caFile, auth password and token files. Regular files only; none by default "
         "(such a request gets 403)."_s,
         u"DIR"_s},
        {u"insecure-no-auth"_s,
         u"Allow listening on a non-loopback address without a token (anyone who can reach "
         "the port can make this host fetch URLs)."_s},
    };
    options.append(strictPermissionsOption());
    options.append(targetPolicyOptions());
    return options;
}

} // namespace

bool ServeSettings::tokenInClear() const
{
    return !address.isLoopback() && !token.isEmpty() && !tls();
}

QString ServeSettings::helpText()
{
    QCommandLineParser parser;
    parser.setApplicationDescription(Description);
    parser.addOptions(serveOptions());
    parser.addOption(configOption());
    parser.addHelpOption();
    QString text = parser.helpText();
    text.replace(QCoreApplication::applicationFilePath(), u"artemis-headless serve"_s);
    return text;
}

namespace {

// --data-dir and --token-file. Precedence: flag, environment, config file, default. A variable
// set but empty counts as not set, so that it cannot hide the file's value (an empty token
// would mean no auth).
Result<void> readDataDirAndToken(const OptionSource &o, const QHash<QString, QString> &environment,
                                 ServeSettings &s)
{
    const QString envDataDir = environment.value(u"ARTEMIS_DATA_DIR"_s);
    const QByteArray envToken = environment.value(u"ARTEMIS_TOKEN"_s).trimmed().toUtf8();
    if (o.onCommandLine(u"data-dir"_s)) {
        s.dataDir = o.value(u"data-dir"_s);
    } else if (!envDataDir.isEmpty()) {
        s.dataDir = envDataDir;
    } else {
        s.dataDir = o.value(u"data-dir"_s);
    }
    if (s.dataDir.isEmpty()) {
        s.dataDir = u"./data"_s;
    }
    if (!o.isSet(u"token-file"_s) || (!o.onCommandLine(u"token-file"_s) && !envToken.isEmpty())) {
        s.token = envToken;
        return {};
    }
    QFile tokenFile(o.value(u"token-file"_s));
    if (!tokenFile.open(QIODevice::ReadOnly)) {
        return o.locate(u"token-file"_s,
                        makeError(ErrorCode::InvalidArgument,
                                  u"cannot read --token-file '%1': %2"_s.arg(
                                      tokenFile.fileName(), tokenFile.errorString())));
    }
    s.token = tokenFile.readAll().trimmed();
    if (s.token.isEmpty()) {
        return o.locate(u"token-file"_s,
                        makeError(ErrorCode::InvalidArgument,
                                  u"--token-file '%1' is empty"_s.arg(tokenFile.fileName())));
    }
    return {};
}

// --allow-origin and --allow-host: who may call the API from a browser, and without a token.
Result<void> readAllowedCallers(const OptionSource &o, ServeSettings &s)
{
    const QStringList origins = o.values(u"allow-origin"_s);
    for (qsizetype i = 0; i < origins.size(); ++i) {
        const QString &origin = origins.at(i);
        const QUrl url(origin);
        if (!url.isValid() || url.host().isEmpty() || !url.path().isEmpty()
            || (url.scheme() != u"http"_s && url.scheme() != u"https"_s)) {
            return o.locate(
                u"allow-origin"_s,
                makeError(ErrorCode::InvalidArgument,
                          u"--allow-origin '%1' is not an origin (scheme://host[:port], "
                          "no path)"_s.arg(origin)),
                i);
        }
        s.allowedOrigins.append(origin.toLower());
    }
    const QStringList hosts = o.values(u"allow-host"_s);
    for (qsizetype i = 0; i < hosts.size(); ++i) {
        const QString &host = hosts.at(i);
        if (host.isEmpty() || host.contains(u':') || host.contains(u'/')) {
            return o.locate(
                u"allow-host"_s,
                makeError(ErrorCode::InvalidArgument,
                          u"--allow-host '%1' must be a host name without port"_s.arg(host)),
                i);
        }
        s.allowedHosts.append(host.toLower());
    }
    return {};
}

// --tls-cert and --tls-key: both or neither.
Result<void> readTlsOptions(const OptionSource &o, ServeSettings &s)
{
    if (o.isSet(u"tls-cert"_s) != o.isSet(u"tls-key"_s)) {
        return o.locate(o.isSet(u"tls-cert"_s) ? u"tls-cert"_s : u"tls-key"_s,
                        makeError(ErrorCode::InvalidArgument,
                                  u"--tls-cert and --tls-key go together: give both or neither"_s));
    }
    if (!o.isSet(u"tls-cert"_s)) {
        return {};
    }
    Result<TlsFiles> tls = readTlsFiles(o.value(u"tls-cert"_s), o.value(u"tls-key"_s));
    if (!tls) {
        return o.locate(tls.error().message.startsWith(u"--tls-cert"_s) ? u"tls-cert"_s
                                                                        : u"tls-key"_s,
                        tls.error());
    }
    s.tlsChain = std::move(tls->chain);
    s.tlsKey = std::move(tls->key);
    return {};
}

// The numbers and durations: --max-nodes ... --max-body-memory, --idle-timeout, --body-timeout.
Result<void> readLimits(const OptionSource &o, ServeSettings &s)
{
    qint64 maxNodes = s.maxNodes;
    qint64 maxRunning = s.maxRunning;
    qint64 maxQueued = s.maxQueued;
    qint64 threads = s.threads;
    qint64 maxConnections = s.maxConnections;
    const Result<void> numbers =
        readNumbers<qint64>(o, {{u"max-nodes"_s, &maxNodes, 1, 10000000},
                                {u"max-body"_s, &s.maxBodyBytes, 1024, qint64(1) << 32},
                                {u"max-running"_s, &maxRunning, 1, 1000},
                                {u"max-queued"_s, &maxQueued, 0, 100000},
                                {u"threads"_s, &threads, 1, 64},
                                {u"max-connections"_s, &maxConnections, 1, 1000000},
                                {u"max-body-memory"_s, &s.maxBodyMemory, 1024, qint64(1) << 40}});
    if (!numbers) {
        return numbers.error();
    }
    s.maxNodes = int(maxNodes);
    s.maxRunning = int(maxRunning);
    s.maxQueued = int(maxQueued);
    s.threads = int(threads);
    s.maxConnections = int(maxConnections);
    const std::pair<QString, qint64 *> durations[] = {{u"idle-timeout"_s, &s.idleTimeoutMs},
                                                      {u"body-timeout"_s, &s.bodyTimeoutMs}};
    for (const auto &[name, target] : durations) {
        if (!o.isSet(name)) {
            continue;
        }
        const Result<qint64> ms = parseDurationMs(o.value(name));
        if (!ms) {
            return o.locate(name, makeError(ErrorCode::InvalidArgument,
                                            u"--%1: %2"_s.arg(name, ms.error().message)));
        }
        *target = *ms;
    }
    return {};
}

// --alertmanager, the broker group, --allow-files: where alerts go, who fetches, what files.
Result<void> readServices(const OptionSource &o, ServeSettings &s)
{
    if (o.isSet(u"alertmanager"_s)) {
        const Result<QUrl> url = parseWebhookUrl(o.value(u"alertmanager"_s));
        if (!url || url->isEmpty()) {
            return o.locate(u"alertmanager"_s,
                            makeError(ErrorCode::InvalidArgument,
                                      u"--alertmanager '%1' is not an http:// or https:// URL "
                                      "with a host"_s.arg(o.value(u"alertmanager"_s))));
        }
        s.alertmanager = *url;
    }
    Result<BrokerOptions> broker = brokerOptionsFrom(o);
    if (!broker) {
        return broker.error();
    }
    s.broker = std::move(broker->url);
    s.brokerSecret = std::move(broker->secret);
    Result<FileAccess> files = FileAccess::allowing(o.values(u"allow-files"_s));
    if (!files) {
        return o.locate(u"allow-files"_s, files.error());
    }
    s.files = std::move(files).value();
    return {};
}

} // namespace

Result<ServeSettings> ServeSettings::parse(const QStringList &arguments,
                                           const QHash<QString, QString> &environment)
{
    QCommandLineParser parser;
    Result<ConfigFile> file =
        parseWithConfig(parser, arguments, serveOptions(), Repeatable, u"serve"_s);
    if (!file) {
        return file.error();
    }
    const OptionSource o(parser, std::move(file).value());
    ServeSettings s;
    if (o.isSet(u"listen"_s)) {
        const auto listen = parseListenAddress(u"listen"_s, o.value(u"listen"_s));
        if (!listen) {
            return o.locate(u"listen"_s, listen.error());
        }
        s.address = listen->first;
        s.port = listen->second;
    }
    if (const Result<void> read = readDataDirAndToken(o, environment, s); !read) {
        return read.error();
    }
    s.insecureNoAuth = o.isSet(u"insecure-no-auth"_s);
    for (auto read : {readAllowedCallers, readTlsOptions}) {
        if (const Result<void> ok = read(o, s); !ok) {
            return ok.error();
        }
    }
    Result<std::shared_ptr<TargetPolicy>> policy = targetPolicyFrom(o);
    if (!policy) {
        return policy.error();
    }
    s.policy = std::move(policy).value();
    for (auto read : {readLimits, readServices}) {
        if (const Result<void> ok = read(o, s); !ok) {
            return ok.error();
        }
    }
    Result<QStringList> warnings = secretFileWarnings(
        o, {u"token-file"_s, u"broker-password-file"_s, u"broker-secret-file"_s});
    if (!warnings) {
        return warnings.error();
    }
    s.permissionWarnings = std::move(warnings).value();
    if (!s.address.isLoopback() && s.token.isEmpty() && !s.insecureNoAuth) {
        return o.locate(u"listen"_s,
                        makeError(ErrorCode::InvalidArgument,
                                  u"refusing to listen on %1 without an API token: give "
                                  "--token-file FILE or ARTEMIS_TOKEN (or --insecure-no-auth to "
                                  "accept the risk)"_s.arg(s.address.toString())));
    }
    return s;
}

ServeCommand::ServeCommand(QTextStream &out, QTextStream &err, QObject *parent)
    : QObject(parent), m_out(out), m_err(err)
{
}

ServeCommand::~ServeCommand()
{
    m_server.reset(); // before the stack it borrows
    m_stack.reset();
    m_broker.reset(); // the stack's engine used it
}

void ServeCommand::start(const QStringList &arguments)
{
    if (arguments.contains(u"--help"_s) || arguments.contains(u"-h"_s)) {
        m_out << ServeSettings::helpText();
        m_out.flush();
        finish(0);
        return;
    }
    const QHash<QString, QString> environment = artemisEnvironment();
    const Result<ServeSettings> parsed = ServeSettings::parse(arguments, environment);
    if (!parsed) {
        m_err << "artemis-headless serve: " << parsed.error().message << '\n'
              << "Try 'artemis-headless serve --help'.\n";
        m_err.flush();
        finish(UsageExit);
        return;
    }
    const ServeSettings &s = *parsed;
    for (const QString &warning : s.permissionWarnings) {
        m_err << "artemis-headless serve: warning: " << warning << '\n';
    }
    addRedactedValue(QString::fromUtf8(s.token));

    if (s.broker) {
        openBroker(s);
    }
    LocalStackConfig config;
    config.dataDir = s.dataDir;
    config.command = u"artemis-headless serve"_s;
    config.threads = s.threads;
    config.engine.maxRunning = s.maxRunning;
    config.engine.maxQueued = s.maxQueued;
    config.engine.maxNodes = s.maxNodes;
    config.engine.policy = s.policy;
    config.engine.files = s.files;
    config.executor = m_broker.get();
    config.alerts.alertmanager = s.alertmanager;
    Result<std::unique_ptr<LocalStack>> stack = LocalStack::open(std::move(config));
    if (!stack) {
        m_err << "artemis-headless serve: "
              << dataDirProblem(s.dataDir, stack.error(), cliDataDirAdvice()) << '\n';
        m_err.flush();
        finish(UsageExit);
        return;
    }
    m_stack = std::move(stack).value();
    if (!m_stack->interrupted().isEmpty() && !s.broker) {
        m_err << "artemis-headless serve: " << m_stack->interrupted().size()
              << " hunt(s) left running by an earlier process marked interrupted\n";
    }
    m_server = std::make_unique<RestServer>(
        m_stack.get(), RestServerConfig{s.token, s.maxBodyBytes, m_broker.get(), s.allowedOrigins,
                                        s.allowedHosts, s.tlsChain, s.tlsKey, s.maxConnections,
                                        s.idleTimeoutMs, s.bodyTimeoutMs, s.maxBodyMemory});
    m_port = m_server->listen(s.address, s.port);
    if (m_port == 0) {
        m_err << "artemis-headless serve: cannot listen on " << s.address.toString() << ':'
              << s.port << " (port in use or address not available)\n";
        m_err.flush();
        finish(UsageExit);
        return;
    }
    announce(s);
}

// Distributed mode: the executor that sends the nodes to the workers through Redis.
void ServeCommand::openBroker(const ServeSettings &s)
{
    // Target policy: the coordinator checks literal hosts at submit (EngineConfig::policy)
    // and sends its policy with every hunt; workers check it besides their own
    // --allow/--deny, on the host and on every address they resolve.
    RedisExecutorConfig brokerConfig;
    brokerConfig.policy =
        s.policy ? TargetPolicyPtr(s.policy) : std::make_shared<const TargetPolicy>();
    brokerConfig.secret = s.brokerSecret;
    m_broker = std::make_unique<RedisExecutor>(*s.broker, brokerConfig);
    connect(m_broker.get(), &RedisExecutor::brokerFailed, this, [this](const QString &why) {
        // Wrong or missing password, bad database: nothing can be fetched. Exit so the
        // operator sees it at once (and systemd's Restart= does not hide it for long).
        m_err << "artemis-headless serve: broker " << m_broker->url().toString() << ": " << why
              << '\n';
        m_err.flush();
        m_stopping = true;
        m_broker->detach();
        if (m_stack) {
            m_stack->shutdown();
        }
        finish(UsageExit);
    });
}

// Once listening: the service URL in the lock and the alerts, the start lines, the broker's
// hunts and the stored schedules resumed, and systemd told.
void ServeCommand::announce(const ServeSettings &s)
{
    const QString host = s.address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u"[%1]"_s.arg(s.address.toString())
                             : s.address.toString();
    const QString url = u"%1://%2:%3"_s.arg(s.tls() ? u"https"_s : u"http"_s, host).arg(m_port);
    if (m_stack->lock()) {
        m_stack->lock()->setServiceUrl(url);
    }
    if (m_stack->alertSink()) {
        m_stack->alertSink()->setGeneratorUrl(url + u"/api/v1/schedules/{schedule}/alerts"_s);
    }
    m_err << "artemis-headless serve: listening on " << url << ", data dir " << s.dataDir
          << (s.token.isEmpty() ? ", no auth" : ", bearer token required") << '\n';
    if (s.tokenInClear()) {
        m_err << "artemis-headless serve: warning: listening on " << s.address.toString()
              << " without TLS: the API token travels in clear text (give --tls-cert and "
                 "--tls-key)\n";
    }
    if (m_broker) {
        m_err << "artemis-headless serve: distributed mode, broker " << s.broker->toString()
              << '\n';
        m_broker->open();
        resumeHunts();
    }
    // Stored schedules resume once the server listens (and the broker is open).
    if (const Result<QStringList> schedules = m_stack->scheduler()->load(); !schedules) {
        m_err << "artemis-headless serve: cannot read the stored schedules: "
              << schedules.error().message << '\n';
    } else if (!schedules->isEmpty()) {
        m_err << "artemis-headless serve: " << schedules->size() << " schedule(s) resumed\n";
    }
    m_err.flush();
    // Only now: the data dir is locked and the port answers.
    notifyServiceManager("READY=1\nSTATUS=listening on " + url.toUtf8());
}

void ServeCommand::resumeHunts()
{
    // Hunts stored as interrupted (by ResultStore::open() after a crash, or by our own
    // shutdown) whose spec is still in Redis are resumed: their nodes without a stored outcome
    // are sent again and outcomes already on the results stream are collected. Results are
    // read only afterwards, so none of them is dropped as belonging to an unknown hunt.
    const Result<QList<HuntInfo>> interrupted =
        m_stack->catalog()->listStored(10000, HuntState::Interrupted);
    QStringList ids;
    for (const HuntInfo &info : interrupted ? *interrupted : QList<HuntInfo>{}) {
        ids.append(info.id);
    }
    m_broker->findResumable(ids, [this](const QStringList &resumable) {
        for (const QString &id : resumable) {
            const Result<HuntInfo> resumed = m_stack->engine()->resume(id);
            if (resumed) {
                m_err << "artemis-headless serve: resumed hunt " << id << " (" << resumed->done
                      << " of " << nodeCount(resumed->total) << " stored)\n";
            } else {
                m_err << "artemis-headless serve: cannot resume hunt " << id << ": "
                      << resumed.error().message << '\n';
            }
        }
        m_err.flush();
        m_broker->startReading();
    });
}

void ServeCommand::interrupt()
{
    if (m_stopping) {
        return;
    }
    m_stopping = true;
    notifyServiceManager("STOPPING=1\nSTATUS=stopping");
    if (m_broker) {
        m_broker->detach(); // hunts stay in Redis; the next coordinator resumes them
    }
    if (m_stack) {
        m_stack->shutdown(); // no round starts; running hunts are stored as interrupted
    }
    m_err << "artemis-headless serve: stopped\n";
    m_err.flush();
    finish(0);
}

void ServeCommand::finish(int exitCode)
{
    QTimer::singleShot(0, this, [this, exitCode] { Q_EMIT finished(exitCode); });
}

} // namespace Artemis
