#pragma once

#include <deque>
#include <functional>

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTimer>

#include "core/broker/redisurl.h"

struct redisAsyncContext;
class QSocketNotifier;

namespace Artemis {

// A Redis reply, copied out of hiredis so callbacks get a plain value.
struct RedisReply
{
    enum class Type { Nil, String, Status, Error, Integer, Array, Failed };
    Type type = Type::Failed; // Failed: no reply (not connected, connection lost, timed out)
    QByteArray str;           // String, Status, Error
    qint64 integer = 0;
    QList<RedisReply> elements;

    bool ok() const { return type != Type::Error && type != Type::Failed; }
    bool isNil() const { return type == Type::Nil; }
    QString errorText() const; // for log lines
};

// One connection to Redis through hiredis' async API, driven by QSocketNotifiers on the
// thread that owns it (our own adapter: hiredis' adapters/qt.h does not build with
// QT_NO_KEYWORDS). Reconnects by itself with exponential backoff (100 ms .. 5 s) and logs one
// line per state change; a command that gets no answer in time drops the connection.
//
// Every (re)connect first runs a handshake: AUTH (with the URL's user and password, if any),
// SELECT (db other than 0), PING; only then connected() is emitted. A handshake refused by
// Redis (wrong or missing password, bad database) on the first connect is fatal: failed() is
// emitted and the connection gives up. Refused after having been connected (the password was
// changed under us), it is logged and retried every 5 s; commands never run unauthenticated
// or in the wrong database.
//
// Every command's callback is called exactly once: with the reply, or with Type::Failed when
// the command could not be sent, the connection was lost or the command timed out. Failures
// are delivered from the event loop, never from inside command(). Replies come in the order
// commands were sent, so commands pipeline: send many, then handle the answers.
//
// Lives on one thread; not thread-safe. Deleting it drops callbacks without calling them.
class RedisConnection final : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const RedisReply &)>;

    // `name` shows in log lines ("commands", "results reader", ...).
    RedisConnection(RedisUrl url, QString name, QObject *parent = nullptr);
    ~RedisConnection() override;

    void open(); // starts connecting; idempotent
    bool isConnected() const { return m_state == State::Connected; }
    bool hasFailed() const { return m_state == State::Failed; }
    const RedisUrl &url() const { return m_url; }

    // `blockMs`: for blocking commands (XREADGROUP BLOCK), added to the reply deadline.
    void command(const QList<QByteArray> &args, Callback callback = {}, int blockMs = 0);
    int pendingCount() const { return int(m_deadlines.size()); }

    // Default 10 s: no reply in that time means the connection is dead.
    void setCommandTimeoutMs(int ms) { m_commandTimeoutMs = ms; }

Q_SIGNALS:
    void connected();    // (again) ready; owners re-issue their setup commands here
    void disconnected(); // lost; pending commands have failed
    // The first handshake was refused (authentication, database): the connection gave up.
    // `why` says what to fix and never contains the password.
    void failed(const QString &why);

private:
    enum class State { Idle, Connecting, Handshaking, Connected, Waiting, Failed };
    struct Pending;

    void connectNow();
    void onConnect(int status);
    void onDisconnect(int status);
    void handshake();
    void handshakeRefused(const QString &why);
    bool send(const QList<QByteArray> &args, Callback &callback, int blockMs);
    void lost(const QString &why);
    void scheduleReconnect();
    void checkDeadlines();
    void dropContext(); // frees the hiredis context; its pending callbacks fail
    void replyArrived(Pending *pending, void *reply);

    static void connectCallback(const redisAsyncContext *context, int status);
    static void disconnectCallback(const redisAsyncContext *context, int status);
    static void replyCallback(redisAsyncContext *context, void *reply, void *privdata);
    static void addRead(void *data);
    static void delRead(void *data);
    static void addWrite(void *data);
    static void delWrite(void *data);
    static void cleanup(void *data);

    RedisUrl m_url;
    QString m_name;
    State m_state = State::Idle;
    redisAsyncContext *m_context = nullptr;     // owned by hiredis once connecting
    QSocketNotifier *m_readNotifier = nullptr;  // child; deleted later in cleanup
    QSocketNotifier *m_writeNotifier = nullptr; // child; deleted later in cleanup
    std::deque<qint64> m_deadlines;             // reply deadlines (ms on m_clock), in sending order
    QElapsedTimer m_clock;
    QTimer m_reconnectTimer;
    QTimer m_deadlineTimer;
    int m_backoffMs = 0;
    int m_commandTimeoutMs = 10000;
    qint64 m_connectDeadline = 0;
    bool m_everConnected = false;
    bool m_destroying = false; // in the destructor: callbacks are dropped
    QString m_lastError;
};

} // namespace Artemis
