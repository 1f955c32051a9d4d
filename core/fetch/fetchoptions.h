#pragma once

#include <memory>
#include <optional>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

#include "core/base/fileaccess.h"
#include "core/base/result.h"
#include "core/fetch/authrules.h"
#include "core/net/targetpolicy.h"

namespace Artemis {

// How to fetch the nodes of one hunt. Plain value; crosses threads.
struct FetchOptions
{
    int timeoutMs = 5000;                         // total deadline of one attempt
    int attempts = 3;                             // 1 = no retry
    int concurrency = 256;                        // requests in flight for the hunt
    int perHostLimit = 6;                         // requests in flight to one host:port
    qint64 maxBodyBytes = 10 * 1024 * 1024;       // larger bodies end as too_large
    int backoffBaseMs = 200;                      // first retry waits ~base, doubling each time
    int backoffCapMs = 5000;                      // no wait is longer (also caps Retry-After)
    QList<QPair<QByteArray, QByteArray>> headers; // extra request headers (values are secrets)

    struct BasicAuth
    {
        QString username;
        QString password; // a secret
    };
    std::optional<BasicAuth> basicAuth; // sent with every request (preemptive Basic)
    // Credentials per group of nodes by label, first match wins (core/fetch/authrules.h): the rules
    // name files; HuntEngine::submit reads them (resolveAuthRules) when the hunt or round starts.
    AuthRules auth;
    // CA certificates (PEM, certificates only) that https nodes must chain to, instead of the
    // system's. Carried as text so workers need no file; caFile only says where it came from.
    QByteArray caPem;
    QString caFile;
    bool insecureSkipVerify = false; // https: accept any certificate and host name
    // Follow 3xx answers (at most MaxRedirects hops; never https -> http, never to a host the
    // target policy denies, never to another origin when the hunt sends headers or basic auth).
    // Off: a 3xx is outcome http_error.
    bool followRedirects = false;
    // Keep the connections open for the hunt that comes next (no `Connection: close`): set by
    // the Scheduler on rounds whose interval is at most ReuseWindowMs, never read from JSON nor
    // sent to workers (one-off hunts and distributed rounds close their connections). A fetch
    // thread keeps them in its own manager, bounded (core/fetch/fetcher.h); https hunts with their
    // own CA or insecureSkipVerify do not reuse (QNAM's cache does not key by TLS settings).
    bool reuseConnections = false;
    // A policy checked besides the fetcher's own, at every attempt and redirect hop, on the
    // host and on every address the fetcher resolves: a worker's copy of its coordinator's
    // policy (Wire::HuntSpec). Runtime only: never read from JSON (the spec carries it apart).
    std::shared_ptr<const TargetPolicy> extraPolicy;

    // Longest schedule interval whose rounds reuse connections: under nginx's default
    // keepalive_timeout (75 s) and Qt 6.4's connection cache expiry (120 s, measured).
    static constexpr int ReuseWindowMs = 60000;
    static constexpr int MaxTimeoutMs = 600000;
    static constexpr int MaxAttempts = 10;
    static constexpr int MaxConcurrency = 10000;
    static constexpr int MaxRedirects = 5;
    static constexpr qint64 MaxCaFileBytes = 1024 * 1024;

    // For the manifest and the API: secrets are left out (header values and the password;
    // header names and the user name stay).
    QJsonObject toJson() const;
    // For workers in distributed mode: everything, secrets included ("headers": {name: value},
    // "basicAuth": {"username", "password"}); fromJson reads it back.
    QJsonObject toWireJson() const;
    // Reads the JSON form; absent keys keep defaults; bad values are an InvalidArgument error
    // naming the key. "caFile" is read here through `files` (see loadCaFile) unless "caPem" is
    // given too: an API request passes the service's --allow-files, stored and wire forms
    // (which carry caPem) FileAccess::none(). "auth" rules are parsed, not read; their resolved
    // secrets are read back from the wire form only.
    static Result<FetchOptions> fromJson(const QJsonObject &json,
                                         const FileAccess &files = FileAccess::none());
    // The toWireJson() form (a worker's copy of a hunt): also the auth rules' resolved values.
    static Result<FetchOptions> fromWireJson(const QJsonObject &json);
    Result<void> validate() const;

    // Reads the CA certificates of a PEM file (at most MaxCaFileBytes) through `files` into
    // caPem and sets caFile to its canonical path. Errors name the file (FileAccess: missing,
    // not a regular file, too large, outside the allowed dirs) or say it holds no certificate.
    Result<void> loadCaFile(const QString &path, const FileAccess &files);
    // True when requests carry values the hunt was given (headers, basic auth): they must not
    // follow a redirect to another origin.
    bool hasCredentials() const
    {
        return !headers.isEmpty() || basicAuth.has_value() || !auth.isEmpty();
    }
    // The Authorization header value for basicAuth; empty without it.
    QByteArray basicAuthorization() const;

private:
    static Result<FetchOptions> parse(const QJsonObject &json, const FileAccess &files, bool wire);
};

} // namespace Artemis
