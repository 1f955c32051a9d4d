#include "headless/cli/workercommand.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHttpServer>
#include <QHttpServerResponse>
#include <QTimer>

#include "headless/cli/brokeroptions.h"
#include "headless/cli/clioptions.h"
#include "headless/rest/selfmetrics.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr int UsageExit = 2;

const QString Description =
    u"Fetch jobs of a distributed Artemis coordinator ('serve --broker'): read them from "
    "Redis, fetch the nodes, send the outcomes back. Run any number, on any machines."_s;
// The options that may be given more than once (and on several lines of a config file).
const QStringList Repeatable = {u"allow"_s, u"deny"_s};

QList<QCommandLineOption> workerOptions()
{
    QList<QCommandLineOption> options{
        {u"broker"_s,
         u"Redis to take jobs from: redis://[USER:PASSWORD@]HOST:PORT[/DB] (required; "
         "percent-encode reserved characters in USER and PASSWORD)."_s,
         u"URL"_s},
        {u"broker-password-file"_s,
         u"Read the Redis password from FILE (trailing newline ignored) instead of the URL, "
         "keeping it out of 'ps'."_s,
         u"FILE"_s},
        {u"broker-secret-file"_s,
         u"The coordinator's --broker-secret-file: fetch only jobs signed with it, open their "
         "sealed header values and passwords, sign the outcomes."_s,
         u"FILE"_s},
        {u"concurrency"_s, u"Nodes fetched at once (default 256)."_s, u"N"_s},
        {u"threads"_s, u"Fetch threads (default 1)."_s, u"N"_s},
        {u"name"_s, u"Name in the worker list; unique per worker (default HOST-PID)."_s, u"NAME"_s},
        {u"visibility-ms"_s,
         u"A job left unacknowledged this long by a silent worker is taken "
         "over by another (default 30000)."_s,
         u"MS"_s},
        {u"heartbeat-ms"_s, u"Heartbeat interval (default 2000)."_s, u"MS"_s},
        {u"metrics-listen"_s,
         u"Serve this worker's Prometheus metrics on http://ADDR:PORT/metrics (off by "
         "default; e.g. 127.0.0.1:9465; port 0 picks a free one)."_s,
         u"ADDR:PORT"_s},
        {u"drain-ms"_s,
         u"On SIGTERM, wait at most this long for the jobs in hand (default 30000); what is "
         "left is taken over by other workers."_s,
         u"MS"_s},
    };
    options.append(strictPermissionsOption());
    options.append(targetPolicyOptions());
    return options;
}

} // namespace

QString WorkerSettings::helpText()
{
    QCommandLineParser parser;
    parser.setApplicationDescription(Description);
    parser.addOptions(workerOptions());
    parser.addOption(configOption());
    parser.addHelpOption();
    QString text = parser.helpText();
    text.replace(QCoreApplication::applicationFilePath(), u"artemis-headless worker"_s);
    return text;
}

