#include "core/fetch/outcome.h"

#include <numeric>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {
constexpr std::array<QStringView, OutcomeKindCount> Names = {
    u"ok",  u"http_error", u"invalid_json", u"timeout", u"refused", u"dns",
    u"tls", u"too_large",  u"cancelled",    u"denied",  u"error",
};
} // namespace

QString outcomeName(OutcomeKind kind)
{
    return Names[static_cast<size_t>(kind)].toString();
}

std::optional<OutcomeKind> outcomeFromName(QStringView name)
{
    for (size_t i = 0; i < Names.size(); ++i) {
        if (Names[i] == name) {
            return static_cast<OutcomeKind>(i);
        }
    }
    return std::nullopt;
}

int OutcomeCounts::total() const
{
    return std::accumulate(m_counts.begin(), m_counts.end(), 0);
}

OutcomeCounts &OutcomeCounts::operator+=(const OutcomeCounts &other)
{
    for (size_t i = 0; i < m_counts.size(); ++i) {
        m_counts[i] += other.m_counts[i];
    }
    return *this;
}

QJsonObject OutcomeCounts::toJson() const
{
    QJsonObject json;
    for (size_t i = 0; i < Names.size(); ++i) {
        json.insert(Names[i].toString(), m_counts[i]);
    }
    return json;
}

OutcomeCounts OutcomeCounts::fromJson(const QJsonObject &json)
{
    OutcomeCounts counts;
    for (size_t i = 0; i < Names.size(); ++i) {
        counts.m_counts[i] = json.value(Names[i].toString()).toInt();
    }
    return counts;
}

Outcome Outcome::unanswered(const QString &node, const QString &url, OutcomeKind kind,
                            const QString &error, int attempts)
{
    Outcome o;
    o.node = node;
    o.url = url;
    o.outcome = kind;
    o.attempts = attempts;
    o.fetchedAt = QDateTime::currentDateTimeUtc();
    o.error = error;
    return o;
}

QJsonObject Outcome::toJson() const
{
    QJsonObject json{
        {u"node"_s, node},
        {u"url"_s, url},
        {u"outcome"_s, outcomeName(outcome)},
        {u"httpStatus"_s, httpStatus},
        {u"attempts"_s, attempts},
        {u"latencyMs"_s, latencyMs},
        {u"bytes"_s, bytes},
        {u"fetchedAt"_s, fetchedAt.toUTC().toString(Qt::ISODateWithMs)},
        {u"error"_s, error},
        {u"body"_s, body},
    };
    if (!raw.isEmpty()) {
        json.insert(u"raw"_s, raw);
    }
    if (!labels.isEmpty()) {
        json.insert(u"labels"_s, labelsToJson(labels));
    }
    if (!worker.isEmpty()) {
        json.insert(u"worker"_s, worker);
    }
    return json;
}

Result<Outcome> Outcome::fromJson(const QJsonObject &json)
{
    Outcome o;
    o.node = json.value(u"node"_s).toString();
    if (o.node.isEmpty()) {
        return makeError(ErrorCode::InvalidArgument, u"outcome record has no node"_s);
    }
    const auto kind = outcomeFromName(json.value(u"outcome"_s).toString());
    if (!kind) {
        return makeError(ErrorCode::InvalidArgument,
                         u"outcome record for '%1' has an unknown outcome"_s.arg(o.node));
    }
    o.outcome = *kind;
    o.url = json.value(u"url"_s).toString();
    o.httpStatus = json.value(u"httpStatus"_s).toInt();
    o.attempts = json.value(u"attempts"_s).toInt();
    o.latencyMs = json.value(u"latencyMs"_s).toInteger();
    o.bytes = json.value(u"bytes"_s).toInteger();
    o.fetchedAt = QDateTime::fromString(json.value(u"fetchedAt"_s).toString(), Qt::ISODateWithMs);
    o.error = json.value(u"error"_s).toString();
    o.body = json.value(u"body"_s);
    o.raw = json.value(u"raw"_s).toString();
    o.worker = json.value(u"worker"_s).toString();
    // Records written before labels existed have none; a malformed object is dropped, not
    // fatal (the rest of the record is still good).
    if (Result<Labels> labels = labelsFromJson(json.value(u"labels"_s)); labels) {
        o.labels = std::move(labels).value();
    }
    return o;
}

OutcomeFilter OutcomeFilter::failed()
{
    OutcomeFilter f;
    for (int i = 0; i < OutcomeKindCount; ++i) {
        if (static_cast<OutcomeKind>(i) != OutcomeKind::Ok) {
            f.m_bits |= bit(static_cast<OutcomeKind>(i));
        }
    }
    return f;
}

Result<OutcomeFilter> OutcomeFilter::parse(QStringView text)
{
    OutcomeFilter f;
    for (QStringView word : text.split(u',')) {
        word = word.trimmed();
        if (word.isEmpty() || word == u"all") {
            continue;
        }
        if (word == u"failed") {
            f.m_bits |= failed().m_bits;
            continue;
        }
        const std::optional<OutcomeKind> kind = outcomeFromName(word);
        if (!kind) {
            QStringList known{u"failed"_s};
            for (int i = 0; i < OutcomeKindCount; ++i) {
                known.append(outcomeName(static_cast<OutcomeKind>(i)));
            }
            return makeError(ErrorCode::InvalidArgument,
                             u"unknown outcome '%1' (one of %2, or a comma list)"_s.arg(
                                 word.toString(), known.join(u", "_s)));
        }
        f.m_bits |= bit(*kind);
    }
    return f;
}

std::optional<OutcomeKind> OutcomeFilter::single() const
{
    for (int i = 0; i < OutcomeKindCount; ++i) {
        if (m_bits == bit(static_cast<OutcomeKind>(i))) {
            return static_cast<OutcomeKind>(i);
        }
    }
    return std::nullopt;
}

int OutcomeFilter::count(const OutcomeCounts &counts) const
{
    int n = 0;
    for (int i = 0; i < OutcomeKindCount; ++i) {
        if (matches(static_cast<OutcomeKind>(i))) {
            n += counts.count(static_cast<OutcomeKind>(i));
        }
    }
    return n;
}

QString OutcomeFilter::toString() const
{
    if (*this == failed()) {
        return u"failed"_s;
    }
    QStringList names;
    for (int i = 0; i < OutcomeKindCount; ++i) {
        if (m_bits & bit(static_cast<OutcomeKind>(i))) {
            names.append(outcomeName(static_cast<OutcomeKind>(i)));
        }
    }
    return names.join(u',');
}

QString failureReason(const Outcome &outcome)
{
    if (outcome.outcome == OutcomeKind::Dns) {
        return u"host not found"_s;
    }
    const qsizetype cut = outcome.error.indexOf(u"; "_s);
    return cut < 0 ? outcome.error : outcome.error.left(cut);
}

} // namespace Artemis
