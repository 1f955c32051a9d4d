#include "core/fleet/nodediff.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>

#include "core/base/jsonvalues.h"
#include "core/fetch/outcome.h"
#include "core/fleet/fleetvalues.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

void flattenInto(const QJsonValue &value, const QString &path, QList<LeafValue> &out)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        if (object.isEmpty()) {
            out.append(LeafValue{path, value});
            return;
        }
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            flattenInto(it.value(), jsonPathAppendKey(path, it.key()), out);
        }
        return;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            out.append(LeafValue{path, value});
            return;
        }
        for (qsizetype i = 0; i < array.size(); ++i) {
            flattenInto(array.at(i), jsonPathAppendIndex(path, int(i)), out);
        }
        return;
    }
    out.append(LeafValue{path, value});
}

QJsonArray entriesToJson(const QList<NodeDifference> &entries, bool value, bool expected)
{
    QJsonArray out;
    for (const NodeDifference &d : entries) {
        QJsonObject o{{u"path"_s, d.path}};
        if (value) {
            o.insert(u"value"_s, d.value);
        }
        if (d.noMajority) {
            o.insert(u"majority"_s, false);
        } else {
            if (expected) {
                o.insert(u"expected"_s, d.expected);
            }
            o.insert(u"share"_s, d.share);
        }
        if (expected && !value) {
            o.insert(u"present"_s, d.present); // onlyOther
        }
        out.append(o);
    }
    return out;
}

struct ValueTally
{
    QJsonValue value;
    int count = 0;
};

// A path the node has: every value seen there.
struct PathTally
{
    int nodes = 0;
    QHash<QString, ValueTally> values;
};

// A path the node lacks: how many nodes have it, and a Boyer-Moore majority vote.
struct VoteTally
{
    int nodes = 0;
    QString candidateText;
    QJsonValue candidate;
    int votes = 0;
};

} // namespace

QList<LeafValue> flattenJson(const QJsonValue &body)
{
    QList<LeafValue> out;
    if (!body.isUndefined()) {
        flattenInto(body, QString(), out);
    }
    return out;
}

NodeDiff diffNodes(const QJsonValue &body, const QJsonValue &other, const QString &node,
                   const QString &against)
{
    NodeDiff diff;
    diff.node = node;
    diff.against = against;
    diff.compared = 1;
    const QList<LeafValue> mine = flattenJson(body);
    const QList<LeafValue> theirs = flattenJson(other);
    QHash<QString, QJsonValue> theirMap;
    theirMap.reserve(theirs.size());
    for (const LeafValue &leaf : theirs) {
        theirMap.insert(leaf.path, leaf.value);
    }
    QSet<QString> minePaths;
    for (const LeafValue &leaf : mine) {
        minePaths.insert(leaf.path);
        const auto it = theirMap.constFind(leaf.path);
        if (it == theirMap.constEnd()) {
            diff.onlyNode.append(NodeDifference{leaf.path, leaf.value, {}, 1});
        } else if (compactJsonText(leaf.value) != compactJsonText(*it)) {
            diff.differences.append(NodeDifference{leaf.path, leaf.value, *it, 1});
        }
    }
    for (const LeafValue &leaf : theirs) {
        if (!minePaths.contains(leaf.path)) {
            diff.onlyOther.append(NodeDifference{leaf.path, {}, leaf.value, 1});
        }
    }
    return diff;
}

