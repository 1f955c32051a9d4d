#include "core/hunt/fetchform.h"

#include <QByteArray>

namespace Artemis {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// '+' -> space, %XX -> byte; a '%' not followed by two hex digits stays as written (as
// Python's unquote_plus does; QByteArray::fromPercentEncoding would eat it).
QString decodeComponent(QByteArrayView raw)
{
    if (!raw.contains('%') && !raw.contains('+')) {
        return QString::fromUtf8(raw); // the common case: nothing to decode
    }
    QByteArray bytes;
    bytes.reserve(raw.size());
    for (qsizetype i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == '+') {
            bytes += ' ';
        } else if (c == '%' && i + 2 < raw.size() && hexValue(raw[i + 1]) >= 0
                   && hexValue(raw[i + 2]) >= 0) {
            bytes += char(hexValue(raw[i + 1]) * 16 + hexValue(raw[i + 2]));
            i += 2;
        } else {
            bytes += c;
        }
    }
    return QString::fromUtf8(bytes);
}

void appendNodes(QStringList &nodes, const QString &value)
{
    if (!value.contains(u',')) {
        const QString node = value.trimmed();
        if (!node.isEmpty()) {
            nodes.append(node);
        }
        return;
    }
    for (const QStringView part : QStringView(value).split(u',', Qt::SkipEmptyParts)) {
        const QStringView node = part.trimmed();
        if (!node.isEmpty()) {
            nodes.append(node.toString());
        }
    }
}

} // namespace

FetchForm parseFetchForm(QByteArrayView form)
{
    FetchForm result;
    bool haveUrl = false;
    qsizetype start = 0;
    while (start <= form.size()) {
        qsizetype end = form.indexOf('&', start);
        if (end < 0) {
            end = form.size();
        }
        const QByteArrayView pair = form.sliced(start, end - start);
        start = end + 1;
        if (pair.isEmpty()) {
            continue;
        }
        result.hasFields = true;
        const qsizetype eq = pair.indexOf('=');
        const QByteArrayView rawName = eq < 0 ? pair : pair.first(eq);
        const QByteArrayView rawValue = eq < 0 ? QByteArrayView() : pair.sliced(eq + 1);
        // Names are nearly always plain "node" / "url"; decode only when they are not.
        const bool plain = !rawName.contains('%') && !rawName.contains('+');
        const QString decodedName = plain ? QString() : decodeComponent(rawName);
        auto nameIs = [&](QByteArrayView expected) {
            return plain ? rawName == expected
                         : decodedName == QLatin1StringView(expected.data(), expected.size());
        };
        if (nameIs("node")) {
            appendNodes(result.nodes, decodeComponent(rawValue));
        } else if (!haveUrl && nameIs("url")) {
            result.url = decodeComponent(rawValue).trimmed();
            haveUrl = true;
        }
    }
    return result;
}

} // namespace Artemis
