#pragma once

#include <QString>
#include <QStringView>

#include "core/base/result.h"

namespace Artemis {

// Where the broker is and who we are there: redis://[USER:PASSWORD@]HOST[:PORT][/DB]. Plain
// value. The password is a secret: toString(), hostPort() and every error text leave it out,
// so neither logs, the API nor /metrics ever show it.
struct RedisUrl
{
    QString host;
    quint16 port = 6379;
    int db = 0;
    QString user;     // ACL user (Redis 6+); empty: "default", i.e. `requirepass`
    QString password; // empty: no AUTH

    // Parsed with QUrl; user and password percent-decoded ("p%40ss" is "p@ss"). Accepts
    // "redis://host", "redis://host:port", "redis://host:port/db", "redis://[v6]:port",
    // "redis://:pass@host", "redis://user:pass@host"; no query, fragment or other scheme
    // (errors name the problem and show the URL without its user information).
    static Result<RedisUrl> parse(QStringView text);
    // parse(), then the password from `passwordFile` when it is not empty: the file's content
    // without its trailing newline (keeps the password out of `ps`). A password in both the
    // URL and the file, an empty or unreadable file, or a user without any password is an
    // error.
    static Result<RedisUrl> parse(QStringView text, const QString &passwordFile);
    // `text` with any user information replaced by "***", for messages about a bad URL.
    static QString redacted(QStringView text);

    bool needsAuth() const { return !password.isEmpty(); }
    QString toString() const; // canonical form without user information: "redis://h:6379/0"
    QString hostPort() const; // "127.0.0.1:6379", for log lines
};

} // namespace Artemis
