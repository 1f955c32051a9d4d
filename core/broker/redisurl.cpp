#include "core/broker/redisurl.h"

#include <QFile>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {
constexpr QStringView Scheme = u"redis://";

// The authority of "redis://AUTHORITY/...": up to the first '/', '?' or '#'.
QStringView authorityOf(QStringView text)
{
    QStringView rest = text.mid(Scheme.size());
    for (qsizetype i = 0; i < rest.size(); ++i) {
        if (rest[i] == u'/' || rest[i] == u'?' || rest[i] == u'#') {
            return rest.left(i);
        }
    }
    return rest;
}
} // namespace

QString RedisUrl::redacted(QStringView text)
{
    if (!text.startsWith(Scheme, Qt::CaseInsensitive)) {
        // Not a URL we can take apart: show nothing that could be a secret.
        return text.contains(u'@') ? u"(a URL with user information)"_s : text.toString();
    }
    const QStringView authority = authorityOf(text);
    const qsizetype at = authority.lastIndexOf(u'@');
    if (at < 0) {
        return text.toString();
    }
    return text.left(Scheme.size()).toString() + u"***"_s + text.mid(Scheme.size() + at).toString();
}

Result<RedisUrl> RedisUrl::parse(QStringView text)
{
    auto bad = [&](const QString &why) {
        return makeError(ErrorCode::InvalidArgument,
                         u"broker '%1': %2 (expected redis://[USER:PASSWORD@]HOST:PORT[/DB])"_s.arg(
                             redacted(text), why));
    };
    if (!text.startsWith(Scheme, Qt::CaseInsensitive)) {
        return bad(u"only redis:// is supported"_s);
    }
    const QStringView authority = authorityOf(text);
    const qsizetype at = authority.lastIndexOf(u'@');
    if (at >= 0 && authority.left(at).contains(u'@')) {
        return bad(u"an '@' in the user name or password must be written %40"_s);
    }
    const QStringView hostPort = authority.mid(at + 1);
    if (hostPort.endsWith(u':')) {
        return bad(u"empty port"_s);
    }
    const QUrl url(text.toString(), QUrl::StrictMode);
    if (!url.isValid()) {
        // QUrl's message ends with the whole URL ("; source was ..."): keep only its reason,
        // and no detail at all about the user information (it may quote a password character).
        const QString reason = url.errorString().section(u"; source was"_s, 0, 0);
        if (reason.contains(u"user"_s, Qt::CaseInsensitive)
            || reason.contains(u"password"_s, Qt::CaseInsensitive)) {
            return bad(u"invalid user name or password (percent-encode reserved characters, "
                       "e.g. %40 for @, %3A for :, %2F for /)"_s);
        }
        if (reason.contains(u"port"_s, Qt::CaseInsensitive)) {
            return bad(u"bad port '%1'"_s.arg(hostPort.mid(hostPort.lastIndexOf(u':') + 1)));
        }
        if (hostPort.startsWith(u'[') && !hostPort.contains(u']')) {
            return bad(u"unterminated [IPv6] address"_s);
        }
        return bad(u"bad host '%1' (%2)"_s.arg(hostPort.toString(), reason));
    }
    if (url.hasQuery() || url.hasFragment()) {
        return bad(u"no query or fragment allowed"_s);
    }
    RedisUrl out;
    out.host = url.host();
    if (out.host.isEmpty()) {
        return bad(u"no host"_s);
    }
    if (out.host.contains(u':') != hostPort.startsWith(u'[')) {
        return bad(u"bad host '%1'"_s.arg(out.host));
    }
    if (url.port() == 0) {
        return bad(u"bad port '0'"_s);
    }
    if (url.port() > 0) {
        out.port = quint16(url.port());
    }
    const QString path = url.path();
    if (path.size() > 1) {
        const QStringView db = QStringView(path).mid(1);
        bool ok = false;
        const int n = db.toInt(&ok);
        if (!ok || n < 0 || n > 15 || !db.front().isDigit()) {
            return bad(u"database must be a number from 0 to 15"_s);
        }
        out.db = n;
    }
    out.user = url.userName(QUrl::FullyDecoded);
    out.password = url.password(QUrl::FullyDecoded);
    return out;
}

Result<RedisUrl> RedisUrl::parse(QStringView text, const QString &passwordFile)
{
    Result<RedisUrl> url = parse(text);
    if (!url) {
        return url;
    }
    if (!passwordFile.isEmpty()) {
        if (url->needsAuth()) {
            return makeError(ErrorCode::InvalidArgument,
                             u"broker '%1': a password both in the URL and in "
                             "--broker-password-file; give it once"_s.arg(redacted(text)));
        }
        QFile file(passwordFile);
        if (!file.open(QIODevice::ReadOnly)) {
            return makeError(ErrorCode::InvalidArgument,
                             u"cannot read --broker-password-file '%1': %2"_s.arg(
                                 passwordFile, file.errorString()));
        }
        QByteArray content = file.read(64 * 1024);
        while (content.endsWith('\n') || content.endsWith('\r')) {
            content.chop(1);
        }
        if (content.isEmpty()) {
            return makeError(ErrorCode::InvalidArgument,
                             u"--broker-password-file '%1' is empty"_s.arg(passwordFile));
        }
        url->password = QString::fromUtf8(content);
    }
    if (!url->user.isEmpty() && !url->needsAuth()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"broker '%1': a user name without a password (give it in the URL or "
                         "with --broker-password-file)"_s.arg(redacted(text)));
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
