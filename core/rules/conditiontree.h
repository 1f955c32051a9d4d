#pragma once

// Private to core/rules/condition.cpp (evaluation) and core/rules/conditionparser.cpp (lexer and
// parser): the parsed form of a condition.

#include <QString>

#include <memory>
#include <vector>

#include "core/base/jsonvalues.h"
#include "core/rules/condition.h"

namespace Artemis {

namespace ConditionTree {

enum class CmpOp { Eq, Ne, Lt, Le, Gt, Ge };

struct Operand
{
    enum class Kind { Path, Number, String, Bool, Null, Outcome, Latency };
    Kind kind = Kind::Null;
    JsonPath path;
    QString text; // a path as written; a string literal
    double number = 0;
    bool boolean = false;
};

} // namespace ConditionTree

struct Condition::Node
{
    enum class Kind { Or, And, Not, Compare, Exists, Truth };
    Kind kind = Kind::Truth;
    std::unique_ptr<Node> left; // Or, And, Not
    std::unique_ptr<Node> right;
    ConditionTree::CmpOp op = ConditionTree::CmpOp::Eq;
    ConditionTree::Operand lhs; // Compare, Exists (a path), Truth (a path or a boolean)
    ConditionTree::Operand rhs;
    // The operands read anywhere in the tree, in order of first appearance (root only).
    std::vector<ConditionTree::Operand> reads;
    bool readsBody = false; // root only
};

} // namespace Artemis
