#pragma once

#include <memory>
#include <optional>

#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include "core/result.h"

namespace Artemis {

// Which targets a hunt may reach: allow/deny lists of CIDRs (or single addresses) and host
// glob patterns ("*.example.org"), plus built-in denials of link-local and cloud-metadata
// addresses that only an explicit --allow lifts.
//
// Precedence, for a host and (when known) one of its addresses:
//   1. an explicit deny (host pattern or CIDR) denies;
//   2. an explicit allow (host pattern or CIDR) allows, except that a built-in denied address
//      is only lifted by an allow CIDR covering it;
//   3. a built-in denial (169.254.0.0/16, fe80::/10, 100.100.100.200, fd00:ec2::254,
//      metadata.google.internal) denies;
//   4. when any allow rule exists, everything else is denied; otherwise allowed.
// IPv4-mapped IPv6 addresses are checked as IPv4. An unspecified address (0.0.0.0, ::, and so
// ::ffff:0.0.0.0) connects to this host, so it is checked both as itself and as the loopback
// address it reaches (127.0.0.1, ::1): a rule matching either form applies ("--deny
// 127.0.0.0/8" denies 0.0.0.0 and names resolving to it; "--deny 0.0.0.0/8" still denies it).
//
// Immutable after set-up; share it as std::shared_ptr<const TargetPolicy> across threads.
class TargetPolicy
{
public:
    // The defaults (built-in denials only). An empty policy (no built-ins) is `none()`.
    TargetPolicy();
    static TargetPolicy none();

    // `rule`: CIDR ("10.0.0.0/8", "fd00::/8"), address ("10.1.2.3"), or host pattern
    // ("node*.lab", "metadata.internal"). InvalidArgument naming the rule when malformed.
    Result<void> allow(QStringView rule);
    Result<void> deny(QStringView rule);

    // Checks what is known without resolving: the host name, or the address when the host is
    // an IP literal. Returns the reason when denied.
    std::optional<QString> checkHost(const QString &host) const;
    // Checks one resolved address of `host`. Returns the reason when denied. The fetcher checks
    // every address a lookup returns, at every attempt and redirect hop, and connects only to
    // one of them (Fetcher).
    std::optional<QString> checkAddress(const QString &host, const QHostAddress &address) const;
    // True when resolving `host` could change the verdict (it is a name, not a literal, and
    // address rules exist). The fetcher resolves every name anyway, to pin its connection.
    bool needsResolution(const QString &host) const;

    QStringList describe() const; // human-readable rules, for logs and /api docs

    // The rules as given, for a coordinator's jobs (distributed mode: every worker applies the
    // coordinator's policy besides its own): {"allow": [...], "deny": [...], "builtins": bool}.
    QJsonObject toJson() const;
    // InvalidArgument naming the bad rule or field.
    static Result<TargetPolicy> fromJson(const QJsonObject &json);

private:
    using Subnet = QPair<QHostAddress, int>;
    struct Rules
    {
        QList<Subnet> subnets;
        QStringList hostPatterns; // lower-case globs
        bool isEmpty() const { return subnets.isEmpty() && hostPatterns.isEmpty(); }
    };

    static Result<void> addRule(Rules &rules, QStringView rule);
    static bool matchesHost(const Rules &rules, const QString &host);
    static bool matchesAddress(const Rules &rules, const QHostAddress &address);
    // `host` already normalised (no brackets, no trailing dot, lower case).
    std::optional<QString> verdict(const QString &host, const QHostAddress *address) const;

    Rules m_allow;
    Rules m_deny;
    Rules m_builtin;
    QStringList m_allowText; // the rules as given (toJson)
    QStringList m_denyText;
};

using TargetPolicyPtr = std::shared_ptr<const TargetPolicy>;

} // namespace Artemis
