#include "headless/rest/requestscanner.h"

#include <algorithm>

#include <QList>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimmed(QByteArrayView text)
{
    while (!text.isEmpty() && (isSpace(text.front()) || text.front() == '\r')) {
        text = text.sliced(1);
    }
    while (!text.isEmpty() && (isSpace(text.back()) || text.back() == '\r')) {
        text.chop(1);
    }
    return text;
}

// "GET /path HTTP/1.1" -> its words.
QList<QByteArrayView> splitWords(QByteArrayView line)
{
    QList<QByteArrayView> words;
    while (!line.isEmpty()) {
        const qsizetype space = line.indexOf(' ');
        if (space != 0) {
            words.append(space < 0 ? line : line.first(space));
        }
        if (space < 0) {
            break;
        }
        line = line.sliced(space + 1);
    }
    return words;
}

// Where the head in `bytes` ends (just past its blank line), or -1. Lines may end in CRLF or LF,
// as QtHttpServer's parser takes both.
qsizetype headEnd(const QByteArray &bytes, qsizetype from)
{
    for (qsizetype i = std::max<qsizetype>(from, 1); i < bytes.size(); ++i) {
        if (bytes[i] != '\n') {
            continue;
        }
        if (bytes[i - 1] == '\n') {
            return i + 1;
        }
        if (bytes[i - 1] == '\r' && i >= 2 && bytes[i - 2] == '\n') {
            return i + 1;
        }
    }
    return -1;
}

} // namespace

RequestScanner::Step RequestScanner::feed(QByteArrayView bytes)
{
    Step last;
    while (!bytes.isEmpty() && m_state != State::Done) {
        if (m_state == State::Body) {
            const qint64 take = std::min<qint64>(m_bodyLeft, bytes.size());
            m_bodyLeft -= take;
            bytes = bytes.sliced(take);
            if (m_bodyLeft == 0) {
                m_state = State::Head;
                ++m_completed;
            }
            continue;
        }
        if (m_head.isEmpty()) {
            // Blank lines before a request line are allowed (RFC 9112 2.2).
            while (!bytes.isEmpty() && (bytes.front() == '\r' || bytes.front() == '\n')) {
                bytes = bytes.sliced(1);
            }
            if (bytes.isEmpty()) {
                break;
            }
        }
        const qsizetype searchFrom = std::max<qsizetype>(0, m_head.size() - 3);
        const qsizetype room = MaxHeadBytes + 1 - m_head.size();
        const QByteArrayView chunk = bytes.first(std::min<qsizetype>(bytes.size(), room));
        m_head.append(chunk);
        const qsizetype end = headEnd(m_head, searchFrom);
        if (end < 0) {
            if (m_head.size() > MaxHeadBytes) {
                m_state = State::Done;
                return {Refusal{431, u"request head over %1 bytes"_s.arg(MaxHeadBytes)}, false};
            }
            bytes = bytes.sliced(chunk.size());
            continue;
        }
        // Bytes past the head belong to its body (or the next request).
        const qsizetype extra = m_head.size() - end;
        bytes = bytes.sliced(chunk.size() - extra);
        m_head.truncate(end);
        last = endOfHead();
        m_head.clear();
        if (last.refusal) {
            m_state = State::Done;
            return last;
        }
    }
    return last;
}

RequestScanner::Step RequestScanner::endOfHead()
{
    Step step;
    const QList<QByteArray> lines = m_head.split('\n');
    const QByteArrayView requestLine = trimmed(lines.value(0));
    std::optional<qint64> length;
    bool chunked = false;
    bool expectContinue = false;
    QByteArray authorization;
    QByteArray origin;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArrayView line = lines[i];
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            continue;
        }
        const QByteArray name = line.first(colon).toByteArray().trimmed().toLower();
        const QByteArrayView value = trimmed(line.sliced(colon + 1));
        if (name == "content-length") {
            bool ok = !value.isEmpty() && value.size() <= 18;
            for (const char c : value) {
                ok = ok && c >= '0' && c <= '9';
            }
            if (!ok) {
                const QString shown =
                    QString::fromLatin1(value.first(std::min<qsizetype>(value.size(), 40)));
                const bool digits = !value.isEmpty()
                                    && std::all_of(value.begin(), value.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
                if (digits) { // more than 18 digits: over any limit
                    return {Refusal{413, u"request body of %1 bytes is over the %2-byte limit "
                                         "(--max-body)"_s.arg(shown)
                                             .arg(m_maxBody)},
                            false};
                }
                return {Refusal{400, u"Content-Length '%1' is not a byte count"_s.arg(shown)},
                        false};
            }
            const qint64 n = value.toLongLong();
            if (length && *length != n) {
                return {Refusal{400, u"two different Content-Length headers"_s}, false};
            }
            length = n;
        } else if (name == "transfer-encoding") {
            chunked = value.compare("identity", Qt::CaseInsensitive) != 0;
        } else if (name == "authorization") {
            if (authorization.isEmpty()) {
                authorization = value.toByteArray();
            }
        } else if (name == "origin") {
            origin = value.toByteArray();
        } else if (name == "expect") {
            expectContinue = value.compare("100-continue", Qt::CaseInsensitive) == 0;
        }
    }
    if (chunked) {
        return {Refusal{411, u"request bodies must give Content-Length (Transfer-Encoding is not "
                             "accepted)"_s},
                false};
    }
    if (length && *length > m_maxBody) {
        return {Refusal{413, u"request body of %1 bytes is over the %2-byte limit (--max-body)"_s
                                 .arg(*length)
                                 .arg(m_maxBody)},
                false};
    }
    if (m_admission) {
        Head head;
        const QList<QByteArrayView> words = splitWords(requestLine);
        head.method = words.value(0).toByteArray();
        head.path = QUrl::fromEncoded(words.value(1).toByteArray()).path();
        head.authorization = authorization;
        head.origin = origin;
        head.bodyBytes = length.value_or(0);
        if (std::optional<Refusal> refusal = m_admission(head)) {
            return {std::move(refusal), false};
        }
    }
    step.expectsContinue =
        expectContinue && length.value_or(0) > 0 && requestLine.endsWith("HTTP/1.1");
    m_bodyLeft = length.value_or(0);
    if (m_bodyLeft > 0) {
        m_state = State::Body;
    } else {
        ++m_completed;
    }
    return step;
}

} // namespace Artemis
