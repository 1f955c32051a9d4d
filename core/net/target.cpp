#include "core/net/target.h"

#include <optional>
#include <vector>

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QtConcurrent/QtConcurrentMap>

#include "core/base/plural.h"
#include "core/net/targetpolicy.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

// scheme://host[:port]/path[?query]; the port is left out when it is the scheme's default.
QUrl makeUrl(const QString &scheme, const QString &host, quint16 port, const QString &path)
{
    QUrl url;
    url.setScheme(scheme);
    url.setHost(host);
    const quint16 defaultPort = scheme == u"https"_s ? 443 : 80;
    url.setPort(port == defaultPort ? -1 : port);
    const qsizetype q = path.indexOf(u'?');
    url.setPath(q < 0 ? path : path.left(q));
    if (q >= 0) {
        url.setQuery(path.mid(q + 1));
    }
    return url;
}

// True unless QUrl is known to keep `host` as it is: an IPv6 literal or a number-like last
// label that is not a plain dotted quad may be rewritten.
bool hostMayBeRewritten(const QString &host)
{
    if (host.contains(u':')) {
        return true;
    }
    const qsizetype dot = host.lastIndexOf(u'.');
    const QChar first = dot + 1 < host.size() ? host.at(dot + 1) : QChar();
    return first.isDigit() && !parsePlainIPv4(host);
}

// "300.1.1.1", "1.2.3", "10.0.0.1.5": decimal numbers and dots are meant as an IPv4 address,
// never as a name (no top-level domain is numeric), so a mistyped one must not go to DNS. Four
// numbers 0-255 pass (leading zeros too: QUrl reads them as octal, as inet_aton does).
bool isBadDottedDecimal(QStringView host)
{
    if (!host.contains(u'.')) {
        return false;
    }
    int parts = 0;
    for (const QStringView part : host.split(u'.')) {
        if (part.isEmpty()) {
            return false; // "a..b" has its own error; "1.2.3.4." is a name-like trailing dot
        }
        uint value = 0;
        for (const QChar c : part) {
            if (c < u'0' || c > u'9') {
                return false; // not all decimal: a name, or a hex inet_aton form
            }
            value = value > 255 ? value : value * 10 + uint(c.unicode() - u'0');
        }
        if (value > 255) {
            return true;
        }
        ++parts;
    }
    return parts != 4;
}

const QString NotIPv4Reason =
    u"not a valid IPv4 address (four numbers 0-255, e.g. 10.0.0.1); not looked up as a name"_s;

bool isHostnameChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
           || c == u'-' || c == u'.' || c == u'_';
}

// Returns an empty string when `host` is a valid DNS name or IPv4 literal, else the reason.
QString checkHostname(QStringView host)
{
    if (host.isEmpty()) {
        return u"empty host"_s;
    }
    if (host.size() > 253) {
        return u"host name longer than 253 characters"_s;
    }
    for (const QChar c : host) {
        if (c.isSpace()) {
            return u"contains whitespace"_s;
        }
        if (!isHostnameChar(c)) {
            return u"character '%1' is not allowed in a host name"_s.arg(c);
        }
    }
    // Labels between dots (no split(): this runs for every node of a 100k-node request).
    qsizetype start = 0;
    while (start <= host.size()) {
        qsizetype end = host.indexOf(u'.', start);
        if (end < 0) {
            end = host.size();
        }
        const QStringView label = host.mid(start, end - start);
        if (label.isEmpty()) {
            if (end == host.size() && start > 0) {
                break; // a trailing dot (fully qualified name) is fine
            }
            return u"empty label in host name"_s;
        }
        if (label.size() > 63) {
            return u"host name label longer than 63 characters"_s;
        }
        if (label.startsWith(u'-') || label.endsWith(u'-')) {
            return u"host name label starts or ends with '-'"_s;
        }
        start = end + 1;
    }
    return {};
}

