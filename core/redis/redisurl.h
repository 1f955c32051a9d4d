#pragma once

#include <QString>
#include <QStringView>

#include "core/result.h"

namespace Artemis {

// Where the broker is: redis://HOST[:PORT][/DB]. Plain value.
struct RedisUrl
{
    QString host;
    quint16 port = 6379;
    int db = 0;

    // Accepts "redis://host", "redis://host:port", "redis://host:port/db", "redis://[v6]:port";
    // no user, password, query or other scheme (errors name the problem).
    static Result<RedisUrl> parse(QStringView text);
    QString toString() const; // canonical form, e.g. "redis://127.0.0.1:6379/0"
    QString hostPort() const; // "127.0.0.1:6379", for log lines
};

} // namespace Artemis