Result<NodeDiff> diffAgainstMajority(const ResultStore &store, const QString &huntId,
                                     const QString &node, const NodeDiffOptions &options)
{
    // Pass 1: the node's own (first) record.
    std::optional<Outcome> target;
    const Result<int> first = store.forEachResult(huntId, [&](const Outcome &outcome) {
        if (outcome.node == node) {
            target = outcome;
            return false;
        }
        return true;
    });
    if (!first) {
        return first.error();
    }
    if (!target) {
        return makeError(ErrorCode::NotFound,
                         u"no result for node '%1' in hunt '%2'"_s.arg(node, huntId));
    }
    if (target->outcome != OutcomeKind::Ok) {
        return makeError(ErrorCode::NotFound,
                         u"node '%1' has no answer to compare (outcome %2)"_s.arg(
                             node, outcomeName(target->outcome)));
    }

    const QList<LeafValue> mine = flattenJson(target->body);
    QHash<QString, PathTally> tallies;
    tallies.reserve(mine.size());
    for (const LeafValue &leaf : mine) {
        tallies.insert(leaf.path, PathTally{});
    }
    QHash<QString, VoteTally> lacking;
    QSet<QString> seen{node};
    int compared = 0;

    // Pass 2: every other node's first record.
    const Result<int> second = store.forEachResult(huntId, [&](const Outcome &outcome) {
        const qsizetype before = seen.size();
        seen.insert(outcome.node);
        if (seen.size() == before || outcome.outcome != OutcomeKind::Ok) {
            return true;
        }
        ++compared;
        for (const LeafValue &leaf : flattenJson(outcome.body)) {
            const QString text = compactJsonText(leaf.value);
            const auto it = tallies.find(leaf.path);
            if (it != tallies.end()) {
                ++it->nodes;
                ValueTally &v = it->values[text];
                if (v.count++ == 0) {
                    v.value = leaf.value;
                }
                continue;
            }
            VoteTally &vote = lacking[leaf.path];
            ++vote.nodes;
            if (vote.votes == 0) {
                vote.candidateText = text;
                vote.candidate = leaf.value;
                vote.votes = 1;
            } else {
                vote.votes += vote.candidateText == text ? 1 : -1;
            }
        }
        return true;
    });
    if (!second) {
        return second.error();
    }

    NodeDiff diff;
    diff.node = node;
    diff.against = u"majority"_s;
    diff.compared = compared;
    const double n = compared > 0 ? double(compared) : 1.0;
    for (const LeafValue &leaf : mine) {
        const PathTally &tally = tallies[leaf.path];
        if (tally.nodes * 2 <= compared || compared == 0) {
            diff.onlyNode.append(NodeDifference{leaf.path, leaf.value, {}, tally.nodes / n});
            continue;
        }
        const ValueTally *best = nullptr;
        QString bestText;
        for (auto it = tally.values.constBegin(); it != tally.values.constEnd(); ++it) {
            if (!best || it->count > best->count
                || (it->count == best->count && it.key() < bestText)) {
                best = &it.value();
                bestText = it.key();
            }
        }
        if (double(best->count) <= options.majorityShare * tally.nodes) {
            ++diff.variable;
            continue;
        }
        if (bestText != compactJsonText(leaf.value)) {
            diff.differences.append(
                NodeDifference{leaf.path, leaf.value, best->value, best->count / n});
        }
    }
    QStringList lackingPaths;
    for (auto it = lacking.constBegin(); it != lacking.constEnd(); ++it) {
        if (it->nodes * 2 > compared) {
            lackingPaths.append(it.key());
        }
    }
    lackingPaths.sort();
    if (lackingPaths.isEmpty()) {
        return diff;
    }
    // Pass 3: how many nodes hold each vote's winner (the vote finds the majority value when
    // there is one, and some value when there is none: only a count tells them apart).
    QHash<QString, int> winnerCounts;
    for (const QString &path : std::as_const(lackingPaths)) {
        winnerCounts.insert(path, 0);
    }
    seen = QSet<QString>{node};
    const Result<int> third = store.forEachResult(huntId, [&](const Outcome &outcome) {
        const qsizetype before = seen.size();
        seen.insert(outcome.node);
        if (seen.size() == before || outcome.outcome != OutcomeKind::Ok) {
            return true;
        }
        for (const LeafValue &leaf : flattenJson(outcome.body)) {
            const auto it = winnerCounts.find(leaf.path);
            if (it != winnerCounts.end()
                && compactJsonText(leaf.value) == lacking[leaf.path].candidateText) {
                ++*it;
            }
        }
        return true;
    });
    if (!third) {
        return third.error();
    }
    for (const QString &path : std::as_const(lackingPaths)) {
        const VoteTally &vote = lacking[path];
        const int held = winnerCounts.value(path);
        NodeDifference entry{path, {}, vote.candidate, held / n};
        entry.present = vote.nodes / n;
        if (double(held) <= options.majorityShare * vote.nodes) {
            entry.expected = QJsonValue(QJsonValue::Undefined);
            entry.share = 0;
            entry.noMajority = true;
        }
        diff.onlyOther.append(std::move(entry));
    }
    return diff;
}

QJsonObject toJson(const NodeDiff &diff)
{
    return QJsonObject{
        {u"node"_s, diff.node},
        {u"against"_s, diff.against},
        {u"compared"_s, diff.compared},
        {u"variable"_s, diff.variable},
        {u"differences"_s, entriesToJson(diff.differences, true, true)},
        {u"onlyNode"_s, entriesToJson(diff.onlyNode, true, false)},
        {u"onlyOther"_s, entriesToJson(diff.onlyOther, false, true)},
    };
}

Result<NodeDiff> nodeDiffFromJson(const QJsonObject &json)
{
    if (!json.value(u"node"_s).isString() || !json.value(u"differences"_s).isArray()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"not a node diff object (no \"node\" or \"differences\")"_s);
    }
    const auto entries = [&json](const QString &key) {
        QList<NodeDifference> list;
        for (const QJsonValue &item : json.value(key).toArray()) {
            const QJsonObject o = item.toObject();
            NodeDifference d;
            d.path = o.value(u"path"_s).toString();
            d.value = o.value(u"value"_s);
            d.expected = o.value(u"expected"_s);
            d.share = o.value(u"share"_s).toDouble(1);
            d.present = o.value(u"present"_s).toDouble(d.share);
            d.noMajority = o.value(u"majority"_s) == QJsonValue(false);
            if (d.noMajority) {
                d.share = 0;
            }
            list.append(std::move(d));
        }
        return list;
    };
    NodeDiff diff;
    diff.node = json.value(u"node"_s).toString();
    diff.against = json.value(u"against"_s).toString();
    diff.compared = json.value(u"compared"_s).toInt();
    diff.variable = json.value(u"variable"_s).toInt();
    diff.differences = entries(u"differences"_s);
    diff.onlyNode = entries(u"onlyNode"_s);
    diff.onlyOther = entries(u"onlyOther"_s);
    return diff;
}

} // namespace Artemis
