// Condition::parse: the lexer and the recursive-descent parser of the condition language
// (core/rules/condition.h), into the tree of core/rules/conditiontree.h. Evaluation is
// core/rules/condition.cpp.
#include "core/rules/conditionlexer.h"
#include "core/rules/conditiontree.h"

#include <algorithm>

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

using namespace ConditionTree;
using Node = Condition::Node;

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

} // namespace Artemis
