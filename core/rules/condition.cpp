#include "core/rules/condition.h"

#include <cmath>
#include <vector>

#include <QJsonObject>
#include <QRegularExpression>

#include "core/base/jsonvalues.h"
#include "core/rules/conditiontree.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

using ConditionTree::CmpOp;
using ConditionTree::Operand;
using Node = Condition::Node;

// What an operand stands for on one node.
struct Value
{
    enum class Type { Missing, Null, Bool, Number, String, Other };
    Type type = Type::Missing;
    double number = 0;
    bool boolean = false;
    QString string;
    QJsonValue json; // Other
};

Value valueOf(const QJsonValue &json)
{
    Value v;
    switch (json.type()) {
    case QJsonValue::Undefined:
        break;
    case QJsonValue::Null:
        v.type = Value::Type::Null;
        break;
    case QJsonValue::Bool:
        v.type = Value::Type::Bool;
        v.boolean = json.toBool();
        break;
    case QJsonValue::Double:
        v.type = Value::Type::Number;
        v.number = json.toDouble();
        break;
    case QJsonValue::String:
        v.type = Value::Type::String;
        v.string = json.toString();
        break;
    case QJsonValue::Array:
    case QJsonValue::Object:
        v.type = Value::Type::Other;
        v.json = json;
        break;
    }
    return v;
}

struct Input
{
    const QJsonValue &body;
    OutcomeKind outcome;
    qint64 latencyMs;
};

Value resolve(const Operand &o, const Input &in)
{
    Value v;
    switch (o.kind) {
    case Operand::Kind::Path:
        return valueOf(jsonValueAt(in.body, o.path));
    case Operand::Kind::Number:
        v.type = Value::Type::Number;
        v.number = o.number;
        break;
    case Operand::Kind::String:
        v.type = Value::Type::String;
        v.string = o.text;
        break;
    case Operand::Kind::Bool:
        v.type = Value::Type::Bool;
        v.boolean = o.boolean;
        break;
    case Operand::Kind::Null:
        v.type = Value::Type::Null;
        break;
    case Operand::Kind::Outcome:
        v.type = Value::Type::String;
        v.string = outcomeName(in.outcome);
        break;
    case Operand::Kind::Latency:
        v.type = Value::Type::Number;
        v.number = double(in.latencyMs);
        break;
    }
    return v;
}

template <typename T> bool ordered(const T &a, CmpOp op, const T &b)
{
    switch (op) {
    case CmpOp::Eq:
        return a == b;
    case CmpOp::Ne:
        return a != b;
    case CmpOp::Lt:
        return a < b;
    case CmpOp::Le:
        return a <= b;
    case CmpOp::Gt:
        return a > b;
    case CmpOp::Ge:
        return a >= b;
    }
    return false;
}

std::optional<double> asNumber(const Value &v)
{
    if (v.type == Value::Type::Number) {
        return v.number;
    }
    if (v.type == Value::Type::String) {
        return parseLooseNumber(v.string);
    }
    return std::nullopt;
}

// Three-valued (Kleene) logic: a comparison or a bare path on a value the answer lacks is
// unknown, and unknown spreads unless the other side decides: `false && x` is false, `true || x`
// true, `!unknown` unknown. exists() always decides, so an expression that guards a path with it
// (`!exists(p) || p < 5`) states itself what a missing value means.
enum class Truth : quint8 { False, True, Unknown };

Truth truth(bool b)
{
    return b ? Truth::True : Truth::False;
}

Truth compare(const Value &a, CmpOp op, const Value &b)
{
    using T = Value::Type;
    if (a.type == T::Missing || b.type == T::Missing) {
        return Truth::Unknown;
    }
    if (a.type == T::Number || b.type == T::Number) {
        const std::optional<double> x = asNumber(a);
        const std::optional<double> y = asNumber(b);
        if (x && y) {
            return truth(ordered(*x, op, *y));
        }
    } else if (a.type == b.type) {
        switch (a.type) {
        case T::String:
            return truth(ordered(a.string, op, b.string));
        case T::Bool:
        case T::Null:
        case T::Other:
            if (op == CmpOp::Eq || op == CmpOp::Ne) {
                const bool equal = a.type == T::Bool   ? a.boolean == b.boolean
                                   : a.type == T::Null ? true
                                                       : a.json == b.json;
                return truth((op == CmpOp::Eq) == equal);
            }
            return Truth::False;
        default:
            break;
        }
    }
    return truth(op == CmpOp::Ne); // different types
}

Truth eval(const Node &n, const Input &in)
{
    switch (n.kind) {
    case Node::Kind::Or: {
        const Truth left = eval(*n.left, in);
        if (left == Truth::True) {
            return left;
        }
        const Truth right = eval(*n.right, in);
        return right == Truth::True ? right : left == Truth::Unknown ? left : right;
    }
    case Node::Kind::And: {
        const Truth left = eval(*n.left, in);
        if (left == Truth::False) {
            return left;
        }
        const Truth right = eval(*n.right, in);
        return right == Truth::False ? right : left == Truth::Unknown ? left : right;
    }
    case Node::Kind::Not: {
        const Truth inner = eval(*n.left, in);
        return inner == Truth::Unknown ? inner : truth(inner == Truth::False);
    }
    case Node::Kind::Exists:
        return truth(!jsonValueAt(in.body, n.lhs.path).isUndefined());
    case Node::Kind::Truth: {
        const Value v = resolve(n.lhs, in);
        if (v.type == Value::Type::Missing) {
            return Truth::Unknown;
        }
        return truth(v.type == Value::Type::Bool && v.boolean);
    }
    case Node::Kind::Compare:
        return compare(resolve(n.lhs, in), n.op, resolve(n.rhs, in));
    }
    return Truth::False;
}

} // namespace

bool Condition::readsBody() const
{
    return m_root && m_root->readsBody;
}

Condition::Verdict Condition::evaluate(const QJsonValue &body, OutcomeKind outcome,
                                       qint64 latencyMs) const
{
    Verdict verdict;
    if (!m_root) {
        return verdict;
    }
    if (outcome != OutcomeKind::Ok && m_root->readsBody) {
        verdict.unknown = true;
        verdict.value = u"fetch failed: "_s + outcomeName(outcome);
        return verdict;
    }
    const Input in{body, outcome, latencyMs};
    const Truth result = eval(*m_root, in);
    verdict.passed = result == Truth::True;
    verdict.unknown = result == Truth::Unknown;
    QStringList parts;
    for (const Operand &o : m_root->reads) {
        QString shown;
        switch (o.kind) {
        case Operand::Kind::Outcome:
            shown = outcomeName(outcome);
            break;
        case Operand::Kind::Latency:
            shown = QString::number(latencyMs);
            break;
        default: {
            const QJsonValue v = jsonValueAt(body, o.path);
            shown = v.isUndefined() ? u"missing"_s : jsonValueText(v);
            if (shown.size() > 200) {
                shown = shown.left(200) + u"…"_s;
            }
            break;
        }
        }
        parts.append(o.text + u'=' + shown);
    }
    verdict.value = parts.join(u", "_s);
    return verdict;
}

} // namespace Artemis
