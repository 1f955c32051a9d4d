#include "core/condition.h"

#include <cmath>
#include <vector>

#include <QJsonObject>
#include <QRegularExpression>

#include "core/jsonvalues.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

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

} // namespace

struct Condition::Node
{
    enum class Kind { Or, And, Not, Compare, Exists, Truth };
    Kind kind = Kind::Truth;
    std::unique_ptr<Node> left; // Or, And, Not
    std::unique_ptr<Node> right;
    CmpOp op = CmpOp::Eq;
    Operand lhs; // Compare, Exists (a path), Truth (a path or a boolean)
    Operand rhs;
    // The operands read anywhere in the tree, in order of first appearance (root only).
    std::vector<Operand> reads;
    bool readsBody = false; // root only
};

namespace {

using Node = Condition::Node;

enum class Tok {
    End,
    Path,
    Number,
    String,
    True,
    False,
    Null,
    Outcome,
    Latency,
    Exists,
    LParen,
    RParen,
    Not,
    And,
    Or,
    Cmp,
};

struct Token
{
    Tok kind = Tok::End;
    qsizetype pos = 0; // 0-based
    QString text;      // as written (paths, numbers); the unescaped string
    JsonPath path;
    double number = 0;
    CmpOp op = CmpOp::Eq;
};

Error errorAt(qsizetype pos, const QString &why)
{
    return makeError(ErrorCode::InvalidArgument, u"position %1: %2"_s.arg(pos + 1).arg(why),
                     QJsonObject{{u"position"_s, int(pos + 1)}});
}

bool isIdentStart(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}

bool isIdentChar(QChar c)
{
    return isIdentStart(c) || (c >= u'0' && c <= u'9') || c == u'-';
}

bool isUnitChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'%' || c == u'°'
           || c == u'µ';
}

class Lexer
{
public:
    explicit Lexer(QStringView text) : m_text(text) {}

    Result<Token> next()
    {
        while (m_i < m_text.size() && m_text[m_i].isSpace()) {
            ++m_i;
        }
        Token t;
        t.pos = m_i;
        if (m_i >= m_text.size()) {
            return t;
        }
        const QChar c = m_text[m_i];
        const QChar d = m_i + 1 < m_text.size() ? m_text[m_i + 1] : QChar();
        auto two = [&](Tok kind, CmpOp op = CmpOp::Eq) {
            t.kind = kind;
            t.op = op;
            m_i += 2;
            return t;
        };
        auto one = [&](Tok kind, CmpOp op = CmpOp::Eq) {
            t.kind = kind;
            t.op = op;
            m_i += 1;
            return t;
        };
        if (c == u'(') {
            return one(Tok::LParen);
        }
        if (c == u')') {
            return one(Tok::RParen);
        }
        if (c == u'&') {
            if (d == u'&') {
                return two(Tok::And);
            }
            return errorAt(m_i, u"'&' must be '&&'"_s);
        }
        if (c == u'|') {
            if (d == u'|') {
                return two(Tok::Or);
            }
            return errorAt(m_i, u"'|' must be '||'"_s);
        }
        if (c == u'=') {
            if (d == u'=') {
                return two(Tok::Cmp, CmpOp::Eq);
            }
            return errorAt(m_i, u"'=' must be '=='"_s);
        }
        if (c == u'!') {
            return d == u'=' ? two(Tok::Cmp, CmpOp::Ne) : one(Tok::Not);
        }
        if (c == u'<') {
            return d == u'=' ? two(Tok::Cmp, CmpOp::Le) : one(Tok::Cmp, CmpOp::Lt);
        }
        if (c == u'>') {
            return d == u'=' ? two(Tok::Cmp, CmpOp::Ge) : one(Tok::Cmp, CmpOp::Gt);
        }
        if (c == u'"') {
            return string(t);
        }
        if (c.isDigit() || ((c == u'-' || c == u'+' || c == u'.') && (d.isDigit() || d == u'.'))) {
            return number(t);
        }
        if (isIdentStart(c) || c == u'[') {
            return path(t);
        }
        return errorAt(m_i, u"unexpected '%1'"_s.arg(c));
    }

private:
    Result<Token> string(Token &t)
    {
        ++m_i;
        QString out;
        while (m_i < m_text.size()) {
            const QChar c = m_text[m_i];
            if (c == u'"') {
                ++m_i;
                t.kind = Tok::String;
                t.text = out;
                return t;
            }
            if (c == u'\\') {
                if (m_i + 1 >= m_text.size()) {
                    break;
                }
                const QChar e = m_text[m_i + 1];
                out.append(e == u'n' ? QChar(u'\n') : e == u't' ? QChar(u'\t') : e);
                m_i += 2;
                continue;
            }
            out.append(c);
            ++m_i;
        }
        return errorAt(t.pos, u"unterminated string"_s);
    }

