#pragma once

// Private to core/prom/prometheustext.cpp: the exposition format's character classes and a cursor
// over one line of it.

#include <QByteArrayView>

namespace Artemis::PromText {

inline bool isLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

inline bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

inline bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

inline bool isMetricNameStart(char c)
{
    return isLetter(c) || c == '_' || c == ':';
}

inline bool isMetricNameChar(char c)
{
    return isMetricNameStart(c) || isDigit(c);
}

inline bool isLabelNameStart(char c)
{
    return isLetter(c) || c == '_';
}

inline bool isLabelNameChar(char c)
{
    return isLabelNameStart(c) || isDigit(c);
}

// A cursor over one line (without its line feed, trimmed of blanks at both ends).
class Line
{
public:
    explicit Line(QByteArrayView text) : m_text(text) {}

    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return atEnd() ? '\0' : m_text.at(m_pos); }
    void advance() { ++m_pos; }
    void skip(qsizetype count) { m_pos += count; }
    QByteArrayView rest() const { return m_text.sliced(m_pos); }

    void skipBlanks()
    {
        while (!atEnd() && isBlank(peek())) {
            ++m_pos;
        }
    }
    // Up to the next blank (or the end).
    QByteArrayView token()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && !isBlank(peek())) {
            ++m_pos;
        }
        return m_text.sliced(start, m_pos - start);
    }
    // A name: one `first` char, then `next` chars; empty when the cursor is not at one.
    template <typename First, typename Next> QByteArrayView name(First first, Next next)
    {
        const qsizetype start = m_pos;
        if (atEnd() || !first(peek())) {
            return {};
        }
        while (!atEnd() && next(peek())) {
            ++m_pos;
        }
        return m_text.sliced(start, m_pos - start);
    }

private:
    QByteArrayView m_text;
    qsizetype m_pos = 0;
};

inline bool equalsIgnoringCase(QByteArrayView text, QByteArrayView lower)
{
    if (text.size() != lower.size()) {
        return false;
    }
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if ((c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c) != lower.at(i)) {
            return false;
        }
    }
    return true;
}

} // namespace Artemis::PromText
