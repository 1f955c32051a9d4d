#include "core/base/logging.h"

#include <QMutex>
#include <QRegularExpression>
#include <QStringList>
#include <QtGlobal>

using namespace Qt::StringLiterals;

namespace Artemis {

// QtInfoMsg: info and above are shown by default, debug only when a rule enables it.
Q_LOGGING_CATEGORY(lcFetch, "artemis.fetch", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "artemis.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRest, "artemis.rest", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSched, "artemis.sched", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRedis, "artemis.redis", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGui, "artemis.gui", QtInfoMsg)

const char *defaultMessagePattern()
{
    // "default: " for an uncategorised qWarning() would say nothing; leave it out.
    return "%{time yyyy-MM-ddThh:mm:ss.zzz} "
           "%{if-debug}D%{endif}%{if-info}I%{endif}%{if-warning}W%{endif}"
           "%{if-critical}E%{endif}%{if-fatal}F%{endif} "
           "%{if-category}%{category}: %{endif}%{message}";
}

namespace {

constexpr qsizetype MaxNames = 256;
constexpr qsizetype MaxValues = 64;

// The process's one message handler is process-wide state by nature (qInstallMessageHandler):
// the redaction state it reads lives beside it, guarded for the threads that log.
struct Redaction
{
    QMutex mutex;
    QStringList names{u"authorization"_s, u"proxy-authorization"_s, u"cookie"_s, u"set-cookie"_s};
    QStringList values;
    QRegularExpression pattern;
    QtMessageHandler previous = nullptr;
    bool installed = false;
};

Redaction &redaction()
{
    static Redaction r;
    return r;
}

// Name, then ':' / '=' / QDebug's '", "' (with optional quotes and spaces), then the value up
// to a quote or the line end.
QRegularExpression buildPattern(const QStringList &names)
{
    QStringList escaped;
    for (const QString &name : names) {
        escaped.append(QRegularExpression::escape(name));
    }
    return QRegularExpression(
        uR"((?<![A-Za-z0-9_-])(%1)(\\?"?\s*[:=,]\s*\\?"?)([^"\r\n]*))"_s.arg(escaped.join(u'|')),
        QRegularExpression::CaseInsensitiveOption);
}

void redactingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    QtMessageHandler previous = nullptr;
    {
        QMutexLocker lock(&redaction().mutex);
        previous = redaction().previous;
    }
    if (previous) {
        previous(type, context, redactSecrets(message));
    }
}

} // namespace

QString redactSecrets(const QString &text)
{
    Redaction &r = redaction();
    QMutexLocker lock(&r.mutex);
    if (!r.pattern.isValid() || r.pattern.pattern().isEmpty()) {
        r.pattern = buildPattern(r.names);
    }
    QString out = text;
    out.replace(r.pattern, u"\\1\\2<redacted>"_s);
    for (const QString &value : std::as_const(r.values)) {
        out.replace(value, u"<redacted>"_s);
    }
    return out;
}

void addRedactedHeaderNames(const QStringList &names)
{
    Redaction &r = redaction();
    QMutexLocker lock(&r.mutex);
    bool changed = false;
    for (const QString &name : names) {
        const QString lower = name.trimmed().toLower();
        if (!lower.isEmpty() && !r.names.contains(lower) && r.names.size() < MaxNames) {
            r.names.append(lower);
            changed = true;
        }
    }
    if (changed) {
        r.pattern = buildPattern(r.names);
    }
}

void addRedactedValue(const QString &value)
{
    Redaction &r = redaction();
    QMutexLocker lock(&r.mutex);
    if (value.size() >= 4 && !r.values.contains(value) && r.values.size() < MaxValues) {
        r.values.append(value);
    }
}

void installSecretRedaction()
{
    Redaction &r = redaction();
    QMutexLocker lock(&r.mutex);
    if (r.installed) {
        return;
    }
    r.installed = true;
    r.previous = qInstallMessageHandler(redactingHandler);
}

void installMessagePattern()
{
    // Qt lets QT_MESSAGE_PATTERN win over qSetMessagePattern() already; checking here as well
    // keeps that promise independent of Qt's internals.
    if (qEnvironmentVariableIsSet("QT_MESSAGE_PATTERN")) {
        return;
    }
    qSetMessagePattern(QString::fromLatin1(defaultMessagePattern()));
}

} // namespace Artemis