    Result<Token> number(Token &t)
    {
        const qsizetype start = m_i;
        auto digits = [&] {
            while (m_i < m_text.size() && m_text[m_i].isDigit()) {
                ++m_i;
            }
        };
        if (m_text[m_i] == u'-' || m_text[m_i] == u'+') {
            ++m_i;
        }
        digits();
        if (m_i < m_text.size() && m_text[m_i] == u'.') {
            ++m_i;
            digits();
        }
        // An exponent only when digits follow: "5e" alone is 5 with a unit 'e' (refused below).
        if (m_i < m_text.size() && (m_text[m_i] == u'e' || m_text[m_i] == u'E')) {
            qsizetype j = m_i + 1;
            if (j < m_text.size() && (m_text[j] == u'+' || m_text[j] == u'-')) {
                ++j;
            }
            if (j < m_text.size() && m_text[j].isDigit()) {
                m_i = j;
                digits();
            }
        }
        const qsizetype unitStart = m_i;
        while (m_i < m_text.size() && isUnitChar(m_text[m_i])) {
            ++m_i;
        }
        t.text = m_text.mid(start, m_i - start).toString();
        const std::optional<double> value = parseLooseNumber(t.text);
        // parseLooseNumber keeps the number of an unknown unit ("45°C"); a literal is ours to
        // check, so only what it scales (sizes, durations) or '%' may follow.
        if (!value || !std::isfinite(*value)) {
            return errorAt(start, u"'%1' is not a number"_s.arg(t.text));
        }
        const QString unit = m_text.mid(unitStart, m_i - unitStart).toString();
        static const QRegularExpression knownUnit(
            u"^(%|ns|us|µs|ms|s|sec|min|h|d|[bB]|[kKMGTPgtp]i?[bB]?|[mM][iI]?[bB])$"_s);
        if (!unit.isEmpty() && !knownUnit.match(unit).hasMatch()) {
            return errorAt(unitStart, u"unknown unit '%1' (known: %, B, K/M/G/T/P with "
                                      "optional i and B, ns, us, ms, s, min, h, d)"_s.arg(unit));
        }
        t.kind = Tok::Number;
        t.number = *value;
        return t;
    }

    Result<Token> path(Token &t)
    {
        const qsizetype start = m_i;
        bool plainIdent = true;
        while (m_i < m_text.size()) {
            const QChar c = m_text[m_i];
            if (isIdentChar(c)) {
                ++m_i;
            } else if (c == u'.' && m_i + 1 < m_text.size()
                       && (isIdentChar(m_text[m_i + 1]) || m_text[m_i + 1] == u'[')) {
                plainIdent = false;
                ++m_i;
            } else if (c == u'[') {
                plainIdent = false;
                const qsizetype open = m_i;
                ++m_i;
                if (m_i < m_text.size() && m_text[m_i] == u'"') {
                    ++m_i;
                    while (m_i < m_text.size() && m_text[m_i] != u'"') {
                        m_i += m_text[m_i] == u'\\' ? 2 : 1;
                    }
                    ++m_i; // the closing quote
                }
                while (m_i < m_text.size() && m_text[m_i] != u']') {
                    ++m_i;
                }
                if (m_i >= m_text.size()) {
                    return errorAt(open, u"unterminated '['"_s);
                }
                ++m_i;
            } else {
                break;
            }
        }
        t.text = m_text.mid(start, m_i - start).toString();
        if (plainIdent) {
            static const QList<QPair<QString, Tok>> keywords = {
                {u"true"_s, Tok::True},         {u"false"_s, Tok::False},
                {u"null"_s, Tok::Null},         {u"outcome"_s, Tok::Outcome},
                {u"latencyMs"_s, Tok::Latency}, {u"exists"_s, Tok::Exists},
            };
            for (const auto &[word, kind] : keywords) {
                if (t.text == word) {
                    t.kind = kind;
                    return t;
                }
            }
        }
        Result<JsonPath> parsed = parseJsonPath(t.text);
        if (!parsed) {
            return errorAt(start, parsed.error().message);
        }
        t.kind = Tok::Path;
        t.path = std::move(parsed).value();
        return t;
    }

    QStringView m_text;
    qsizetype m_i = 0;
};

QString tokenName(const Token &t)
{
    switch (t.kind) {
    case Tok::End:
        return u"the end"_s;
    case Tok::String:
        return u"a string"_s;
    case Tok::Number:
        return u"'%1'"_s.arg(t.text);
    case Tok::Path:
        return u"'%1'"_s.arg(t.text);
    case Tok::LParen:
        return u"'('"_s;
    case Tok::RParen:
        return u"')'"_s;
    case Tok::Not:
        return u"'!'"_s;
    case Tok::And:
        return u"'&&'"_s;
    case Tok::Or:
        return u"'||'"_s;
    case Tok::Cmp:
        return u"a comparison"_s;
    case Tok::True:
        return u"'true'"_s;
    case Tok::False:
        return u"'false'"_s;
    case Tok::Null:
        return u"'null'"_s;
    case Tok::Outcome:
        return u"'outcome'"_s;
    case Tok::Latency:
        return u"'latencyMs'"_s;
    case Tok::Exists:
        return u"'exists'"_s;
    }
    return {};
}

