#include "core/store/resultskim.h"

#include <cctype>
#include <cstring>

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr int MaxDepth = 512;

class Skimmer
{
public:
    Skimmer(const char *begin, const char *end) : m_p(begin), m_end(end) {}

    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r')) {
            ++m_p;
        }
    }
    bool atEnd() const { return m_p >= m_end; }
    bool eat(char c)
    {
        skipSpace();
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return false;
    }
    char peek()
    {
        skipSpace();
        return m_p < m_end ? *m_p : '\0';
    }
    const char *pos() const { return m_p; }

    // A string token; [begin, end) is its content without quotes; escaped when it has '\'.
    bool string(const char *&begin, const char *&end, bool &escaped)
    {
        if (!eat('"')) {
            return false;
        }
        begin = m_p;
        escaped = false;
        while (m_p < m_end) {
            const auto c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                end = m_p++;
                return true;
            }
            // Raw control characters are accepted, as QJsonDocument accepts them.
            if (c == '\\') {
                escaped = true;
                if (++m_p >= m_end) {
                    return false;
                }
                if (*m_p == 'u') {
                    for (int i = 0; i < 4; ++i) {
                        if (++m_p >= m_end || !std::isxdigit(static_cast<unsigned char>(*m_p))) {
                            return false;
                        }
                    }
                }
                // Any other escaped character is accepted, as QJsonDocument accepts it.
            }
            ++m_p;
        }
        return false;
    }

    bool skipValue(int depth)
    {
        if (depth > MaxDepth) {
            return false;
        }
        switch (peek()) {
        case '{':
            ++m_p;
            if (eat('}')) {
                return true;
            }
            do {
                const char *b = nullptr;
                const char *e = nullptr;
                bool escaped = false;
                if (!string(b, e, escaped) || !eat(':') || !skipValue(depth + 1)) {
                    return false;
                }
            } while (eat(','));
            return eat('}');
        case '[':
            ++m_p;
            if (eat(']')) {
                return true;
            }
            do {
                if (!skipValue(depth + 1)) {
                    return false;
                }
            } while (eat(','));
            return eat(']');
        case '"': {
            const char *b = nullptr;
            const char *e = nullptr;
            bool escaped = false;
            return string(b, e, escaped);
        }
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default:
            return number();
        }
    }

    // Walks the value at the cursor along path[depth..]; [found, foundEnd) is the target.
    bool walk(const JsonPath &path, const QList<QByteArray> &keys, qsizetype depth,
              const char *&found, const char *&foundEnd)
    {
        if (depth == path.size()) {
            skipSpace();
            const char *begin = m_p;
            if (!skipValue(int(depth))) {
                return false;
            }
            found = begin;
            foundEnd = m_p;
            return true;
        }
        const JsonPathSegment &segment = path[depth];
        const char c = peek();
        if (c == '{' && segment.index < 0) {
            ++m_p;
            if (eat('}')) {
                return true;
            }
            do {
                const char *b = nullptr;
                const char *e = nullptr;
                bool escaped = false;
                if (!string(b, e, escaped) || !eat(':')) {
                    return false;
                }
                const bool match = !found && keyEquals(b, e, escaped, keys[depth], segment.key);
                if (!(match ? walk(path, keys, depth + 1, found, foundEnd)
                            : skipValue(int(depth) + 1))) {
                    return false;
                }
            } while (eat(','));
            return eat('}');
        }
        if (c == '[' && segment.index >= 0) {
            ++m_p;
            if (eat(']')) {
                return true;
            }
            int i = 0;
            do {
                if (!(i++ == segment.index ? walk(path, keys, depth + 1, found, foundEnd)
                                           : skipValue(int(depth) + 1))) {
                    return false;
                }
            } while (eat(','));
            return eat(']');
        }
        return skipValue(int(depth));
    }

