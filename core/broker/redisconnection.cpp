#include "core/broker/redisconnection.h"

#include <vector>

#include <QSocketNotifier>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "core/base/logging.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {
constexpr int FirstBackoffMs = 100;
constexpr int MaxBackoffMs = 5000;
constexpr int ConnectTimeoutMs = 5000;
constexpr int DeadlineCheckMs = 250;

RedisReply convert(const redisReply *reply)
{
    RedisReply out;
    if (!reply) {
        return out; // Failed
    }
    switch (reply->type) {
    case REDIS_REPLY_STRING:
        out.type = RedisReply::Type::String;
        out.str = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Type::Status;
        out.str = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Type::Error;
        out.str = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = reply->integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        out.elements.reserve(qsizetype(reply->elements));
        for (size_t i = 0; i < reply->elements; ++i) {
            out.elements.append(convert(reply->element[i]));
        }
        break;
    default:
        out.type = RedisReply::Type::Nil;
        break;
    }
    return out;
}
} // namespace

QString RedisReply::errorText() const
{
    if (type == Type::Failed) {
        return u"no reply (not connected, connection lost or timed out)"_s;
    }
    return QString::fromUtf8(str);
}

struct RedisConnection::Pending
{
    RedisConnection *self;
    Callback callback;
};

RedisConnection::RedisConnection(RedisUrl url, QString name, QObject *parent)
    : QObject(parent), m_url(std::move(url)), m_name(std::move(name))
{
    m_clock.start();
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisConnection::connectNow);
    m_deadlineTimer.setInterval(DeadlineCheckMs);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &RedisConnection::checkDeadlines);
}

RedisConnection::~RedisConnection()
{
    m_destroying = true;
    if (m_context) {
        redisAsyncFree(m_context); // pending callbacks run with no reply and are dropped
        m_context = nullptr;
    }
}

void RedisConnection::open()
{
    if (m_state == State::Idle) {
        m_deadlineTimer.start();
        connectNow();
    }
}

void RedisConnection::connectNow()
{
    m_state = State::Connecting;
    redisAsyncContext *context = redisAsyncConnect(m_url.host.toUtf8().constData(), m_url.port);
    if (!context) {
        lost(u"out of memory"_s);
        return;
    }
    if (context->err) {
        const QString why = QString::fromUtf8(context->errstr);
        redisAsyncFree(context);
        lost(why);
        return;
    }
    context->data = this;
    context->ev.data = this;
    context->ev.addRead = &RedisConnection::addRead;
    context->ev.delRead = &RedisConnection::delRead;
    context->ev.addWrite = &RedisConnection::addWrite;
    context->ev.delWrite = &RedisConnection::delWrite;
    context->ev.cleanup = &RedisConnection::cleanup;
    redisAsyncSetConnectCallback(context, &RedisConnection::connectCallback);
    redisAsyncSetDisconnectCallback(context, &RedisConnection::disconnectCallback);
    m_context = context;
    m_connectDeadline = m_clock.elapsed() + ConnectTimeoutMs;
    // hiredis 0.14 learns that a non-blocking connect finished from the first write event.
    addWrite(this);
}

void RedisConnection::onConnect(int status)
{
    if (status != REDIS_OK) {
        const QString why = m_context ? QString::fromUtf8(m_context->errstr) : u"failed"_s;
        m_context = nullptr; // hiredis frees it after this callback
        lost(why);
        return;
    }
    m_state = State::Handshaking;
    handshake();
}

