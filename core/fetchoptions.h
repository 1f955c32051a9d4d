#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

#include "core/result.h"

namespace Artemis {

// How to fetch the nodes of one hunt. Plain value; crosses threads.
struct FetchOptions
{
    int timeoutMs = 5000;                   // total deadline of one attempt
    int attempts = 3;                       // 1 = no retry
    int concurrency = 256;                  // requests in flight for the hunt
    int perHostLimit = 6;                   // requests in flight to one host:port
    qint64 maxBodyBytes = 10 * 1024 * 1024; // larger bodies end as too_large
    int backoffBaseMs = 200;                // first retry waits ~base, doubling each time
    int backoffCapMs = 5000;                // no wait is longer (also caps Retry-After)
    QList<QPair<QByteArray, QByteArray>> headers; // extra request headers

    static constexpr int MaxTimeoutMs = 600000;
    static constexpr int MaxAttempts = 10;
    static constexpr int MaxConcurrency = 10000;

    // For the manifest and the API: header values are left out (they may be secrets).
    QJsonObject toJson() const;
    // For workers in distributed mode: everything, header values included ("headers":
    // {name: value}); fromJson reads it back.
    QJsonObject toWireJson() const;
    // Reads the JSON form; absent keys keep defaults; bad values are an InvalidArgument error
    // naming the key.
    static Result<FetchOptions> fromJson(const QJsonObject &json);
    Result<void> validate() const;
};

} // namespace Artemis