Result<WorkerSettings> WorkerSettings::parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    Result<ConfigFile> file =
        parseWithConfig(parser, arguments, workerOptions(), Repeatable, u"worker"_s);
    if (!file) {
        return file.error();
    }
    const OptionSource o(parser, std::move(file).value());
    if (!o.isSet(u"broker"_s)) {
        return makeError(ErrorCode::InvalidArgument, u"--broker redis://HOST:PORT is required"_s);
    }
    WorkerSettings s;
    Result<BrokerOptions> broker = brokerOptionsFrom(o);
    if (!broker) {
        return broker.error();
    }
    s.broker = std::move(*broker->url);
    s.worker.secret = std::move(broker->secret);
    s.worker.name = o.value(u"name"_s);
    if (s.worker.name.contains(u' ')) {
        return o.locate(u"name"_s,
                        makeError(ErrorCode::InvalidArgument, u"--name must not contain spaces"_s));
    }
    const Result<void> numbers =
        readNumbers<int>(o, {{u"concurrency"_s, &s.worker.concurrency, 1, 10000},
                             {u"threads"_s, &s.worker.threads, 1, 64},
                             {u"visibility-ms"_s, &s.worker.visibilityMs, 100, 86400000},
                             {u"heartbeat-ms"_s, &s.worker.heartbeatMs, 100, 600000},
                             {u"drain-ms"_s, &s.worker.drainMs, 0, 86400000}});
    if (!numbers) {
        return numbers.error();
    }
    if (o.isSet(u"metrics-listen"_s)) {
        const auto listen = parseListenAddress(u"metrics-listen"_s, o.value(u"metrics-listen"_s));
        if (!listen) {
            return o.locate(u"metrics-listen"_s, listen.error());
        }
        s.metricsListen = *listen;
    }
    Result<std::shared_ptr<TargetPolicy>> policy = targetPolicyFrom(o);
    if (!policy) {
        return policy.error();
    }
    s.worker.policy = std::move(policy).value();
    Result<QStringList> warnings =
        secretFileWarnings(o, {u"broker-password-file"_s, u"broker-secret-file"_s});
    if (!warnings) {
        return warnings.error();
    }
    s.permissionWarnings = std::move(warnings).value();
    return s;
}

WorkerCommand::WorkerCommand(QTextStream &out, QTextStream &err, QObject *parent)
    : QObject(parent), m_out(out), m_err(err)
{
}

WorkerCommand::~WorkerCommand() = default;

void WorkerCommand::start(const QStringList &arguments)
{
    if (arguments.contains(u"--help"_s) || arguments.contains(u"-h"_s)) {
        m_out << WorkerSettings::helpText();
        m_out.flush();
        finish(0);
        return;
    }
    const Result<WorkerSettings> parsed = WorkerSettings::parse(arguments);
    if (!parsed) {
        m_err << "artemis-headless worker: " << parsed.error().message << '\n'
              << "Try 'artemis-headless worker --help'.\n";
        m_err.flush();
        finish(UsageExit);
        return;
    }
    for (const QString &warning : parsed->permissionWarnings) {
        m_err << "artemis-headless worker: warning: " << warning << '\n';
    }
    m_err.flush();
    m_worker = std::make_unique<RedisWorker>(parsed->broker, parsed->worker);
    connect(m_worker.get(), &RedisWorker::stopped, this, [this] { finish(0); });
    connect(m_worker.get(), &RedisWorker::brokerFailed, this,
            [this, broker = parsed->broker.toString()](const QString &why) {
                m_err << "artemis-headless worker: broker " << broker << ": " << why << '\n';
                m_err.flush();
                finish(UsageExit);
            });
    if (parsed->metricsListen) {
        m_metrics = std::make_unique<QHttpServer>();
        m_metrics->route(u"/metrics"_s, [this] {
            return QHttpServerResponse(
                "text/plain; version=0.0.4; charset=utf-8",
                renderWorkerMetrics(m_worker->info(), m_worker->isConnected()));
        });
        const auto [address, port] = *parsed->metricsListen;
        const quint16 bound = m_metrics->listen(address, port);
        if (bound == 0) {
            m_err << "artemis-headless worker: cannot listen on --metrics-listen "
                  << address.toString() << ':' << port << '\n';
            m_err.flush();
            finish(UsageExit);
            return;
        }
        const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                                 ? u"[%1]"_s.arg(address.toString())
                                 : address.toString();
        m_err << "artemis-headless worker: metrics on http://" << host << ':' << bound
              << "/metrics\n";
        m_err.flush();
    }
    m_worker->start();
}

void WorkerCommand::interrupt()
{
    if (!m_worker) {
        finish(0);
        return;
    }
    m_worker->stop(); // finishes the jobs in hand, then stopped()
}

void WorkerCommand::finish(int exitCode)
{
    QTimer::singleShot(0, this, [this, exitCode] { Q_EMIT finished(exitCode); });
}

} // namespace Artemis
