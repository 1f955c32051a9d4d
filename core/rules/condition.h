#pragma once

#include <memory>

#include <QJsonValue>
#include <QString>
#include <QStringView>

#include "core/base/result.h"
#include "core/fetch/outcome.h"

namespace Artemis {

// A condition on one node's answer, as a schedule's alert rule states it:
// `mem.usedPercent < 90 && outcome == "ok"`. The language (documented in docs/api.md):
//
//   expr     := or
//   or       := and ('||' and)*
//   and      := unary ('&&' unary)*
//   unary    := '!' unary | primary          ('!' negates the comparison that follows)
//   primary  := '(' expr ')' | 'exists' '(' path ')' | operand [cmp operand]
//   cmp      := '==' | '!=' | '<' | '<=' | '>' | '>='
//   operand  := path | number | string | 'true' | 'false' | 'null' | 'outcome' | 'latencyMs'
//
// Paths are core/base/jsonvalues.h paths into the body (`mem.used`, `cpu[0]`, `labels["a.b"]`; a
// body key named like a keyword is written `["outcome"]`). Numbers may carry a unit as
// parseLooseNumber reads them (`80%`, `1.5G` = 1.5 * 1024^3, `250ms`, `2s` = 2000); a string in
// the answer that reads as such a number compares as that number with a number. Strings are
// double-quoted with backslash escapes. A bare path (or true/false) is true when its value is
// JSON true.
//
// Rules: values of different types are unequal (`!=` true, everything else false); strings
// order by code unit. A verdict is true, false or *unknown* (three-valued logic):
//  - a node whose fetch failed (outcome not "ok") is unknown for every condition that reads its
//    body, including exists(); a condition on `outcome` and `latencyMs` only is evaluated as
//    written (`outcome == "ok"` is false for it);
//  - a comparison or a bare path on a path the answer lacks is unknown, whatever the operator;
//    unknown spreads through `!`, and through `&&`/`||` unless the other side decides
//    (`false && x` is false, `true || x` is true);
//  - exists() always decides: `!exists(p) || p < 5` passes a node without p, `exists(p) &&
//    p < 5` fails it.
// An alert rule never fires on unknown and does not count it toward `for`
// (core/rules/alertstate.h).
//
// Immutable after parse(); copies share the tree; evaluate() is pure and thread-safe.
class Condition
{
public:
    static constexpr qsizetype MaxLength = 4096;
    static constexpr int MaxDepth = 64;

    // The error (InvalidArgument) says where: "position N: ..." (1-based character position),
    // details {"position": N}.
    static Result<Condition> parse(QStringView expression);

    struct Verdict
    {
        bool passed = false;
        bool unknown = false; // neither passed nor failed (passed is false)
        // What the condition read, for an alert's annotation: "mem.usedPercent=93.5,
        // latencyMs=12" (a missing path reads "missing"), or "fetch failed: timeout".
        QString value;
    };
    Verdict evaluate(const QJsonValue &body, OutcomeKind outcome, qint64 latencyMs) const;

    const QString &text() const { return m_text; }
    bool readsBody() const;

    struct Node; // the parsed tree (condition.cpp)

private:
    std::shared_ptr<const Node> m_root;
    QString m_text;
};

} // namespace Artemis
