#include "core/fleet/pathsuggest.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include "core/base/jsonvalues.h"
#include "core/base/nearest.h"
#include "core/base/plural.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr int MaxPaths = 20000;  // distinct paths kept (a body of huge maps stays bounded)
constexpr int MaxArrayItems = 4; // array elements looked into ("disks[0].used")

void collectLeaves(const QJsonValue &value, const QString &path, QSet<QString> &out)
{
    if (out.size() >= MaxPaths) {
        return;
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            collectLeaves(it.value(), jsonPathAppendKey(path, it.key()), out);
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < std::min<qsizetype>(array.size(), MaxArrayItems); ++i) {
            collectLeaves(array.at(i), jsonPathAppendIndex(path, int(i)), out);
        }
    } else if (!path.isEmpty()) {
        out.insert(path);
    }
}

} // namespace

QList<PathSuggestion> suggestPaths(const ResultStore &store, const QString &huntId,
                                   const QString &path)
{
    QHash<QString, int> counts;
    QStringList order; // first seen first, for stable ties
    int read = 0;
    const Result<int> scanned = store.forEachResult(huntId, [&](const Outcome &outcome) {
        if (outcome.outcome != OutcomeKind::Ok) {
            return true;
        }
        QSet<QString> leaves;
        collectLeaves(outcome.body, QString(), leaves);
        for (const QString &leaf : std::as_const(leaves)) {
            if (counts[leaf]++ == 0) {
                order.append(leaf);
            }
        }
        return ++read < MaxSuggestionBodies;
    });
    if (!scanned) {
        return {}; // a suggestion is a courtesy: the answer itself stands without it
    }
    // Among candidates equally near, the one more nodes have comes first.
    std::stable_sort(order.begin(), order.end(), [&counts](const QString &a, const QString &b) {
        return counts.value(a) > counts.value(b);
    });
    QList<PathSuggestion> out;
    for (const QString &near : nearestNames(path, order, 3)) {
        out.append({near, counts.value(near)});
    }
    return out;
}

void addPathWarning(const ResultStore &store, const QString &huntId, FleetValues &values)
{
    if (values.withValue > 0 || values.missing == 0) {
        return; // found somewhere, or no node answered ok: nothing to suggest from
    }
    const QList<PathSuggestion> near = suggestPaths(store, huntId, values.path);
    QStringList named;
    for (const PathSuggestion &s : near) {
        values.suggestions.append({s.path, s.nodes});
        named.append(u"%1 (%2)"_s.arg(s.path, nodeCount(s.nodes)));
    }
    values.warnings.append(u"no node has '%1' (%2 answered without it)%3"_s.arg(
        values.path, nodeCount(values.missing),
        named.isEmpty() ? QString() : u"; did you mean %1?"_s.arg(named.join(u" or "_s))));
}

} // namespace Artemis
