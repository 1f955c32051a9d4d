#include "core/redis/redisurl.h"

using namespace Qt::StringLiterals;

namespace Artemis {

Result<RedisUrl> RedisUrl::parse(QStringView text)
{
    auto bad = [&](const QString &why) {
        return makeError(
            ErrorCode::InvalidArgument,
            u"broker '%1': %2 (expected redis://HOST:PORT[/DB])"_s.arg(text.toString(), why));
    };
    constexpr QStringView Scheme = u"redis://";
    if (!text.startsWith(Scheme, Qt::CaseInsensitive)) {
        return bad(u"only redis:// is supported"_s);
    }
    QStringView rest = text.mid(Scheme.size());
    RedisUrl url;
    if (const qsizetype slash = rest.indexOf(u'/'); slash >= 0) {
        const QStringView db = rest.mid(slash + 1);
        rest = rest.left(slash);
        if (!db.isEmpty()) {
            bool ok = false;
            const int n = db.toInt(&ok);
            if (!ok || n < 0 || n > 15 || !db.front().isDigit()) {
                return bad(u"database must be a number from 0 to 15"_s);
            }
            url.db = n;
        }
    }
    if (rest.contains(u'@')) {
        return bad(u"user names and passwords are not supported"_s);
    }
    if (rest.contains(u'?') || rest.contains(u'#')) {
        return bad(u"no query or fragment allowed"_s);
    }
    QStringView portText;
    if (rest.startsWith(u'[')) {
        const qsizetype close = rest.indexOf(u']');
        if (close < 0) {
            return bad(u"unterminated [IPv6] address"_s);
        }
        url.host = rest.mid(1, close - 1).toString();
        const QStringView after = rest.mid(close + 1);
        if (!after.isEmpty()) {
            if (!after.startsWith(u':')) {
                return bad(u"junk after the [IPv6] address"_s);
            }
            portText = after.mid(1);
        }
    } else if (const qsizetype colon = rest.lastIndexOf(u':'); colon >= 0) {
        url.host = rest.left(colon).toString();
        portText = rest.mid(colon + 1);
        if (portText.isEmpty()) {
            return bad(u"empty port"_s);
        }
    } else {
        url.host = rest.toString();
    }
    if (url.host.isEmpty()) {
        return bad(u"no host"_s);
    }
    if (url.host.contains(u' ') || url.host.contains(u':') != rest.startsWith(u'[')) {
        return bad(u"bad host '%1'"_s.arg(url.host));
    }
    if (!portText.isEmpty()) {
        bool ok = false;
        const uint port = portText.toUInt(&ok);
        if (!ok || port == 0 || port > 65535) {
            return bad(u"bad port '%1'"_s.arg(portText.toString()));
        }
        url.port = quint16(port);
    }
    return url;
}

QString RedisUrl::hostPort() const
{
    return host.contains(u':') ? u"[%1]:%2"_s.arg(host).arg(port) : u"%1:%2"_s.arg(host).arg(port);
}

QString RedisUrl::toString() const
{
    return u"redis://%1/%2"_s.arg(hostPort()).arg(db);
}

} // namespace Artemis
