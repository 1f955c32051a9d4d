#pragma once

#include <memory>
#include <optional>

#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include "core/base/result.h"

namespace Artemis {

// Which targets a hunt, or any request the service makes, may reach: allow/deny lists of CIDRs
// (or single addresses), host glob patterns ("*.example.org") and address classes by name, plus
// built-in denials of the link-local and metadata classes that only an explicit --allow lifts.
//
// Address classes (a rule that is one of these words, any case):
//   loopback    127.0.0.0/8, ::1/128 and the unspecified 0.0.0.0/32, ::/128
//   private     10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 (carrier-grade NAT,
//               RFC 6598: not the internet either), fc00::/7 (unique local), fec0::/10 (the
//               deprecated site-local)
//   link-local  169.254.0.0/16, fe80::/10
//   metadata    169.254.169.254, 169.254.170.2 (AWS ECS), 100.100.100.200 (Alibaba),
//               fd00:ec2::254 (AWS IPv6), metadata.google.internal
//
// Precedence, for a host and (when known) one of its addresses:
//   1. an explicit deny (host pattern or CIDR) denies;
//   2. an explicit allow (host pattern or CIDR) allows, except that a built-in denied address
//      is only lifted by an allow CIDR covering it;
//   3. a built-in denial (169.254.0.0/16, fe80::/10, 100.100.100.200, fd00:ec2::254,
//      metadata.google.internal) denies;
//   4. when any allow rule exists, everything else is denied; otherwise allowed.
// IPv4-mapped IPv6 addresses are checked as IPv4. An unspecified address (0.0.0.0, ::, and so
// ::ffff:0.0.0.0) connects to this host: it is loopback in every check. A deny rule matching
// it, 127.0.0.1 or ::1 denies it ("--deny 127.0.0.0/8" denies 0.0.0.0, [::] and names
// resolving to them; "--deny 0.0.0.0/8" still denies 0.0.0.0); an allow rule admits it when it
// matches the address itself or the loopback of its own family, the one it really reaches
// ("--allow 127.0.0.0/8" admits 0.0.0.0, not [::]).
//
// Immutable after set-up; share it as std::shared_ptr<const TargetPolicy> across threads.
class TargetPolicy
{
public:
    // The defaults (built-in denials only). An empty policy (no built-ins) is `none()`.
    TargetPolicy();
    static TargetPolicy none();

    // `rule`: CIDR ("10.0.0.0/8", "fd00::/8"), address ("10.1.2.3"), address class
    // ("loopback", "private", "link-local", "metadata") or host pattern ("node*.lab",
    // "metadata.internal"). InvalidArgument naming the rule when malformed.
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

    // Human-readable rules, for logs: "deny 10.0.0.0/8", "deny loopback (127.0.0.0/8, ...)",
    // "deny-by-default link-local (...)".
    QStringList describe() const;

    // The address an IP-literal host spells (no brackets, as QUrl::host() gives it), if it is one.
    static std::optional<QHostAddress> literalAddress(const QString &host);

    // The address class a rule names ("Loopback" for "loopback"), if it is one.
    enum class AddressClass { Loopback, Private, LinkLocal, Metadata };
    static std::optional<AddressClass> addressClass(QStringView rule);

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
        QStringList hostPatterns;    // lower-case globs
        QList<AddressClass> classes; // their subnets and names count as listed here
        bool isEmpty() const
        {
            return subnets.isEmpty() && hostPatterns.isEmpty() && classes.isEmpty();
        }
        bool hasSubnets() const;
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
