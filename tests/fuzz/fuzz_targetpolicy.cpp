// Fuzzes the target policy (core/net/targetpolicy.h) behind the host canonicalisation a node goes
// through (core/net/target.h parseTargets, QUrl's rewriting of IPv4 forms) and the one a redirect's
// Location goes through (QUrl::host()). Input: the first line holds the rules, separated by
// blanks, "+rule" for --allow and "-rule" (or a bare rule) for --deny; every further line is a
// node, and also the host of a redirect ("http://<line>/").
// Invariants: a rule is accepted or rejected with InvalidArgument naming it; every verdict is
// the same when asked twice; parseTargets with the policy denies exactly the targets whose host
// checkHost denies; a target's host is the host its URL fetches; and a host whose fetched form
// is an IP literal inside an explicit --deny CIDR is never allowed (checkHost, checkAddress),
// whichever way it was spelt (127.1, 0x7f.1, 2130706433, [::ffff:127.0.0.1], ...), nor one that
// is the unspecified address (0.0.0.0, ::, any spelling) when the deny covers either loopback
// address (127.0.0.1, ::1: the unspecified address is loopback in every check, issue #21).

#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QUrl>

#include "core/net/target.h"
#include "core/net/targetpolicy.h"
#include "tests/fuzz/fuzzcheck.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

using Subnet = QPair<QHostAddress, int>;

// The explicit --deny rules read independently of TargetPolicy: CIDRs and single addresses.
QList<Subnet> denySubnet(const QString &rule)
{
    // The address classes by name, as TargetPolicy's header lists them.
    const QHash<QString, QStringList> classes{
        {u"loopback"_s, {u"127.0.0.0/8"_s, u"::1/128"_s, u"0.0.0.0/32"_s, u"::/128"_s}},
        {u"private"_s,
         {u"10.0.0.0/8"_s, u"172.16.0.0/12"_s, u"192.168.0.0/16"_s, u"100.64.0.0/10"_s,
          u"fc00::/7"_s, u"fec0::/10"_s}},
        {u"link-local"_s, {u"169.254.0.0/16"_s, u"fe80::/10"_s}},
        {u"metadata"_s,
         {u"169.254.169.254/32"_s, u"169.254.170.2/32"_s, u"100.100.100.200/32"_s,
          u"fd00:ec2::254/128"_s}},
    };
    if (const auto named = classes.find(rule.toLower()); named != classes.end()) {
        QList<Subnet> subnets;
        for (const QString &subnet : *named) {
            subnets.append(QHostAddress::parseSubnet(subnet));
        }
        return subnets;
    }
    if (rule.contains(u'/')) {
        const Subnet subnet = QHostAddress::parseSubnet(rule);
        if (subnet.first.isNull() || subnet.second < 0) {
            return {};
        }
        return {subnet};
    }
    QHostAddress address;
    if (!address.setAddress(rule)) {
        return {};
    }
    return {{address, address.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128}};
}

bool inAny(const QList<Subnet> &subnets, const QHostAddress &address)
{
    QHostAddress plain = address;
    plain.setScopeId(QString());
    // Only a real ::ffff:a.b.c.d is an IPv4 address (toIPv4Address maps "::" too).
    const Q_IPV6ADDR raw = plain.toIPv6Address();
    bool isV4 =
        plain.protocol() == QAbstractSocket::IPv6Protocol && raw[10] == 0xff && raw[11] == 0xff;
    for (int i = 0; i < 10 && isV4; ++i) {
        isV4 = raw[i] == 0;
    }
    const quint32 v4 = isV4 ? plain.toIPv4Address() : 0;
    for (const Subnet &subnet : subnets) {
        // A mapped address is checked as the IPv4 address it is (TargetPolicy's documented
        // rule), so a wide IPv6 rule such as ::/8 does not cover it.
        if (isV4 ? QHostAddress(v4).isInSubnet(subnet) : plain.isInSubnet(subnet)) {
            return true;
        }
    }
    return false;
}

// Whether `address` is unspecified (0.0.0.0, ::, ::ffff:0.0.0.0): a connection to it reaches
// this host, so it is loopback in every check (TargetPolicy's rule).
bool unspecified(const QHostAddress &address)
{
    const Q_IPV6ADDR raw = address.toIPv6Address();
    bool zeroV6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    bool mappedZero = zeroV6;
    for (int i = 0; i < 16; ++i) {
        zeroV6 = zeroV6 && raw[i] == 0;
        mappedZero = mappedZero && raw[i] == ((i == 10 || i == 11) ? 0xff : 0);
    }
    return (address.protocol() == QAbstractSocket::IPv4Protocol && address.toIPv4Address() == 0)
           || mappedZero || zeroV6;
}

