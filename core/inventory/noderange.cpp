#include "core/inventory/noderange.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMap>

#include "core/base/plural.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

struct RangeItem
{
    qint64 first = 0;
    qint64 last = 0;
    int width = 0; // zero padding; 0 = none
};

// A node split into literal text and range groups: a part with no items is literal.
struct Part
{
    QStringView literal;
    QList<RangeItem> items;
};

// Nine digits keep every product of two counts far from overflow and cover any port/octet.
constexpr qsizetype MaxDigits = 9;
// Counts saturate here: a count <= 1e9 times a group <= 1e9 stays inside qint64.
constexpr qint64 CountCap = 1000000000;

std::optional<qint64> parseNumber(QStringView text)
{
    if (text.isEmpty() || text.size() > MaxDigits) {
        return std::nullopt;
    }
    qint64 value = 0;
    for (QChar c : text) {
        if (c < u'0' || c > u'9') {
            return std::nullopt;
        }
        value = value * 10 + (c.unicode() - u'0');
    }
    return value;
}

Result<QList<RangeItem>> parseGroup(QStringView group)
{
    auto bad = [&](const QString &reason) { return makeError(ErrorCode::InvalidNode, reason); };
    if (group.isEmpty()) {
        return bad(u"empty range []"_s);
    }
    QList<RangeItem> items;
    for (QStringView item : group.split(u',')) {
        const qsizetype dash = item.indexOf(u'-');
        const QStringView firstText = dash < 0 ? item : item.left(dash);
        const QStringView lastText = dash < 0 ? item : item.mid(dash + 1);
        const std::optional<qint64> first = parseNumber(firstText);
        const std::optional<qint64> last = parseNumber(lastText);
        if (!first || !last) {
            return bad(u"bad range [%1]: '%2' is not a number or a range N-M (up to %3 digits)"_s
                           .arg(group.toString(), item.toString())
                           .arg(MaxDigits));
        }
        if (*first > *last) {
            return bad(u"bad range [%1]: %2 is above %3"_s.arg(
                group.toString(), firstText.toString(), lastText.toString()));
        }
        const bool padded = firstText.size() > 1 && firstText.front() == u'0';
        items.append({*first, *last, padded ? int(firstText.size()) : 0});
    }
    return items;
}

// Fast path: most nodes have no '[' at all.
Result<QList<Part>> splitNode(QStringView node)
{
    QList<Part> parts;
    qsizetype literalStart = 0;
    qsizetype i = 0;
    while ((i = node.indexOf(u'[', i)) >= 0) {
        const qsizetype close = node.indexOf(u']', i + 1);
        if (close < 0) {
            return makeError(ErrorCode::InvalidNode, u"unclosed '[' at character %1"_s.arg(i + 1));
        }
        const QStringView group = node.mid(i + 1, close - i - 1);
        if (group.contains(u':')) {
            i = close + 1; // an IPv6 literal: part of the literal text
            continue;
        }
        Result<QList<RangeItem>> items = parseGroup(group);
        if (!items) {
            return items.error();
        }
        if (i > literalStart) {
            parts.append({node.mid(literalStart, i - literalStart), {}});
        }
        parts.append({{}, std::move(items).value()});
        i = close + 1;
        literalStart = i;
    }
    if (literalStart < node.size() || parts.isEmpty()) {
        parts.append({node.mid(literalStart), {}});
    }
    return parts;
}

qint64 groupSize(const QList<RangeItem> &items)
{
    qint64 n = 0;
    for (const RangeItem &item : items) {
        n += item.last - item.first + 1;
    }
    return n;
}

qint64 countParts(const QList<Part> &parts, qint64 cap)
{
    qint64 count = 1;
    for (const Part &part : parts) {
        if (!part.items.isEmpty()) {
            count *= groupSize(part.items); // both factors <= ~1e10: no overflow
            if (count > cap) {
                return cap + 1;
            }
        }
    }
    return count;
}

} // namespace

bool hasNodeRange(QStringView node)
{
    if (!node.contains(u'[')) {
        return false;
    }
    const Result<QList<Part>> parts = splitNode(node);
    if (!parts) {
        return true; // a broken range is still a range (its error comes from expanding)
    }
    for (const Part &part : *parts) {
        if (!part.items.isEmpty()) {
            return true;
        }
    }
    return false;
}

Result<qint64> nodeRangeCount(QStringView node, qint64 cap)
{
    if (!node.contains(u'[')) {
        return qint64(1);
    }
    const Result<QList<Part>> parts = splitNode(node);
    if (!parts) {
        return parts.error();
    }
    return countParts(*parts, cap);
}

Result<QStringList> expandNodeRange(QStringView node)
{
    if (!node.contains(u'[')) {
        return QStringList{node.toString()};
    }
    const Result<QList<Part>> parts = splitNode(node);
    if (!parts) {
        return parts.error();
    }
    QStringList out{QString()};
    for (const Part &part : *parts) {
        if (part.items.isEmpty()) {
            for (QString &s : out) {
                s.append(part.literal);
            }
            continue;
        }
        QStringList values;
        values.reserve(groupSize(part.items));
        for (const RangeItem &item : part.items) {
            for (qint64 v = item.first; v <= item.last; ++v) {
                values.append(u"%1"_s.arg(v, item.width, 10, QChar(u'0')));
            }
        }
        QStringList next;
        next.reserve(out.size() * values.size());
        for (const QString &prefix : std::as_const(out)) {
            for (const QString &value : std::as_const(values)) {
                next.append(prefix + value);
            }
        }
        out = std::move(next);
    }
    return out;
}