template <typename Prefix> Result<quint16> parsePort(QStringView text, const Prefix &prefix)
{
    if (text.isEmpty()) {
        return makeError(ErrorCode::InvalidNode, prefix() + u"empty port after ':'"_s);
    }
    for (const QChar c : text) {
        if (c < u'0' || c > u'9') {
            return makeError(ErrorCode::InvalidNode,
                             prefix() + u"non-numeric port '%1'"_s.arg(text.toString()));
        }
    }
    bool ok = false;
    const qlonglong port = text.size() > 6 ? 100000 : text.toLongLong(&ok);
    if (port < 1 || port > 65535) {
        return makeError(ErrorCode::InvalidNode,
                         prefix() + u"port %1 out of range (1-65535)"_s.arg(text.toString()));
    }
    return quint16(port);
}

} // namespace

std::optional<quint32> parsePlainIPv4(QStringView text)
{
    quint32 value = 0;
    quint32 octet = 0;
    int parts = 0;
    int digits = 0;
    for (const QChar c : text) {
        if (c >= u'0' && c <= u'9') {
            if ((digits == 1 && octet == 0) || ++digits > 3) {
                return std::nullopt; // a leading zero, or too long
            }
            octet = octet * 10 + quint32(c.unicode() - u'0');
        } else if (c == u'.' && digits > 0 && parts < 3) {
            if (octet > 255) {
                return std::nullopt;
            }
            value = value << 8 | octet;
            ++parts;
            digits = 0;
            octet = 0;
        } else {
            return std::nullopt;
        }
    }
    if (parts != 3 || digits == 0 || octet > 255) {
        return std::nullopt;
    }
    return value << 8 | octet;
}

QUrl Target::url() const
{
    return makeUrl(scheme, host, port, path);
}

QString Target::hostPort() const
{
    if (host.contains(u':')) {
        return u'[' + host + u"]:"_s + QString::number(port);
    }
    return host + u':' + QString::number(port);
}

Result<QString> normalizePath(QStringView rawPath)
{
    const QStringView path = rawPath.trimmed();
    if (path.contains(u"://"_s)) {
        return makeError(ErrorCode::InvalidArgument,
                         u"url must be a path such as 'metric', not a full URL"_s);
    }
    for (const QChar c : path) {
        if (c.isSpace() || c.category() == QChar::Other_Control) {
            return makeError(ErrorCode::InvalidArgument,
                             u"url contains whitespace or control characters"_s);
        }
    }
    if (path.contains(u'#')) {
        return makeError(ErrorCode::InvalidArgument, u"url must not contain a fragment ('#')"_s);
    }
    const qsizetype q = path.indexOf(u'?');
    const QStringView pathPart = q < 0 ? path : path.left(q);
    QString folded;
    folded.reserve(path.size() + 1);
    folded += u'/';
    for (const QChar c : pathPart) {
        if (c == u'/' && folded.endsWith(u'/')) {
            continue;
        }
        folded += c;
    }
    if (q >= 0) {
        folded += path.mid(q);
    }
    // Checked once here, so that targets can build their URL later without failing.
    const QUrl probe = makeUrl(u"http"_s, u"node"_s, 80, folded);
    if (!probe.isValid()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"url does not form a valid URL: %1"_s.arg(probe.errorString()));
    }
    return folded;
}

