#pragma once

// Private to core/rules/conditionparser.cpp: the condition language's tokens and its lexer.

#include <QJsonObject>
#include <QString>
#include <QStringView>

#include "core/base/result.h"
#include "core/rules/conditiontree.h"

namespace Artemis::ConditionTree {

using namespace Qt::StringLiterals;

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

inline Error errorAt(qsizetype pos, const QString &why)
{
    return makeError(ErrorCode::InvalidArgument, u"position %1: %2"_s.arg(pos + 1).arg(why),
                     QJsonObject{{u"position"_s, int(pos + 1)}});
}

inline bool isIdentStart(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}

inline bool isIdentChar(QChar c)
{
    return isIdentStart(c) || (c >= u'0' && c <= u'9') || c == u'-';
}

inline bool isUnitChar(QChar c)
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

inline QString tokenName(const Token &t)
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

} // namespace Artemis::ConditionTree
