#pragma once

#include <optional>

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <QUrl>

#include "core/base/nodelabels.h"
#include "core/base/result.h"

namespace Artemis {

class TargetPolicy;

// One node to fetch: the node string as the operator wrote it (trimmed), its parts, and the
// hunt's path; url() is scheme://host:port/ + path, duplicate slashes folded.
struct Target
{
    QString node;   // trimmed, as given; the key of this node in results
    QString scheme; // "http" or "https"
    QString host;   // without brackets for IPv6
    quint16 port = 0;
    QString path;  // normalised ("/metric?x=1"); one shared string for all targets of a hunt
    Labels labels; // given with the node (HuntRequest::labels); copied into its outcome

    // Built on demand, not stored: 100k stored QUrls cost ~30 MB.
    QUrl url() const;
    QString hostPort() const; // "host:port" ("[v6]:port"), the per-host connection key
};

// A plain dotted quad ("10.1.2.3": four decimal octets, no leading zeros) as a number, without
// QHostAddress' general parser (~2,000 instructions; this runs for every node of a request).
// Anything else (IPv6, leading zeros that may mean octal, "127.1", ...) returns nullopt.
std::optional<quint32> parsePlainIPv4(QStringView text);

// Parses one node. `index` is its position in the request (0-based), used in the message.
Result<Target> parseTarget(QStringView node, QStringView path, int index = 0);

// Validates the URL path of a hunt (may carry a query; no scheme, no fragment, no spaces).
Result<QString> normalizePath(QStringView path);

struct TargetList
{
    QList<Target> targets;  // unique, in the order given
    QStringList duplicates; // nodes given more than once (reported, fetched once)
};

// Parses every node. On failure the Error has code InvalidNode and details = JSON array of
// {"index", "node", "reason"} for each bad node; nothing is returned then. With a policy, each
// unique node's host is also checked (TargetPolicy::checkHost): any denied -> code Denied, same
// details shape.
Result<TargetList> parseTargets(const QStringList &nodes, QStringView path,
                                const TargetPolicy *policy = nullptr);

// Splits the text of a node file: one node per line, blank lines and '#' comments ignored.
QStringList parseNodeList(QStringView text);

} // namespace Artemis