// The address a connection to `fetchedHost` (a QUrl's host()) goes to when it is a literal.
std::optional<QHostAddress> literal(const QString &fetchedHost)
{
    QHostAddress address;
    if (address.setAddress(fetchedHost)) {
        return address;
    }
    return std::nullopt;
}

// `host` as a node or redirect leaves it; `fetchedHost` what the connection then uses.
void checkHost(const TargetPolicy &policy, const QList<Subnet> &denied, const QString &host,
               const QString &fetchedHost)
{
    const std::optional<QString> verdict = policy.checkHost(host);
    FUZZ_CHECK(policy.checkHost(host) == verdict);
    FUZZ_CHECK(!verdict || !verdict->isEmpty());
    const bool resolve = policy.needsResolution(host);
    FUZZ_CHECK(policy.needsResolution(host) == resolve);
    const std::optional<QHostAddress> address = literal(fetchedHost);
    if (!address) {
        return;
    }
    const std::optional<QString> byAddress = policy.checkAddress(host, *address);
    FUZZ_CHECK(policy.checkAddress(host, *address) == byAddress);
    if (inAny(denied, *address)
        || (unspecified(*address)
            && (inAny(denied, QHostAddress(u"127.0.0.1"_s))
                || inAny(denied, QHostAddress(u"::1"_s))))) {
        FUZZ_CHECK_MSG(verdict.has_value(), qPrintable(host));
        FUZZ_CHECK_MSG(byAddress.has_value(), qPrintable(host));
    }
    // A literal is checked without a lookup, so checkHost must already have seen the address.
    if (!resolve && !verdict) {
        FUZZ_CHECK_MSG(!byAddress.has_value(), qPrintable(host));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::setUp();

    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype newline = text.indexOf(u'\n');
    const QString rulesLine = newline < 0 ? text : text.left(newline);
    const QStringList nodes = newline < 0 ? QStringList() : parseNodeList(text.mid(newline + 1));

    TargetPolicy policy;
    QList<Subnet> denied;
    for (const QString &token : rulesLine.split(u' ', Qt::SkipEmptyParts)) {
        const bool allow = token.startsWith(u'+');
        const QString rule =
            token.startsWith(u'+') || token.startsWith(u'-') ? token.mid(1) : token;
        const Result<void> added = allow ? policy.allow(rule) : policy.deny(rule);
        if (!added) {
            FUZZ_CHECK(added.error().code == ErrorCode::InvalidArgument);
            FUZZ_CHECK(!added.error().message.isEmpty());
            continue;
        }
        if (!allow) {
            denied += denySubnet(rule.trimmed());
        }
    }

    // As a node: what parseTargets keeps is what gets checked, and fetched.
    QSet<int> deniedTargets;
    for (int i = 0; i < nodes.size(); ++i) {
        const Result<Target> target = parseTarget(nodes.at(i), u"/metrics"_s, i);
        if (!target) {
            continue;
        }
        const QString fetchedHost = target->url().host();
        FUZZ_CHECK_MSG(fetchedHost == target->host, qPrintable(nodes.at(i)));
        checkHost(policy, denied, target->host, fetchedHost);
    }
    if (!nodes.isEmpty()) {
        const Result<TargetList> plain = parseTargets(nodes, u"/metrics"_s);
        const Result<TargetList> checked = parseTargets(nodes, u"/metrics"_s, &policy);
        FUZZ_CHECK(plain.hasValue() || plain.error().code != ErrorCode::Denied);
        if (plain) {
            int expectDenied = 0;
            for (const Target &target : plain->targets) {
                expectDenied += policy.checkHost(target.host) ? 1 : 0;
            }
            if (expectDenied == 0) {
                FUZZ_CHECK(checked.hasValue());
                FUZZ_CHECK(checked->targets.size() == plain->targets.size());
            } else {
                FUZZ_CHECK(!checked && checked.error().code == ErrorCode::Denied);
                FUZZ_CHECK(checked.error().details.toArray().size() == expectDenied);
                for (const QJsonValue &entry : checked.error().details.toArray()) {
                    const int index = entry.toObject().value(u"index"_s).toInt(-1);
                    FUZZ_CHECK(index >= 0 && index < nodes.size());
                }
            }
        } else {
            FUZZ_CHECK(!checked && checked.error().code == plain.error().code);
        }
    }

    // As a redirect: the fetcher checks the Location's QUrl host.
    for (const QString &line : nodes) {
        const QUrl url(u"http://"_s + line + u"/"_s);
        if (!url.isValid() || url.host().isEmpty()) {
            continue;
        }
        checkHost(policy, denied, url.host(), url.host());
    }
    return 0;
}
