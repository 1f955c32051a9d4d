// Fuzzes Retry-After parsing (core/fetch/fetcher.h parseRetryAfterMs) and what the fetcher does
// with it: the classification of a 503/429 answer and the delay before the next attempt.
// Invariants: the result is -1 (ignored) or a delay >= 0; delay-seconds are exact (saturating at
// INT_MAX, leading zeros allowed); a later "now" never gives a longer wait for the same date; the
// retry delay stays within [0, backoffCapMs].

#include <limits>

#include <QDateTime>

#include "core/fetch/fetcher.h"
#include "core/fetch/fetchoptions.h"
#include "tests/fuzz/fuzzcheck.h"

using namespace Artemis;

namespace {

// The expected value of an all-digit Retry-After: seconds * 1000, saturated.
qint64 expectedSeconds(const QByteArray &digits)
{
    qint64 ms = 0;
    for (const char c : digits) {
        ms = ms * 10 + (c - '0');
        if (ms > std::numeric_limits<int>::max()) {
            return std::numeric_limits<int>::max();
        }
    }
    return std::min<qint64>(ms * 1000, std::numeric_limits<int>::max());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::setUp();

    const QByteArray value(reinterpret_cast<const char *>(data), qsizetype(size));
    const QDateTime now(QDate(2026, 11, 27), QTime(12, 0, 0), Qt::UTC);
    const int ms = parseRetryAfterMs(value, now);
    FUZZ_CHECK(ms >= -1);

    const QByteArray trimmed = value.trimmed();
    const bool allDigits =
        !trimmed.isEmpty()
        && std::all_of(trimmed.begin(), trimmed.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (allDigits) {
        FUZZ_CHECK_MSG(ms == expectedSeconds(trimmed), trimmed.constData());
    } else if (ms >= 0) {
        // An HTTP date: an hour later the same date is at most as far away.
        const int later = parseRetryAfterMs(value, now.addSecs(3600));
        FUZZ_CHECK(later >= 0 && later <= ms);
    }

    FetchOptions options;
    for (const int status : {429, 503}) {
        AttemptFacts facts;
        facts.httpStatus = status;
        facts.retryAfter = value;
        const Classification c = classifyAttempt(facts, {}, options, now);
        FUZZ_CHECK(c.kind == OutcomeKind::HttpError && c.transient);
        FUZZ_CHECK(c.retryAfterMs == (value.isEmpty() ? -1 : ms));
        for (int attempt = 2; attempt <= options.attempts + 1; ++attempt) {
            const int delay = backoffDelayMs(options, attempt, c.retryAfterMs);
            FUZZ_CHECK(delay >= 0 && delay <= options.backoffCapMs);
            if (c.retryAfterMs >= 0) {
                FUZZ_CHECK(delay == std::min(c.retryAfterMs, options.backoffCapMs));
            }
        }
    }
    return 0;
}