class Parser
{
public:
    explicit Parser(QStringView text) : m_lexer(text) {}

    Result<std::unique_ptr<Node>> parse()
    {
        if (const Result<void> first = advance(); !first) {
            return first.error();
        }
        if (m_tok.kind == Tok::End) {
            return errorAt(m_tok.pos, u"empty condition"_s);
        }
        Result<std::unique_ptr<Node>> root = parseOr(0);
        if (!root) {
            return root;
        }
        if (m_tok.kind != Tok::End) {
            return errorAt(m_tok.pos,
                           u"expected '&&', '||' or the end, found %1"_s.arg(tokenName(m_tok)));
        }
        return root;
    }

private:
    using NodeResult = Result<std::unique_ptr<Node>>;

    Result<void> advance()
    {
        Result<Token> t = m_lexer.next();
        if (!t) {
            return t.error();
        }
        m_tok = std::move(t).value();
        return {};
    }

    NodeResult binary(int depth, Tok op, Node::Kind kind, NodeResult (Parser::*sub)(int))
    {
        NodeResult left = (this->*sub)(depth);
        if (!left) {
            return left;
        }
        std::unique_ptr<Node> node = std::move(left).value();
        while (m_tok.kind == op) {
            if (const Result<void> a = advance(); !a) {
                return a.error();
            }
            NodeResult right = (this->*sub)(depth);
            if (!right) {
                return right;
            }
            auto joined = std::make_unique<Node>();
            joined->kind = kind;
            joined->left = std::move(node);
            joined->right = std::move(right).value();
            node = std::move(joined);
        }
        return node;
    }

    NodeResult parseOr(int depth)
    {
        if (depth > Condition::MaxDepth) {
            return errorAt(m_tok.pos, u"nested deeper than %1"_s.arg(Condition::MaxDepth));
        }
        return binary(depth, Tok::Or, Node::Kind::Or, &Parser::parseAnd);
    }

    NodeResult parseAnd(int depth)
    {
        return binary(depth, Tok::And, Node::Kind::And, &Parser::parseUnary);
    }

    NodeResult parseUnary(int depth)
    {
        if (m_tok.kind == Tok::Not) {
            if (depth > Condition::MaxDepth) {
                return errorAt(m_tok.pos, u"nested deeper than %1"_s.arg(Condition::MaxDepth));
            }
            if (const Result<void> a = advance(); !a) {
                return a.error();
            }
            NodeResult inner = parseUnary(depth + 1);
            if (!inner) {
                return inner;
            }
            auto node = std::make_unique<Node>();
            node->kind = Node::Kind::Not;
            node->left = std::move(inner).value();
            return node;
        }
        return parsePrimary(depth);
    }

    Result<void> expect(Tok kind, const QString &what)
    {
        if (m_tok.kind != kind) {
            return errorAt(m_tok.pos, u"expected %1, found %2"_s.arg(what, tokenName(m_tok)));
        }
        return advance();
    }

    NodeResult parsePrimary(int depth)
    {
        if (m_tok.kind == Tok::LParen) {
            if (const Result<void> a = advance(); !a) {
                return a.error();
            }
            NodeResult inner = parseOr(depth + 1);
            if (!inner) {
                return inner;
            }
            if (const Result<void> closed = expect(Tok::RParen, u"')'"_s); !closed) {
                return closed.error();
            }
            return inner;
        }
        if (m_tok.kind == Tok::Exists) {
            if (const Result<void> a = advance(); !a) {
                return a.error();
            }
            if (const Result<void> open = expect(Tok::LParen, u"'(' after exists"_s); !open) {
                return open.error();
            }
            if (m_tok.kind != Tok::Path) {
                return errorAt(m_tok.pos,
                               u"exists() takes a path, found %1"_s.arg(tokenName(m_tok)));
            }
            auto node = std::make_unique<Node>();
            node->kind = Node::Kind::Exists;
            node->lhs = operandOf(m_tok);
            if (const Result<void> a = advance(); !a) {
                return a.error();
            }
            if (const Result<void> closed = expect(Tok::RParen, u"')'"_s); !closed) {
                return closed.error();
            }
            return node;
        }
        const Token first = m_tok;
        if (!isOperand(first.kind)) {
            return errorAt(first.pos, u"expected a path, a value, '!', '(' or exists(), found "
                                      "%1"_s.arg(tokenName(first)));
        }
        if (const Result<void> a = advance(); !a) {
            return a.error();
        }
        auto node = std::make_unique<Node>();
        node->lhs = operandOf(first);
        if (m_tok.kind != Tok::Cmp) {
            if (first.kind != Tok::Path && first.kind != Tok::True && first.kind != Tok::False) {
                return errorAt(m_tok.pos, u"expected a comparison after %1, found %2"_s.arg(
                                              tokenName(first), tokenName(m_tok)));
            }
            node->kind = Node::Kind::Truth;
            return node;
        }
        node->kind = Node::Kind::Compare;
        node->op = m_tok.op;
        if (const Result<void> a = advance(); !a) {
            return a.error();
        }
        const Token second = m_tok;
        if (!isOperand(second.kind)) {
            return errorAt(second.pos,
                           u"expected a path or a value, found %1"_s.arg(tokenName(second)));
        }
        node->rhs = operandOf(second);
        if (const Result<void> checked = checkOutcome(first, second); !checked) {
            return checked.error();
        }
        if (const Result<void> checked = checkOutcome(second, first); !checked) {
            return checked.error();
        }
        if (const Result<void> a = advance(); !a) {
            return a.error();
        }
        if (m_tok.kind == Tok::Cmp) {
            return errorAt(m_tok.pos, u"comparisons do not chain: use '&&'"_s);
        }
        return node;
    }

