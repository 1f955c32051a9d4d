#pragma once

#include <memory>
#include <optional>

#include <QHostAddress>
#include <QObject>
#include <QSslCertificate>
#include <QSslKey>
#include <QStringList>
#include <QTextStream>
#include <QUrl>

#include "core/base/fileaccess.h"
#include "core/base/result.h"
#include "core/broker/brokersecret.h"
#include "core/broker/redisurl.h"
#include "core/net/targetpolicy.h"

namespace Artemis {

class LocalStack;
class RedisExecutor;
class RestServer;

// What `serve` was asked to do, parsed and validated (no side effects).
struct ServeSettings
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 5000;
    QString dataDir;
    QByteArray token;
    bool insecureNoAuth = false;
    std::shared_ptr<TargetPolicy> policy = std::make_shared<TargetPolicy>();
    int maxNodes = 100000;
    qint64 maxBodyBytes = 10 * 1024 * 1024;
    int maxRunning = 4;
    int maxQueued = 64;
    int threads = 2;
    int maxConnections = 1024;               // --max-connections
    qint64 idleTimeoutMs = 30000;            // --idle-timeout
    qint64 bodyTimeoutMs = 10000;            // --body-timeout
    qint64 maxBodyMemory = 64 * 1024 * 1024; // --max-body-memory
    std::optional<RedisUrl> broker;          // distributed mode: workers fetch, this coordinates
    BrokerSecretPtr brokerSecret;            // --broker-secret-file (null: none)
    QUrl alertmanager;          // --alertmanager: where schedules' alerts go (empty: none)
    QStringList allowedOrigins; // lower-case origins that may call /fetch and /api/v1
    QStringList allowedHosts;   // lower-case Host names answered without a token
    // --tls-cert/--tls-key (PEM): HTTPS only. The chain is the server certificate first, then
    // any intermediates from the same file. Both null: plain HTTP.
    QList<QSslCertificate> tlsChain;
    QSslKey tlsKey;
    // --allow-files: the files API requests and schedules may name (none by default).
    FileAccess files = FileAccess::none();
    // "--token-file: FILE is readable by group and others (mode 0644)", logged at start.
    QStringList permissionWarnings;
    bool tls() const { return !tlsChain.isEmpty(); }
    // Not loopback, a token, no TLS: the token crosses the network in clear text.
    bool tokenInClear() const;

    // `arguments` as after the sub-command ({"artemis-headless serve", "--listen", ...});
    // `environment`: ARTEMIS_TOKEN and ARTEMIS_DATA_DIR are read from it. With --config FILE the
    // file's keys too (headless/cli/configfile.h): flags > environment > file > defaults; an error
    // about a value from the file starts with "FILE:LINE: key 'NAME': ".
    static Result<ServeSettings> parse(const QStringList &arguments,
                                       const QHash<QString, QString> &environment);
    static QString helpText();
};

// `artemis-headless serve ...`: opens the local stack (which locks the data dir: a second
// process on it exits 2 naming this one) and the REST server, listens, logs
// one start line to `err` (https:// with --tls-cert), and runs until interrupt() (SIGINT/SIGTERM),
// which stores running hunts as interrupted and reports finished(0). Usage errors and a failed
// listen report finished(2). Lives on the main thread; owns everything it builds.
class ServeCommand final : public QObject
{
    Q_OBJECT
public:
    // `out`/`err` are not owned and must outlive the command.
    ServeCommand(QTextStream &out, QTextStream &err, QObject *parent = nullptr);
    ~ServeCommand() override;

    void start(const QStringList &arguments);
    void interrupt();
    quint16 port() const { return m_port; }

Q_SIGNALS:
    void finished(int exitCode);

private:
    void finish(int exitCode);
    void openBroker(const ServeSettings &s);
    void announce(const ServeSettings &s); // after a successful listen
    void resumeHunts(); // distributed mode: hunts a previous coordinator left unfinished

    QTextStream &m_out;
    QTextStream &m_err;
    quint16 m_port = 0;
    bool m_stopping = false;
    std::unique_ptr<RedisExecutor> m_broker; // distributed mode: the stack's executor
    std::unique_ptr<LocalStack> m_stack;
    std::unique_ptr<RestServer> m_server;
};

} // namespace Artemis
