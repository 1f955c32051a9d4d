#include "headless/rest/requestguard.h"

#include <QCryptographicHash>
#include <QHostAddress>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

// "host:port", "[::1]:port", "host" -> the host, lower-case, without brackets.
QString hostOf(const QByteArray &header)
{
    QString text = QString::fromLatin1(header).trimmed().toLower();
    if (text.startsWith(u'[')) {
        const qsizetype end = text.indexOf(u']');
        return end < 0 ? text : text.mid(1, end - 1);
    }
    const qsizetype colon = text.lastIndexOf(u':');
    return colon < 0 ? text : text.left(colon);
}

QByteArray mediaType(const QByteArray &contentType)
{
    return contentType.split(';').first().trimmed().toLower();
}

} // namespace

bool pathNeedsToken(const QString &path)
{
    return path == u"/fetch"_s || path.startsWith(u"/fetch/"_s) || path == u"/api/v1"_s
           || path.startsWith(u"/api/v1/"_s);
}

bool bearerTokenMatches(const QByteArray &authorization, const QByteArray &token)
{
    const QByteArray prefix = "bearer ";
    QByteArray given;
    if (authorization.size() > prefix.size()
        && authorization.left(prefix.size()).toLower() == prefix) {
        given = authorization.mid(prefix.size()).trimmed();
    }
    // Compare digests so neither the length nor the first differing byte shows in the timing.
    const QByteArray a = QCryptographicHash::hash(given, QCryptographicHash::Sha256);
    const QByteArray b = QCryptographicHash::hash(token, QCryptographicHash::Sha256);
    unsigned char diff = given.isEmpty() ? 1 : 0;
    for (qsizetype i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return diff == 0;
}

bool isLoopbackHostName(const QString &host)
{
    if (host == u"localhost"_s || host.endsWith(u".localhost"_s)) {
        return true;
    }
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

std::optional<RequestRefusal> checkRequestSource(const RequestFacts &f,
                                                 const RequestSourcePolicy &policy)
{
    if (!policy.tokenRequired && !f.host.isEmpty()) {
        const QString host = hostOf(f.host);
        if (!isLoopbackHostName(host) && !policy.allowedHosts.contains(host)) {
            return RequestRefusal{
                403, u"Host '%1' is not this service's: without a token only loopback names "
                     "are answered (start serve with --allow-host %2 to accept it)"_s.arg(
                         QString::fromLatin1(f.host), host)};
        }
    }
    if (!pathNeedsToken(f.path)) {
        return std::nullopt;
    }
    const QString origin = QString::fromLatin1(f.origin).trimmed().toLower();
    if (!origin.isEmpty() && policy.allowedOrigins.contains(origin)) {
        return std::nullopt; // --allow-origin: a page there may call, from any site
    }
    if (f.secFetchSite.trimmed().toLower() == "cross-site") {
        return RequestRefusal{403, u"cross-site requests are refused (Sec-Fetch-Site: "
                                   "cross-site)"_s};
    }
    if (!origin.isEmpty()) {
        const QString own = (policy.tls ? u"https://"_s : u"http://"_s)
                            + QString::fromLatin1(f.host).trimmed().toLower();
        if (origin != own) {
            return RequestRefusal{
                403, u"Origin '%1' may not use this service (only its own origin %2, or one "
                     "given with --allow-origin)"_s.arg(origin, own)};
        }
    }
    return std::nullopt;
}

std::optional<RequestRefusal> checkRequestBody(const RequestFacts &f)
{
    if (!pathNeedsToken(f.path)) {
        return std::nullopt;
    }
    const bool sendsBody = f.hasBody || !f.contentType.isEmpty();
    if (sendsBody && (f.method == "POST" || f.method == "PUT" || f.method == "PATCH")) {
        const QByteArray type = mediaType(f.contentType);
        const bool form = f.path == u"/fetch"_s;
        const QByteArray wanted = form ? "application/x-www-form-urlencoded" : "application/json";
        if (type != wanted) {
            return RequestRefusal{415, u"Content-Type '%1' is not accepted here: send %2"_s.arg(
                                           type.isEmpty() ? u"(none)"_s : QString::fromLatin1(type),
                                           QString::fromLatin1(wanted))};
        }
    }
    return std::nullopt;
}

} // namespace Artemis