static Result<Target> parseTargetWithPath(QStringView rawNode, const QString &path, int index)
{
    const QStringView node = rawNode.trimmed();
    // Built only when needed: formatting it for every valid node cost a fifth of the parse.
    auto prefix = [&] { return u"node %1 '%2': "_s.arg(index + 1).arg(node.toString()); };
    auto fail = [&](const QString &reason) -> Error {
        return makeError(ErrorCode::InvalidNode, prefix() + reason);
    };
    if (node.isEmpty()) {
        return makeError(ErrorCode::InvalidNode, u"node %1: empty"_s.arg(index + 1));
    }
    Target target;
    target.node = node.toString();
    QStringView rest = node;
    target.scheme = u"http"_s;
    const qsizetype schemeEnd = rest.indexOf(u"://"_s);
    if (schemeEnd >= 0) {
        const QString scheme = rest.left(schemeEnd).toString().toLower();
        if (scheme != u"http"_s && scheme != u"https"_s) {
            return fail(u"unsupported scheme '%1' (use http or https)"_s.arg(scheme));
        }
        target.scheme = scheme;
        rest = rest.mid(schemeEnd + 3);
    }
    if (rest.endsWith(u'/') && rest.count(u'/') == 1) {
        rest.chop(1); // "http://host:80/" as pasted from a browser
    }
    for (const QChar c : rest) {
        if (c.isSpace()) {
            return fail(u"contains whitespace"_s);
        }
        // QHostAddress stops reading at a NUL: "[::1\0junk]" passed as ::1 while QUrl made it
        // an empty host (found by fuzzing).
        if (c.category() == QChar::Other_Control) {
            return fail(u"contains a control character"_s);
        }
    }
    if (rest.contains(u'@')) {
        return fail(u"user-info ('user@') is not allowed in a node"_s);
    }
    if (rest.contains(u'/') || rest.contains(u'?') || rest.contains(u'#')) {
        return fail(u"a node must not contain a path, query or fragment; put the path in url"_s);
    }
    QStringView portText;
    bool hasPort = false;
    if (rest.startsWith(u'[')) {
        const qsizetype close = rest.indexOf(u']');
        if (close < 0) {
            return fail(u"missing ']' after IPv6 address"_s);
        }
        const QString v6 = rest.mid(1, close - 1).toString();
        QHostAddress address;
        if (!address.setAddress(v6) || address.protocol() != QAbstractSocket::IPv6Protocol) {
            return fail(u"'%1' is not a valid IPv6 address"_s.arg(v6));
        }
        // Not lower-cased here: QUrl lower-cases the address below but keeps the case of a zone
        // (interface names are case-sensitive).
        target.host = v6;
        const QStringView after = rest.mid(close + 1);
        if (!after.isEmpty()) {
            if (!after.startsWith(u':')) {
                return fail(u"unexpected text after ']'"_s);
            }
            portText = after.mid(1);
            hasPort = true;
        }
    } else {
        const qsizetype colon = rest.lastIndexOf(u':');
        if (colon >= 0 && rest.indexOf(u':') != colon) {
            return fail(u"IPv6 addresses must be written in brackets, e.g. [::1]:9100"_s);
        }
        QStringView host = rest;
        if (colon >= 0) {
            host = rest.left(colon);
            portText = rest.mid(colon + 1);
            hasPort = true;
        }
        const QString reason = checkHostname(host);
        if (!reason.isEmpty()) {
            return fail(reason);
        }
        if (isBadDottedDecimal(host)) {
            return fail(NotIPv4Reason);
        }
        target.host = host.toString().toLower();
        if (target.host.endsWith(u'.')) {
            target.host.chop(1);
        }
    }
    if (hasPort) {
        const Result<quint16> port = parsePort(portText, prefix);
        if (!port) {
            return port.error();
        }
        target.port = *port;
    } else {
        target.port = target.scheme == u"https"_s ? 443 : 80;
    }
    // QUrl rewrites IPv4 in any inet_aton form ("0x7f.1", "2130706433", "127.1") as a dotted
    // quad, and that is what gets fetched: duplicates, per-host limits and the policy must see
    // the same host (found by fuzzing, tests/fuzz/regressions/nodes). Names (the last label
    // starts with a letter) and plain dotted quads come out of QUrl unchanged, so only the
    // other forms pay for a QUrl here; no QUrl is stored (~300 bytes and ~4,000 instructions
    // a node; Target::url() builds it when fetching).
    if (hostMayBeRewritten(target.host)) {
        const QUrl url = makeUrl(target.scheme, target.host, target.port, path);
        if (!url.isValid() || url.host().isEmpty()) {
            // QHostAddress takes "fe80::1%" (an empty zone) that QUrl turns into no host at all.
            return fail(u"the host does not form a valid URL"_s);
        }
        target.host = url.host();
        // A number-like last label that QUrl did not read as an address ("0x7f.1.1.1.1").
        if (!target.host.contains(u':') && !parsePlainIPv4(target.host)) {
            return fail(NotIPv4Reason);
        }
    }
    target.path = path;
    return target;
}