    // `outcome == "timout"` is a typo that would never match: refuse it.
    static Result<void> checkOutcome(const Token &a, const Token &b)
    {
        if (a.kind == Tok::Outcome && b.kind == Tok::String && !outcomeFromName(b.text)) {
            QStringList known;
            for (int k = 0; k < OutcomeKindCount; ++k) {
                known.append(outcomeName(OutcomeKind(k)));
            }
            return errorAt(
                b.pos, u"unknown outcome \"%1\" (known: %2)"_s.arg(b.text, known.join(u", "_s)));
        }
        return {};
    }

    static bool isOperand(Tok kind)
    {
        switch (kind) {
        case Tok::Path:
        case Tok::Number:
        case Tok::String:
        case Tok::True:
        case Tok::False:
        case Tok::Null:
        case Tok::Outcome:
        case Tok::Latency:
            return true;
        default:
            return false;
        }
    }

    static Operand operandOf(const Token &t)
    {
        Operand o;
        switch (t.kind) {
        case Tok::Path:
            o.kind = Operand::Kind::Path;
            o.path = t.path;
            o.text = jsonPathToString(t.path);
            break;
        case Tok::Number:
            o.kind = Operand::Kind::Number;
            o.number = t.number;
            break;
        case Tok::String:
            o.kind = Operand::Kind::String;
            o.text = t.text;
            break;
        case Tok::True:
        case Tok::False:
            o.kind = Operand::Kind::Bool;
            o.boolean = t.kind == Tok::True;
            break;
        case Tok::Outcome:
            o.kind = Operand::Kind::Outcome;
            o.text = u"outcome"_s;
            break;
        case Tok::Latency:
            o.kind = Operand::Kind::Latency;
            o.text = u"latencyMs"_s;
            break;
        default:
            o.kind = Operand::Kind::Null;
            break;
        }
        return o;
    }

    Lexer m_lexer;
    Token m_tok;
};

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

void collect(const Node &n, std::vector<Operand> &reads)
{
    auto add = [&](const Operand &o) {
        if (o.kind != Operand::Kind::Path && o.kind != Operand::Kind::Outcome
            && o.kind != Operand::Kind::Latency) {
            return;
        }
        for (const Operand &seen : reads) {
            if (seen.kind == o.kind && seen.path == o.path) {
                return;
            }
        }
        reads.push_back(o);
    };
    if (n.left) {
        collect(*n.left, reads);
    }
    if (n.right) {
        collect(*n.right, reads);
    }
    if (n.kind == Node::Kind::Compare || n.kind == Node::Kind::Exists
        || n.kind == Node::Kind::Truth) {
        add(n.lhs);
    }
    if (n.kind == Node::Kind::Compare) {
        add(n.rhs);
    }
}

} // namespace

Result<Condition> Condition::parse(QStringView expression)
{
    if (expression.size() > MaxLength) {
        return errorAt(MaxLength, u"longer than %1 characters"_s.arg(MaxLength));
    }
    Parser parser(expression);
    Result<std::unique_ptr<Node>> root = parser.parse();
    if (!root) {
        return root.error();
    }
    std::unique_ptr<Node> node = std::move(root).value();
    collect(*node, node->reads);
    node->readsBody = std::any_of(node->reads.cbegin(), node->reads.cend(),
                                  [](const Operand &o) { return o.kind == Operand::Kind::Path; });
    Condition c;
    c.m_root = std::move(node);
    c.m_text = expression.toString();
    return c;
}

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