void RedisConnection::handshake()
{
    // Sent before anything else on this connection, pipelined; replies come in order, so the
    // PING's answers last. A refusal is an Error reply: NOAUTH (no or wrong password),
    // WRONGPASS, or an out-of-range database. Failed replies mean the connection went (or
    // timed out); lost() has already scheduled the next attempt.
    auto refusal = std::make_shared<QString>();
    auto check = [refusal](const QString &what) {
        return [refusal, what](const RedisReply &reply) {
            if (reply.type == RedisReply::Type::Error && refusal->isEmpty()) {
                const QString text = QString::fromUtf8(reply.str);
                *refusal = what.isEmpty() ? text : u"%1 (%2)"_s.arg(what, text);
            }
        };
    };
    QList<std::pair<QList<QByteArray>, Callback>> steps;
    if (m_url.needsAuth()) {
        QList<QByteArray> auth{"AUTH"};
        if (!m_url.user.isEmpty()) {
            auth.append(m_url.user.toUtf8());
        }
        auth.append(m_url.password.toUtf8());
        steps.append({auth, check(m_url.user.isEmpty()
                                      ? u"authentication failed"_s
                                      : u"authentication as user '%1' failed"_s.arg(m_url.user))});
    }
    if (m_url.db != 0) {
        steps.append({{"SELECT", QByteArray::number(m_url.db)},
                      check(u"cannot select database %1"_s.arg(m_url.db))});
    }
    steps.append({{"PING"}, [this, refusal, first = check(QString())](const RedisReply &reply) {
                      first(reply);
                      if (m_state != State::Handshaking || reply.type == RedisReply::Type::Failed) {
                          return;
                      }
                      if (!refusal->isEmpty()) {
                          handshakeRefused(*refusal);
                          return;
                      }
                      m_state = State::Connected;
                      m_backoffMs = 0;
                      qCInfo(lcRedis, "%s (%s): connected%s", qPrintable(m_url.hostPort()),
                             qPrintable(m_name), m_everConnected ? " again" : "");
                      m_everConnected = true;
                      Q_EMIT connected();
                  }});
    for (auto &[args, callback] : steps) {
        if (!send(args, callback, 0)) {
            // Inside hiredis' connect callback: not the place to free its context.
            QTimer::singleShot(0, this, [this] {
                if (m_state == State::Handshaking) {
                    dropContext();
                    lost(u"cannot send the handshake"_s);
                }
            });
            return;
        }
    }
}

void RedisConnection::handshakeRefused(const QString &refusal)
{
    QString why = refusal;
    if (refusal.contains(u"NOAUTH"_s)) {
        why = m_url.needsAuth()
                  ? u"authentication failed (%1)"_s.arg(refusal)
                  : u"Redis requires a password (%1): give it in the --broker URL "
                    "(redis://[USER:]PASSWORD@HOST) or with --broker-password-file"_s.arg(refusal);
    }
    dropContext();
    if (!m_everConnected) {
        m_state = State::Failed;
        m_deadlines.clear();
        qCCritical(lcRedis, "%s (%s): %s; giving up", qPrintable(m_url.hostPort()),
                   qPrintable(m_name), qPrintable(why));
        Q_EMIT failed(why);
        return;
    }
    // Was fine before: the operator may be rotating the password. Keep trying, slowly.
    m_backoffMs = MaxBackoffMs / 2;
    m_lastError.clear();
    lost(why);
}

void RedisConnection::onDisconnect(int status)
{
    const QString why =
        status == REDIS_OK || !m_context ? u"closed"_s : QString::fromUtf8(m_context->errstr);
    m_context = nullptr; // hiredis frees it after this callback
    if (m_destroying) {
        return;
    }
    lost(why.isEmpty() ? u"closed"_s : why);
}

void RedisConnection::lost(const QString &why)
{
    const bool wasConnected = m_state == State::Connected;
    m_state = State::Waiting;
    m_deadlines.clear();
    m_backoffMs = m_backoffMs == 0 ? FirstBackoffMs : std::min(m_backoffMs * 2, MaxBackoffMs);
    if (wasConnected) {
        qCWarning(lcRedis, "%s (%s): connection lost (%s); reconnecting in %d ms",
                  qPrintable(m_url.hostPort()), qPrintable(m_name), qPrintable(why), m_backoffMs);
    } else if (why != m_lastError || m_backoffMs == MaxBackoffMs) {
        qCWarning(lcRedis, "%s (%s): cannot connect (%s); retrying in %d ms",
                  qPrintable(m_url.hostPort()), qPrintable(m_name), qPrintable(why), m_backoffMs);
    }
    m_lastError = why;
    m_reconnectTimer.start(m_backoffMs);
    if (wasConnected) {
        Q_EMIT disconnected();
    }
}

void RedisConnection::dropContext()
{
    redisAsyncContext *context = std::exchange(m_context, nullptr);
    if (context) {
        // Pending callbacks run with no reply (replyArrived() queues their failure). Called
        // from inside a reply callback, hiredis frees the context only once that returns; its
        // disconnect callback then finds m_context changed and is ignored: the caller decides
        // what comes next.
        redisAsyncFree(context);
    }
}

void RedisConnection::checkDeadlines()
{
    const qint64 now = m_clock.elapsed();
    if (m_state == State::Connecting && now > m_connectDeadline) {
        dropContext();
        lost(u"connect timed out after %1 ms"_s.arg(ConnectTimeoutMs));
    } else if ((m_state == State::Connected || m_state == State::Handshaking)
               && !m_deadlines.empty() && now > m_deadlines.front()) {
        // Dropping the context fails the pending commands (their callbacks get Failed); their
        // owners resend after reconnecting.
        dropContext();
        lost(u"no reply for %1 ms"_s.arg(m_commandTimeoutMs));
    }
}