private:
    static bool keyEquals(const char *b, const char *e, bool escaped, const QByteArray &utf8,
                          const QString &key)
    {
        if (!escaped) {
            return QByteArrayView(b, e - b) == QByteArrayView(utf8);
        }
        return decodeString(b, e, true) == key;
    }

    bool literal(const char *word)
    {
        const qsizetype n = qsizetype(std::strlen(word));
        if (m_end - m_p < n || std::memcmp(m_p, word, size_t(n)) != 0) {
            return false;
        }
        m_p += n;
        return true;
    }

    bool digits()
    {
        const char *start = m_p;
        while (m_p < m_end && *m_p >= '0' && *m_p <= '9') {
            ++m_p;
        }
        return m_p > start;
    }

    bool number()
    {
        if (m_p < m_end && *m_p == '-') {
            ++m_p;
        }
        if (!digits()) {
            return false;
        }
        if (m_p < m_end && *m_p == '.') {
            ++m_p;
            digits(); // "1." is accepted, as QJsonDocument accepts it
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-')) {
                ++m_p;
            }
            if (!digits()) {
                return false;
            }
        }
        return true;
    }

public:
    static QString decodeString(const char *b, const char *e, bool escaped)
    {
        if (!escaped) {
            return QString::fromUtf8(b, e - b);
        }
        // Rare (node names and outcome names have no escapes): let Qt decode them.
        QByteArray wrapped = "[\"" + QByteArray(b, e - b) + "\"]";
        return QJsonDocument::fromJson(wrapped).array().at(0).toString();
    }

private:
    const char *m_p;
    const char *m_end;
};

QJsonValue parseValue(const char *b, const char *e)
{
    if (*b == '{') {
        return QJsonDocument::fromJson(QByteArray::fromRawData(b, e - b)).object();
    }
    if (*b == '[') {
        return QJsonDocument::fromJson(QByteArray::fromRawData(b, e - b)).array();
    }
    if (*b == '"') {
        bool escaped = false;
        for (const char *p = b + 1; p < e - 1; ++p) {
            escaped = escaped || *p == '\\';
        }
        return Skimmer::decodeString(b + 1, e - 1, escaped);
    }
    if (*b == 't' || *b == 'f') {
        return *b == 't';
    }
    if (*b == 'n') {
        return QJsonValue::Null;
    }
    // Numbers as QJsonDocument reads them (integers stay exact integers).
    QByteArray wrapped = '[' + QByteArray(b, e - b) + ']';
    return QJsonDocument::fromJson(wrapped).array().at(0);
}

} // namespace

bool skimResultLine(QByteArrayView line, const JsonPath &path, SkimmedResult &out)
{
    out = SkimmedResult{};
    out.value = QJsonValue(QJsonValue::Undefined);
    QList<QByteArray> keys;
    keys.reserve(path.size());
    for (const JsonPathSegment &segment : path) {
        keys.append(segment.key.toUtf8());
    }
    Skimmer s(line.data(), line.data() + line.size());
    if (!s.eat('{')) {
        return false;
    }
    const char *found = nullptr;
    const char *foundEnd = nullptr;
    bool haveNode = false;
    bool haveOutcome = false;
    bool haveBody = false;
    if (!s.eat('}')) {
        do {
            const char *b = nullptr;
            const char *e = nullptr;
            bool escaped = false;
            if (!s.string(b, e, escaped) || !s.eat(':')) {
                return false;
            }
            const QByteArrayView key(b, e - b);
            bool *seen = nullptr;
            if (!escaped && key == "node" && !haveNode) {
                seen = &haveNode;
            } else if (!escaped && key == "outcome" && !haveOutcome) {
                seen = &haveOutcome;
            } else if (!escaped && key == "body" && !haveBody) {
                haveBody = true;
                if (!s.walk(path, keys, 0, found, foundEnd)) {
                    return false;
                }
                continue;
            }
            if (seen && s.peek() == '"') {
                *seen = true;
                if (!s.string(b, e, escaped)) {
                    return false;
                }
                const QString text = Skimmer::decodeString(b, e, escaped);
                if (seen == &haveNode) {
                    out.node = text;
                } else {
                    out.kind = outcomeFromName(text);
                }
            } else if (!s.skipValue(1)) {
                return false;
            }
        } while (s.eat(','));
        if (!s.eat('}')) {
            return false;
        }
    }
    s.skipSpace();
    if (!s.atEnd()) {
        return false;
    }
    if (found) {
        out.value = parseValue(found, foundEnd);
    }
    return true;
}

