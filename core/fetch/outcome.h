#pragma once

#include <array>
#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QMetaType>
#include <QString>

#include "core/base/nodelabels.h"
#include "core/base/result.h"

namespace Artemis {

// What happened to one node. Order matters: it is the index into count arrays.
enum class OutcomeKind : quint8 {
    Ok,
    HttpError,
    InvalidJson,
    Timeout,
    Refused,
    Dns,
    Tls,
    TooLarge,
    Cancelled,
    Denied,
    Error,
};
inline constexpr int OutcomeKindCount = 11;

QString outcomeName(OutcomeKind kind);
std::optional<OutcomeKind> outcomeFromName(QStringView name);

// Per-outcome tallies of a hunt.
class OutcomeCounts
{
public:
    void add(OutcomeKind kind, int n = 1) { m_counts[static_cast<size_t>(kind)] += n; }
    int count(OutcomeKind kind) const { return m_counts[static_cast<size_t>(kind)]; }
    int total() const;
    // Every outcome but ok and cancelled (a cancelled node was not asked to the end).
    int failed() const { return total() - count(OutcomeKind::Ok) - count(OutcomeKind::Cancelled); }
    OutcomeCounts &operator+=(const OutcomeCounts &other);
    QJsonObject toJson() const; // {"ok": N, ...} with every kind present
    static OutcomeCounts fromJson(const QJsonObject &json);
    bool operator==(const OutcomeCounts &) const = default;

private:
    std::array<int, OutcomeKindCount> m_counts{};
};

// A set of outcome kinds, for filters ("only timeouts", "every failure"). Empty = no filter
// (every outcome). Converts from one kind and from an optional kind, as filters used to be.
class OutcomeFilter
{
public:
    OutcomeFilter() = default;
    OutcomeFilter(OutcomeKind kind) : m_bits(bit(kind)) {}
    OutcomeFilter(std::optional<OutcomeKind> kind) : m_bits(kind ? bit(*kind) : 0) {}

    // "ok", "timeout,refused", "failed" (every outcome but ok), "all"/"" (no filter). The error
    // names the unknown word and the known ones.
    static Result<OutcomeFilter> parse(QStringView text);
    static OutcomeFilter failed();

    bool isEmpty() const { return m_bits == 0; }
    explicit operator bool() const { return !isEmpty(); }
    bool matches(OutcomeKind kind) const { return isEmpty() || (m_bits & bit(kind)) != 0; }
    // Matches exactly one kind: that kind.
    std::optional<OutcomeKind> single() const;
    int count(const OutcomeCounts &counts) const; // nodes matching among `counts`
    QString toString() const; // parse() reads it back ("failed" for the failure set)
    bool operator==(const OutcomeFilter &) const = default;

private:
    static constexpr quint32 bit(OutcomeKind kind) { return 1u << static_cast<int>(kind); }
    quint32 m_bits = 0;
};

// The record kept for one node of a hunt: one line of results.ndjson.
struct Outcome
{
    QString node;
    QString url;
    OutcomeKind outcome = OutcomeKind::Error;
    int httpStatus = 0; // 0 when no HTTP answer arrived
    int attempts = 0;
    qint64 latencyMs = 0; // of the last attempt
    qint64 bytes = 0;     // body bytes received in the last attempt
    QDateTime fetchedAt;  // UTC, when the last attempt ended
    QString error;        // human-readable; empty when ok
    QJsonValue body;      // parsed JSON when valid; else up to RawBodyLimit of raw text; else null
    // When `body` was converted from another format (Prometheus text): the text as received,
    // its first RawTextLimit bytes (compare with `bytes`). Empty otherwise.
    QString raw;
    Labels labels; // the node's labels (Target::labels); "labels" in the record when not empty
    // Distributed mode: the worker that fetched it (its --name, from the signed results
    // entry); "worker" in the record. Empty for local fetches.
    QString worker;

    static constexpr qsizetype RawBodyLimit = 4096;
    static constexpr qsizetype RawTextLimit = 64 * 1024;

    // The record of a node that got no answer (cancelled, denied), stamped now.
    static Outcome unanswered(const QString &node, const QString &url, OutcomeKind kind,
                              const QString &error, int attempts = 0);

    QJsonObject toJson() const;
    static Result<Outcome> fromJson(const QJsonObject &json);
};

// Why a node failed, in words shared by every node that failed the same way: the error up to
// its first "; " (the rest is per-node detail), and "host not found" for every dns failure.
// For summaries that group failures ("40 http_error: HTTP 500 Internal Server Error").
QString failureReason(const Outcome &outcome);

} // namespace Artemis

Q_DECLARE_METATYPE(Artemis::Outcome)
