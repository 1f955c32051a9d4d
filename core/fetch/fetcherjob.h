#pragma once

// Private to the fetcher's sources (core/fetch/fetcher.cpp, core/fetch/fetcherdialing.cpp): the
// state of one node's fetch and of one hunt on a fetch thread.

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QSet>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <memory>
#include <optional>

#include "core/fetch/fetcher.h"

namespace Artemis {

struct Fetcher::Job
{
    quint64 key = 0;
    Target target;
    int attempt = 0;
    bool done = false;
    bool timedOut = false;
    bool tooLarge = false;
    bool cancelled = false;
    bool policyChecked = false; // the host (name or literal) checked against the target policy
    // Set when a redirect was not followed (policy, scheme, origin, hop limit): as what, why.
    std::optional<OutcomeKind> refusedKind;
    QString refusedReason;
    QUrl targetUrl;    // target.url(), built once: the first request's URL and outcome.url
    QUrl url;          // of the current request (differs from targetUrl after a redirect)
    int redirects = 0; // followed in this attempt
    // Where the current hop connects: the checked answers of its lookup, tried in order when a
    // connection is refused (as QNAM tries a name's addresses), or the literal host itself.
    bool byName = false; // the hop's host is a name: the request goes to an address, pinned
    QList<QHostAddress> addresses;
    qsizetype addressIndex = 0;
    quint64 lookup = 0;                  // the lookup this job waits for; 0: none
    QString lookupHost;                  // the name it looks up
    std::unique_ptr<QTimer> lookupTimer; // the attempt's deadline while it waits
    QPointer<QNetworkReply> reply;
    QString keptKey; // the current request's connection key when it goes to the kept manager
    QElapsedTimer started;
    QByteArray body;
    std::unique_ptr<QTimer> retryTimer; // backoff wait; lives on this thread
};

struct Fetcher::Hunt
{
    quint64 key = 0;
    FetchOptions options;
    std::optional<QSslConfiguration> tls; // built once per hunt from caPem/insecureSkipVerify
    QByteArray authorization;             // basic auth header value, computed once
    bool reuse = false;                   // keep connections for the next hunt (see beginHunt)
    bool cancelled = false;
    QHash<QString, std::deque<std::shared_ptr<Job>>> waiting; // by host:port
    QHash<QString, int> inFlightPerHost;
    QSet<std::shared_ptr<Job>> active; // in flight or waiting to retry
    OutboundDialer dialer;             // the fetcher's policy and options.extraPolicy
};

} // namespace Artemis
