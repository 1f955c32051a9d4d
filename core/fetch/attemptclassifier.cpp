#include "core/fetch/attemptclassifier.h"

#include <QJsonDocument>
#include <QLocale>
#include <QRandomGenerator>

#include "core/prom/prometheustext.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

// "text/html answer, invalid JSON; at byte 1: illegal value; starts with "<!DOCTYPE html>..."":
// what the node sent (its type, its first bytes) says more than the parser's offset. The part
// before the first "; " is the same for every node that sends the same kind of page
// (failureReason() groups by it).
QString invalidJsonReason(const AttemptFacts &f, const QByteArray &body,
                          const QJsonParseError &parseError)
{
    constexpr qsizetype ShownBytes = 40;
    const QByteArray type = f.contentType.split(';').first().trimmed();
    QString head = QString::fromUtf8(body.left(ShownBytes)).simplified();
    if (body.size() > ShownBytes) {
        head += u"…"_s;
    }
    return u"%1, invalid JSON; at byte %2: %3; starts with \"%4\""_s
        .arg(type.isEmpty() ? u"answer without Content-Type"_s
                            : QString::fromLatin1(type) + u" answer"_s)
        .arg(parseError.offset)
        .arg(parseError.errorString(), head);
}

} // namespace

Classification classifyAttempt(const AttemptFacts &f, const QByteArray &body,
                               const FetchOptions &options, const QDateTime &now)
{
    Classification c;
    auto parsedOrRaw = [&]() -> QJsonValue {
        if (body.isEmpty()) {
            return QJsonValue();
        }
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error == QJsonParseError::NoError) {
            return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
        }
        return QString::fromUtf8(body.left(Outcome::RawBodyLimit));
    };
    using E = QNetworkReply::NetworkError;
    if (f.cancelled) {
        c.kind = OutcomeKind::Cancelled;
        c.error = u"cancelled while fetching"_s;
    } else if (f.refusedKind) {
        c.kind = *f.refusedKind;
        c.error = f.refusedReason;
    } else if (f.tooLarge) {
        c.kind = OutcomeKind::TooLarge;
        c.error = u"body larger than the %1-byte limit"_s.arg(options.maxBodyBytes);
        c.body = QString::fromUtf8(body.left(Outcome::RawBodyLimit));
    } else if (f.timedOut || f.error == E::TimeoutError) {
        c.kind = OutcomeKind::Timeout;
        c.error = u"no complete answer within %1 ms"_s.arg(options.timeoutMs);
        c.transient = true;
    } else if (f.error == E::ConnectionRefusedError) {
        c.kind = OutcomeKind::Refused;
        c.error = u"connection refused"_s;
        c.transient = true;
    } else if (f.error == E::HostNotFoundError) {
        c.kind = OutcomeKind::Dns;
        c.error = u"host not found: %1"_s.arg(f.host);
    } else if (f.error == E::SslHandshakeFailedError) {
        c.kind = OutcomeKind::Tls;
        c.error = u"TLS failed: %1"_s.arg(f.errorString);
    } else if (f.error == E::RemoteHostClosedError || f.error == E::TemporaryNetworkFailureError
               || f.error == E::NetworkSessionFailedError || f.error == E::UnknownNetworkError) {
        c.kind = OutcomeKind::Error;
        c.error = u"connection reset or closed early: %1"_s.arg(f.errorString);
        c.transient = true;
    } else if (f.httpStatus > 0 && f.contentLength >= 0 && body.size() < f.contentLength) {
        // Qt 6.4 may end a reply whose connection broke mid-body with NoError: check the length.
        c.kind = OutcomeKind::Error;
        c.error = u"connection closed early: %1 of %2 body bytes received"_s.arg(body.size())
                      .arg(f.contentLength);
        c.transient = true;
    } else if (f.httpStatus == 0) {
        c.kind = OutcomeKind::Error;
        c.error = f.error == E::NoError ? u"no HTTP answer"_s : f.errorString;
    } else if (f.httpStatus >= 200 && f.httpStatus < 300) {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error == QJsonParseError::NoError) {
            c.kind = OutcomeKind::Ok;
            c.body = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
        } else if (!body.isEmpty() && isPrometheusContentType(f.contentType)) {
            // Only when the node says it is text: any "name 1" line would otherwise pass.
            const Result<QJsonObject> metrics = parsePrometheusText(body);
            if (metrics) {
                c.kind = OutcomeKind::Ok;
                c.body = *metrics;
                c.raw = QString::fromUtf8(body.left(Outcome::RawTextLimit));
            } else {
                c.kind = OutcomeKind::InvalidJson;
                c.error = u"neither JSON nor Prometheus text: %1"_s.arg(metrics.error().message);
                c.body = QString::fromUtf8(body.left(Outcome::RawBodyLimit));
            }
        } else {
            c.kind = OutcomeKind::InvalidJson;
            c.error = body.isEmpty() ? u"empty body"_s : invalidJsonReason(f, body, parseError);
            c.body = QString::fromUtf8(body.left(Outcome::RawBodyLimit));
        }
    } else {
        c.kind = OutcomeKind::HttpError;
        c.error = u"HTTP %1 %2"_s.arg(f.httpStatus).arg(f.reasonPhrase).trimmed();
        if (f.httpStatus >= 300 && f.httpStatus < 400 && !f.location.isEmpty()) {
            // Only reached when redirects are off (a refused hop has its own reason).
            c.error += u"; to %1, not followed (followRedirects is off: --follow-redirects)"_s.arg(
                QString::fromUtf8(f.location.left(200)));
        }
        c.body = parsedOrRaw();
        if (f.httpStatus == 429 || f.httpStatus >= 500) {
            c.transient = true;
            if (!f.retryAfter.isEmpty()) {
                c.retryAfterMs = parseRetryAfterMs(f.retryAfter, now);
            }
        }
    }
    return c;
}

int parseRetryAfterMs(const QByteArray &value, const QDateTime &now)
{
    const QByteArray text = value.trimmed();
    if (text.isEmpty()) {
        return -1;
    }
    if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        // Saturating: "2147484" seconds overflowed an int (found by fuzzing); an absurdly long
        // wait is capped by backoffCapMs anyway.
        qint64 ms = 0;
        for (const char c : text) {
            ms = std::min<qint64>(ms * 10 + (c - '0'), std::numeric_limits<int>::max());
        }
        return int(std::min<qint64>(ms * 1000, std::numeric_limits<int>::max()));
    }
    // HTTP-date (RFC 9110 IMF-fixdate), e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
    const QDateTime parsed =
        QLocale::c().toDateTime(QString::fromLatin1(text), u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s);
    if (!parsed.isValid()) {
        return -1;
    }
    const QDateTime when(parsed.date(), parsed.time(), Qt::UTC);
    const qint64 ms = now.msecsTo(when);
    return int(std::clamp<qint64>(ms, 0, std::numeric_limits<int>::max()));
}

int backoffDelayMs(const FetchOptions &options, int nextAttempt, int retryAfterMs)
{
    if (retryAfterMs >= 0) {
        return std::min(retryAfterMs, options.backoffCapMs);
    }
    const int exponent = std::clamp(nextAttempt - 2, 0, 20);
    const qint64 delay =
        std::min<qint64>(qint64(options.backoffBaseMs) << exponent, options.backoffCapMs);
    if (delay <= 1) {
        return int(delay);
    }
    // "Equal jitter": half fixed, half random, so retries of many nodes spread out but a retry
    // never comes much sooner than the schedule says.
    const qint64 half = delay / 2;
    return int(half + QRandomGenerator::global()->bounded(half + 1));
}

} // namespace Artemis