bool skimResultRecord(QByteArrayView line, const QList<JsonPath> &paths, SkimmedRecord &out)
{
    out = SkimmedRecord{};
    Skimmer s(line.data(), line.data() + line.size());
    if (!s.eat('{')) {
        return false;
    }
    const char *bodyBegin = nullptr;
    const char *bodyEnd = nullptr;
    bool haveNode = false;
    bool haveOutcome = false;
    bool haveLatency = false;
    bool haveAttempts = false;
    bool haveLabels = false;
    if (!s.eat('}')) {
        do {
            const char *b = nullptr;
            const char *e = nullptr;
            bool escaped = false;
            if (!s.string(b, e, escaped) || !s.eat(':')) {
                return false;
            }
            const QByteArrayView key = escaped ? QByteArrayView() : QByteArrayView(b, e - b);
            s.skipSpace();
            const char *valueBegin = s.pos();
            if (!s.skipValue(1)) {
                return false;
            }
            const char *valueEnd = s.pos();
            // First occurrence wins, as in skimResultLine.
            if (key == "node" && !haveNode) {
                haveNode = true;
                if (*valueBegin == '"') {
                    out.node = parseValue(valueBegin, valueEnd).toString();
                }
            } else if (key == "outcome" && !haveOutcome) {
                haveOutcome = true;
                if (*valueBegin == '"') {
                    out.kind = outcomeFromName(parseValue(valueBegin, valueEnd).toString());
                }
            } else if (key == "latencyMs" && !haveLatency) {
                haveLatency = true;
                out.latencyMs = QByteArray(valueBegin, valueEnd - valueBegin).toDouble();
            } else if (key == "attempts" && !haveAttempts) {
                haveAttempts = true;
                out.attempts = QByteArray(valueBegin, valueEnd - valueBegin).toDouble();
            } else if (key == "labels" && !haveLabels) {
                haveLabels = true;
                // Validated by skipValue above; only string entries are taken.
                Skimmer labels(valueBegin, valueEnd);
                if (labels.eat('{') && !labels.eat('}')) {
                    do {
                        const char *kb = nullptr;
                        const char *ke = nullptr;
                        bool kesc = false;
                        if (!labels.string(kb, ke, kesc) || !labels.eat(':')) {
                            break;
                        }
                        const char *vb = nullptr;
                        const char *ve = nullptr;
                        bool vesc = false;
                        if (labels.peek() == '"' && labels.string(vb, ve, vesc)) {
                            out.labels.insert(Skimmer::decodeString(kb, ke, kesc),
                                              Skimmer::decodeString(vb, ve, vesc));
                        } else if (!labels.skipValue(2)) {
                            break;
                        }
                    } while (labels.eat(','));
                }
            } else if (key == "body" && !bodyBegin) {
                bodyBegin = valueBegin;
                bodyEnd = valueEnd;
            }
        } while (s.eat(','));
        if (!s.eat('}')) {
            return false;
        }
    }
    s.skipSpace();
    if (!s.atEnd()) {
        return false;
    }
    out.values.reserve(paths.size());
    for (const JsonPath &path : paths) {
        QJsonValue value(QJsonValue::Undefined);
        if (bodyBegin) {
            QList<QByteArray> keys;
            keys.reserve(path.size());
            for (const JsonPathSegment &segment : path) {
                keys.append(segment.key.toUtf8());
            }
            Skimmer body(bodyBegin, bodyEnd);
            const char *found = nullptr;
            const char *foundEnd = nullptr;
            // The body was validated above; walking it again cannot fail.
            if (body.walk(path, keys, 0, found, foundEnd) && found) {
                value = parseValue(found, foundEnd);
            }
        }
        out.values.append(value);
    }
    return true;
}

} // namespace Artemis
