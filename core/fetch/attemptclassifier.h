#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonValue>
#include <QNetworkReply>
#include <QString>

#include <optional>

#include "core/fetch/fetchoptions.h"
#include "core/fetch/outcome.h"

namespace Artemis {

// What one finished attempt means: its outcome, whether it is worth another attempt, and when.
// The fetcher gathers the facts; the rules live here, pure, so that tests and fuzzers can
// drive them without a network.

// What is known about one finished attempt, for classifyAttempt.
struct AttemptFacts
{
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorString;
    int httpStatus = 0;
    QString reasonPhrase;
    QByteArray retryAfter;
    QByteArray contentType;    // the raw header; text/plain bodies may be Prometheus text
    qint64 contentLength = -1; // from the header; -1 when absent
    QByteArray location;       // of a 3xx answer
    QString host;
    bool timedOut = false;  // our deadline fired
    bool tooLarge = false;  // body over the cap
    bool cancelled = false; // the hunt was cancelled
    // We refused to follow a redirect (policy, scheme, origin): the outcome and why. Final.
    std::optional<OutcomeKind> refusedKind;
    QString refusedReason;
};

struct Classification
{
    OutcomeKind kind = OutcomeKind::Error;
    QString error;
    QJsonValue body;
    QString raw;            // the text a non-JSON body was converted from (Outcome::raw)
    bool transient = false; // worth another attempt
    int retryAfterMs = -1;  // from Retry-After, when given
};

// Maps an attempt to its outcome: the retry rules live here (refused, reset, timeout, 5xx and
// 429 are transient; everything else is final). A 2xx body that is not JSON but is served as
// text/plain or OpenMetrics is parsed as Prometheus text (outcome ok, the text kept in `raw`).
// Pure; exposed for tests.
Classification classifyAttempt(const AttemptFacts &facts, const QByteArray &body,
                               const FetchOptions &options, const QDateTime &now);

// Parses Retry-After; exposed for tests. `retryAfterMs` is set for 429/503 with
// a Retry-After header (seconds or HTTP date), else -1.
int parseRetryAfterMs(const QByteArray &value, const QDateTime &now);

// Delay before attempt number `nextAttempt` (2 = first retry): exponential from base, capped,
// with jitter in [delay/2, delay]. A Retry-After (>= 0) replaces it, capped at cap.
int backoffDelayMs(const FetchOptions &options, int nextAttempt, int retryAfterMs);

} // namespace Artemis