QStringList splitNodeList(QStringView text)
{
    QStringList parts;
    int depth = 0;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        const QChar c = i < text.size() ? text.at(i) : QChar(u',');
        if (c == u'[') {
            ++depth;
        } else if (c == u']' && depth > 0) {
            --depth;
        } else if (c == u',' && (depth == 0 || i == text.size())) {
            const QStringView part = text.mid(start, i - start).trimmed();
            if (!part.isEmpty()) {
                parts.append(part.toString());
            }
            start = i + 1;
        }
    }
    return parts;
}

Result<ExpandedNodes> expandNodeRanges(const QStringList &nodes, const QList<Labels> &labels,
                                       int maxNodes)
{
    Q_ASSERT(labels.isEmpty() || labels.size() == nodes.size());
    QList<qint64> counts(nodes.size(), 1);
    bool anyRange = false;
    QJsonArray bad;
    QString firstMessage;
    qint64 total = 0;
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        const QString &node = nodes.at(i);
        if (node.contains(u'[')) {
            // The true count (up to a billion) is named in the error, so count past maxNodes.
            const Result<qint64> count = nodeRangeCount(node, CountCap);
            if (!count) {
                if (firstMessage.isEmpty()) {
                    firstMessage = u"node %1 '%2': %3"_s.arg(i).arg(node, count.error().message);
                }
                bad.append(QJsonObject{
                    {u"index"_s, int(i)}, {u"node"_s, node}, {u"reason"_s, count.error().message}});
                continue;
            }
            counts[i] = *count;
            anyRange = anyRange || *count != 1 || hasNodeRange(node);
        }
        total += counts.at(i);
        if (total > maxNodes) {
            const QString count = counts.at(i) > CountCap ? u"more than %1"_s.arg(CountCap)
                                                          : QString::number(counts.at(i));
            const QString message =
                total == counts.at(i) || counts.at(i) > maxNodes
                    ? u"node %1 '%2' expands to %3 nodes; at most %4 per hunt"_s.arg(i)
                          .arg(node, count)
                          .arg(maxNodes)
                    : u"node %1 '%2' expands to %3 nodes, which makes %4 in all; at most %5 "
                      u"per hunt"_s.arg(i)
                          .arg(node, count)
                          .arg(total)
                          .arg(maxNodes);
            return makeError(ErrorCode::TooLarge, message,
                             QJsonObject{{u"index"_s, int(i)},
                                         {u"node"_s, node},
                                         {u"expandsTo"_s, counts.at(i)},
                                         {u"maxNodes"_s, maxNodes}});
        }
    }
    if (!bad.isEmpty()) {
        const QString message =
            bad.size() == 1 ? firstMessage
                            : u"%1 invalid nodes; first: %2"_s.arg(bad.size()).arg(firstMessage);
        return makeError(ErrorCode::InvalidNode, message, bad);
    }
    if (!anyRange) {
        return ExpandedNodes{nodes, labels, {}};
    }
    ExpandedNodes out;
    out.nodes.reserve(total);
    out.origins.reserve(total);
    if (!labels.isEmpty()) {
        out.labels.reserve(total);
    }
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        Result<QStringList> expanded = expandNodeRange(nodes.at(i));
        Q_ASSERT(expanded); // counted above
        if (!labels.isEmpty()) {
            for (qsizetype k = 0; k < expanded->size(); ++k) {
                out.labels.append(labels.at(i));
            }
        }
        out.origins.insert(out.origins.size(), expanded->size(), int(i));
        out.nodes.append(std::move(expanded).value());
    }
    return out;
}

Error perGivenNode(const Error &error, const QStringList &given, const ExpandedNodes &expanded)
{
    const bool nodeError = error.code == ErrorCode::InvalidNode || error.code == ErrorCode::Denied;
    if (!nodeError || !error.details.isArray()) {
        return error;
    }
    struct Group
    {
        QJsonObject first; // the first bad expanded node's entry
        int bad = 0;
    };
    QMap<int, Group> groups; // by given position, in order
    const QJsonArray details = error.details.toArray();
    for (const QJsonValue &value : details) {
        const QJsonObject entry = value.toObject();
        const int index = entry.value(u"index"_s).toInt();
        const int origin = expanded.origins.isEmpty() ? index : expanded.origins.value(index);
        Group &group = groups[origin];
        if (group.bad++ == 0) {
            group.first = entry;
        }
    }
    QJsonArray listed;
    QString firstMessage;
    for (auto it = groups.cbegin(); it != groups.cend() && listed.size() < MaxListedNodes; ++it) {
        const QString node = given.value(it.key());
        const QString firstNode = it->first.value(u"node"_s).toString();
        QString reason = it->first.value(u"reason"_s).toString();
        if (firstNode != node) {
            const qint64 size =
                std::count(expanded.origins.cbegin(), expanded.origins.cend(), it.key());
            reason = u"%1 of the %2 it expands to; first '%3': %4"_s.arg(nodeCount(it->bad))
                         .arg(size)
                         .arg(firstNode, reason);
        }
        if (firstMessage.isEmpty()) {
            firstMessage = u"node %1 '%2': %3"_s.arg(it.key() + 1).arg(node, reason);
        }
        listed.append(
            QJsonObject{{u"index"_s, it.key()}, {u"node"_s, node}, {u"reason"_s, reason}});
    }
    const qsizetype unlisted = groups.size() - listed.size();
    const QString what =
        error.code == ErrorCode::Denied ? u"denied by the target policy"_s : u"invalid"_s;
    QString message =
        groups.size() == 1
            ? firstMessage
            : u"%1 %2%3; first: %4"_s.arg(
                nodeCount(groups.size()), what,
                unlisted > 0 ? u", %1 more not listed"_s.arg(unlisted) : QString(), firstMessage);
    if (error.code == ErrorCode::Denied) {
        message += u"; nothing was started"_s;
    }
    return makeError(error.code, message, listed);
}

} // namespace Artemis