void RedisConnection::command(const QList<QByteArray> &args, Callback callback, int blockMs)
{
    if (m_state != State::Connected || !send(args, callback, blockMs)) {
        if (callback) {
            QTimer::singleShot(0, this, [cb = std::move(callback)] { cb(RedisReply{}); });
        }
    }
}

bool RedisConnection::send(const QList<QByteArray> &args, Callback &callback, int blockMs)
{
    if (!m_context) {
        return false;
    }
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(size_t(args.size()));
    lengths.reserve(size_t(args.size()));
    for (const QByteArray &arg : args) {
        argv.push_back(arg.constData());
        lengths.push_back(size_t(arg.size()));
    }
    auto *pending = new Pending{this, std::move(callback)};
    if (redisAsyncCommandArgv(m_context, &RedisConnection::replyCallback, pending, int(argv.size()),
                              argv.data(), lengths.data())
        != REDIS_OK) {
        callback = std::move(pending->callback);
        delete pending;
        return false;
    }
    m_deadlines.push_back(m_clock.elapsed() + m_commandTimeoutMs + blockMs);
    return true;
}

void RedisConnection::replyArrived(Pending *pending, void *reply)
{
    if (!m_deadlines.empty()) {
        m_deadlines.pop_front();
    }
    if (m_destroying || !pending->callback) {
        return;
    }
    if (!reply) {
        // The context is being freed (timeout, lost connection): hiredis is inside
        // redisAsyncFree() now. The owner hears of the failure from the event loop, after this
        // connection has settled into its new state, so it may resend at once.
        QTimer::singleShot(0, this, [cb = std::move(pending->callback)] { cb(RedisReply{}); });
        return;
    }
    pending->callback(convert(static_cast<redisReply *>(reply)));
}

void RedisConnection::connectCallback(const redisAsyncContext *context, int status)
{
    auto *self = static_cast<RedisConnection *>(context->data);
    if (context == self->m_context) { // else one dropContext() gave up on
        self->onConnect(status);
    }
}

void RedisConnection::disconnectCallback(const redisAsyncContext *context, int status)
{
    auto *self = static_cast<RedisConnection *>(context->data);
    if (context == self->m_context) { // else one dropContext() gave up on
        self->onDisconnect(status);
    }
}

void RedisConnection::replyCallback(redisAsyncContext *, void *reply, void *privdata)
{
    auto *pending = static_cast<Pending *>(privdata);
    pending->self->replyArrived(pending, reply);
    delete pending;
}

void RedisConnection::addRead(void *data)
{
    auto *self = static_cast<RedisConnection *>(data);
    if (!self->m_readNotifier && self->m_context) {
        self->m_readNotifier =
            new QSocketNotifier(self->m_context->c.fd, QSocketNotifier::Read, self);
        connect(self->m_readNotifier, &QSocketNotifier::activated, self, [self] {
            if (self->m_context) {
                redisAsyncHandleRead(self->m_context);
            }
        });
    }
    if (self->m_readNotifier) {
        self->m_readNotifier->setEnabled(true);
    }
}

void RedisConnection::delRead(void *data)
{
    auto *self = static_cast<RedisConnection *>(data);
    if (self->m_readNotifier) {
        self->m_readNotifier->setEnabled(false);
    }
}

void RedisConnection::addWrite(void *data)
{
    auto *self = static_cast<RedisConnection *>(data);
    if (!self->m_writeNotifier && self->m_context) {
        self->m_writeNotifier =
            new QSocketNotifier(self->m_context->c.fd, QSocketNotifier::Write, self);
        connect(self->m_writeNotifier, &QSocketNotifier::activated, self, [self] {
            if (self->m_context) {
                redisAsyncHandleWrite(self->m_context);
            }
        });
    }
    if (self->m_writeNotifier) {
        self->m_writeNotifier->setEnabled(true);
    }
}

void RedisConnection::delWrite(void *data)
{
    auto *self = static_cast<RedisConnection *>(data);
    if (self->m_writeNotifier) {
        self->m_writeNotifier->setEnabled(false);
    }
}

void RedisConnection::cleanup(void *data)
{
    // Called while hiredis frees the context, possibly from inside a notifier's signal:
    // disable now, delete from the event loop.
    auto *self = static_cast<RedisConnection *>(data);
    for (QSocketNotifier **notifier : {&self->m_readNotifier, &self->m_writeNotifier}) {
        if (*notifier) {
            (*notifier)->setEnabled(false);
            (*notifier)->deleteLater();
            *notifier = nullptr;
        }
    }
}

} // namespace Artemis