Result<Target> parseTarget(QStringView node, QStringView path, int index)
{
    const Result<QString> normalized = normalizePath(path);
    if (!normalized) {
        return normalized.error();
    }
    return parseTargetWithPath(node, *normalized, index);
}

Result<TargetList> parseTargets(const QStringList &nodes, QStringView path,
                                const TargetPolicy *policy)
{
    const Result<QString> normalized = normalizePath(path);
    if (!normalized) {
        return normalized.error();
    }
    if (nodes.isEmpty()) {
        return makeError(ErrorCode::InvalidArgument, u"no nodes given"_s);
    }
    TargetList list;
    list.targets.reserve(nodes.size());
    QJsonArray bad;
    QJsonArray denied;
    QString firstMessage;
    QSet<QString> seen;
    seen.reserve(nodes.size());
    // Parsing (mostly QUrl's own) and the policy check are ~5 us a node: a large request is
    // split over the pool.
    std::vector<std::optional<Result<Target>>> parsed(size_t(nodes.size()));
    std::vector<std::optional<QString>> denial(policy ? size_t(nodes.size()) : 0);
    std::vector<QString> keys(size_t(nodes.size())); // what makes two nodes the same
    auto parseRange = [&](qsizetype begin, qsizetype end) {
        for (qsizetype i = begin; i < end; ++i) {
            const Result<Target> &target =
                parsed[size_t(i)].emplace(parseTargetWithPath(nodes.at(i), *normalized, int(i)));
            if (!target) {
                continue;
            }
            keys[size_t(i)] = target->scheme + u"://"_s + target->hostPort();
            if (policy) {
                denial[size_t(i)] = policy->checkHost(target->host);
            }
        }
    };
    constexpr qsizetype Chunk = 2048;
    if (nodes.size() > 2 * Chunk) {
        QList<qsizetype> starts;
        for (qsizetype begin = 0; begin < nodes.size(); begin += Chunk) {
            starts.append(begin);
        }
        QtConcurrent::blockingMap(starts, [&](qsizetype begin) {
            parseRange(begin, std::min(begin + Chunk, nodes.size()));
        });
    } else {
        parseRange(0, nodes.size());
    }
    for (int i = 0; i < nodes.size(); ++i) {
        Result<Target> &target = *parsed[size_t(i)];
        if (!target) {
            const QString message = target.error().message;
            if (firstMessage.isEmpty()) {
                firstMessage = message;
            }
            // The reason is the message without its "node N 'x': " prefix.
            const qsizetype sep = message.indexOf(u"': "_s);
            QString reason = sep >= 0 ? message.mid(sep + 3) : message.section(u": "_s, 1);
            bad.append(
                QJsonObject{{u"index"_s, i}, {u"node"_s, nodes.at(i)}, {u"reason"_s, reason}});
            continue;
        }
        const qsizetype before = seen.size();
        seen.insert(keys[size_t(i)]);
        if (seen.size() == before) {
            list.duplicates.append(target->node);
            continue;
        }
        if (policy && denial[size_t(i)]) {
            denied.append(QJsonObject{
                {u"index"_s, i}, {u"node"_s, target->node}, {u"reason"_s, *denial[size_t(i)]}});
        }
        list.targets.append(std::move(target).value());
    }
    if (!bad.isEmpty()) {
        const QString message =
            bad.size() == 1 ? firstMessage
                            : u"%1 invalid nodes; first: %2"_s.arg(bad.size()).arg(firstMessage);
        return makeError(ErrorCode::InvalidNode, message, bad);
    }
    if (!denied.isEmpty()) {
        return makeError(
            ErrorCode::Denied,
            u"%1 denied by the target policy; nothing was started"_s.arg(nodeCount(denied.size())),
            denied);
    }
    return list;
}

QStringList parseNodeList(QStringView text)
{
    QStringList nodes;
    for (QStringView line : text.split(u'\n')) {
        const qsizetype hash = line.indexOf(u'#');
        if (hash >= 0) {
            line = line.left(hash);
        }
        line = line.trimmed();
        if (!line.isEmpty()) {
            nodes.append(line.toString());
        }
    }
    return nodes;
}

} // namespace Artemis
