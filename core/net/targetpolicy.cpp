#include "core/net/targetpolicy.h"

#include <algorithm>

#include <QJsonArray>

#include "core/net/target.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

QString normalizeHost(QString host)
{
    if (host.startsWith(u'[') && host.endsWith(u']')) {
        host = host.mid(1, host.size() - 2);
    }
    while (host.endsWith(u'.')) {
        host.chop(1);
    }
    return host.toLower();
}

// IPv4-mapped IPv6 (::ffff:a.b.c.d) is checked as the IPv4 address it carries.
// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) only: QHostAddress::toIPv4Address also turns
// "::" into 0.0.0.0, which made a rule "::/8" the IPv4 rule 0.0.0.0/0 (fuzz_targetpolicy).
bool isV4Mapped(const QHostAddress &address)
{
    if (address.protocol() != QAbstractSocket::IPv6Protocol) {
        return false;
    }
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    for (int i = 0; i < 10; ++i) {
        if (bytes[i] != 0) {
            return false;
        }
    }
    return bytes[10] == 0xff && bytes[11] == 0xff;
}

QHostAddress canonical(const QHostAddress &address)
{
    if (isV4Mapped(address)) {
        return QHostAddress(address.toIPv4Address());
    }
    QHostAddress plain = address;
    plain.setScopeId(QString());
    return plain;
}

// Connecting to the unspecified address (0.0.0.0, ::, ::ffff:0.0.0.0) reaches this host: Linux
// and the BSDs route it to the loopback of its family. `address` already canonical.
std::optional<QHostAddress> reachedLoopback(const QHostAddress &address)
{
    if (address.protocol() == QAbstractSocket::IPv4Protocol && address.toIPv4Address() == 0) {
        return QHostAddress(QHostAddress::LocalHost);
    }
    if (address.protocol() == QAbstractSocket::IPv6Protocol
        && address == QHostAddress(QHostAddress::AnyIPv6)) {
        return QHostAddress(QHostAddress::LocalHostIPv6);
    }
    return std::nullopt;
}

struct ClassRules
{
    TargetPolicy::AddressClass addressClass;
    QString name;
    QList<QPair<QHostAddress, int>> subnets;
    QStringList hosts;
};

// The address classes of TargetPolicy (see its header), parsed once.
const QList<ClassRules> &classTable()
{
    using C = TargetPolicy::AddressClass;
    static const QList<ClassRules> table = [] {
        const struct
        {
            C addressClass;
            QString name;
            QStringList subnets;
            QStringList hosts;
        } text[] = {
            {C::Loopback,
             u"loopback"_s,
             {u"127.0.0.0/8"_s, u"::1/128"_s, u"0.0.0.0/32"_s, u"::/128"_s},
             {}},
            {C::Private,
             u"private"_s,
             {u"10.0.0.0/8"_s, u"172.16.0.0/12"_s, u"192.168.0.0/16"_s, u"100.64.0.0/10"_s,
              u"fc00::/7"_s, u"fec0::/10"_s},
             {}},
            {C::LinkLocal, u"link-local"_s, {u"169.254.0.0/16"_s, u"fe80::/10"_s}, {}},
            {C::Metadata,
             u"metadata"_s,
             {u"169.254.169.254/32"_s, u"169.254.170.2/32"_s, u"100.100.100.200/32"_s,
              u"fd00:ec2::254/128"_s},
             {u"metadata.google.internal"_s}},
        };
        QList<ClassRules> parsed;
        for (const auto &entry : text) {
            ClassRules rules{entry.addressClass, entry.name, {}, entry.hosts};
            for (const QString &subnet : entry.subnets) {
                rules.subnets.append(QHostAddress::parseSubnet(subnet));
                Q_ASSERT(!rules.subnets.last().first.isNull());
            }
            parsed.append(std::move(rules));
        }
        return parsed;
    }();
    return table;
}

const ClassRules &classRules(TargetPolicy::AddressClass addressClass)
{
    const QList<ClassRules> &table = classTable();
    return table.at(qsizetype(addressClass));
}

// '*' matches any run of characters (dots included), '?' one character.
bool globMatch(QStringView pattern, QStringView text)
{
    qsizetype p = 0;
    qsizetype t = 0;
    qsizetype star = -1;
    qsizetype mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == u'?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == u'*') {
            star = p++;
            mark = t;
        } else if (star >= 0) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == u'*') {
        ++p;
    }
    return p == pattern.size();
}

} // namespace

TargetPolicy::TargetPolicy()
{
    m_builtin.classes = {AddressClass::LinkLocal, AddressClass::Metadata};
}

std::optional<QHostAddress> TargetPolicy::literalAddress(const QString &host)
{
    // Plain dotted quads, the common case once per node, skip QHostAddress' general parser.
    if (const std::optional<quint32> v4 = parsePlainIPv4(host)) {
        return QHostAddress(*v4);
    }
    QHostAddress literal;
    if (literal.setAddress(host)) {
        return literal;
    }
    return std::nullopt;
}

std::optional<TargetPolicy::AddressClass> TargetPolicy::addressClass(QStringView rule)
{
    // Exact words only: "private." (a trailing dot) still names a host called "private".
    const QString word = rule.trimmed().toString().toLower();
    for (const ClassRules &rules : classTable()) {
        if (rules.name == word) {
            return rules.addressClass;
        }
    }
    return std::nullopt;
}

bool TargetPolicy::Rules::hasSubnets() const
{
    // Every class has subnets.
    return !subnets.isEmpty() || !classes.isEmpty();
}

TargetPolicy TargetPolicy::none()
{
    TargetPolicy policy;
    policy.m_builtin = {};
    return policy;
}

Result<void> TargetPolicy::allow(QStringView rule)
{
    Result<void> added = addRule(m_allow, rule);
    if (added) {
        m_allowText.append(rule.trimmed().toString());
    }
    return added;
}

Result<void> TargetPolicy::deny(QStringView rule)
{
    Result<void> added = addRule(m_deny, rule);
    if (added) {
        m_denyText.append(rule.trimmed().toString());
    }
    return added;
}

QJsonObject TargetPolicy::toJson() const
{
    return QJsonObject{{u"allow"_s, QJsonArray::fromStringList(m_allowText)},
                       {u"deny"_s, QJsonArray::fromStringList(m_denyText)},
                       {u"builtins"_s, !m_builtin.isEmpty()}};
}

Result<TargetPolicy> TargetPolicy::fromJson(const QJsonObject &json)
{
    const QJsonValue builtins = json.value(u"builtins"_s);
    if (!builtins.isBool() || !json.value(u"allow"_s).isArray()
        || !json.value(u"deny"_s).isArray()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"target policy: want {\"allow\": [...], \"deny\": [...], "
                         u"\"builtins\": bool}"_s);
    }
    TargetPolicy policy = builtins.toBool() ? TargetPolicy() : TargetPolicy::none();
    for (const QString &kind : {u"allow"_s, u"deny"_s}) {
        for (const QJsonValue &rule : json.value(kind).toArray()) {
            if (!rule.isString()) {
                return makeError(ErrorCode::InvalidArgument,
                                 u"target policy: %1 rules must be strings"_s.arg(kind));
            }
            const Result<void> added =
                kind == u"allow"_s ? policy.allow(rule.toString()) : policy.deny(rule.toString());
            if (!added) {
                return added.error();
            }
        }
    }
    return policy;
}

Result<void> TargetPolicy::addRule(Rules &rules, QStringView rawRule)
{
    const QString rule = rawRule.trimmed().toString();
    auto bad = [&](const QString &why) {
        return makeError(ErrorCode::InvalidArgument, u"bad policy rule '%1': %2"_s.arg(rule, why));
    };
    if (rule.isEmpty()) {
        return bad(u"empty"_s);
    }
    if (const std::optional<AddressClass> named = addressClass(rule)) {
        if (!rules.classes.contains(*named)) {
            rules.classes.append(*named);
        }
        return {};
    }
    if (rule.contains(u'/')) {
        const Subnet subnet = QHostAddress::parseSubnet(rule);
        if (subnet.first.isNull() || subnet.second < 0) {
            return bad(u"not a CIDR (address/prefix)"_s);
        }
        // A mapped subnet is an IPv4 one only when it lies within ::ffff:0:0/96; a wider one
        // ("::/8") stays IPv6.
        const bool mapped = isV4Mapped(subnet.first);
        if (mapped && subnet.second >= 96) {
            rules.subnets.append({canonical(subnet.first), subnet.second - 96});
        } else {
            QHostAddress base = subnet.first;
            base.setScopeId(QString());
            rules.subnets.append({base, subnet.second});
        }
        return {};
    }
    const QString host = normalizeHost(rule);
    QHostAddress address;
    if (address.setAddress(host)) {
        const QHostAddress c = canonical(address);
        rules.subnets.append({c, c.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128});
        return {};
    }
    for (const QChar c : host) {
        if (!(c.isLetterOrNumber() || c == u'-' || c == u'.' || c == u'_' || c == u'*'
              || c == u'?')) {
            return bad(u"a host pattern may hold letters, digits, '-', '.', '_', '*', '?'"_s);
        }
    }
    rules.hostPatterns.append(host);
    return {};
}

bool TargetPolicy::matchesHost(const Rules &rules, const QString &host)
{
    auto any = [&host](const QStringList &patterns) {
        return std::any_of(patterns.begin(), patterns.end(),
                           [&host](const QString &pattern) { return globMatch(pattern, host); });
    };
    return any(rules.hostPatterns)
           || std::any_of(rules.classes.begin(), rules.classes.end(),
                          [&any](AddressClass c) { return any(classRules(c).hosts); });
}

bool TargetPolicy::matchesAddress(const Rules &rules, const QHostAddress &address)
{
    auto any = [&address](const QList<Subnet> &subnets) {
        return std::any_of(subnets.begin(), subnets.end(),
                           [&address](const Subnet &subnet) { return address.isInSubnet(subnet); });
    };
    return any(rules.subnets)
           || std::any_of(rules.classes.begin(), rules.classes.end(),
                          [&any](AddressClass c) { return any(classRules(c).subnets); });
}

std::optional<QString> TargetPolicy::verdict(const QString &host,
                                             const QHostAddress *rawAddress) const
{
    std::optional<QHostAddress> address;
    std::optional<QHostAddress> loopback; // what an unspecified address reaches
    if (rawAddress) {
        address = canonical(*rawAddress);
        loopback = reachedLoopback(*address);
    }
    // Only formatted for a refusal: verdict() runs for every node of every request.
    auto what = [&] {
        QString text = address && address->toString() != host
                           ? u"%1 (address %2)"_s.arg(host, address->toString())
                           : host;
        if (loopback) {
            text += u", which reaches the loopback %1,"_s.arg(loopback->toString());
        }
        return text;
    };
    // An unspecified address is loopback in every check: a denial of either loopback denies it
    // (a dual-stack listener on :: takes 0.0.0.0's connections too); an allow lifts it only
    // for the loopback it really reaches.
    auto deniedIn = [&](const Rules &rules) {
        return address
               && (matchesAddress(rules, *address)
                   || (loopback
                       && (matchesAddress(rules, QHostAddress(QHostAddress::LocalHost))
                           || matchesAddress(rules, QHostAddress(QHostAddress::LocalHostIPv6)))));
    };
    auto allowedIn = [&](const Rules &rules) {
        return address
               && (matchesAddress(rules, *address)
                   || (loopback && matchesAddress(rules, *loopback)));
    };
    if (matchesHost(m_deny, host) || deniedIn(m_deny)) {
        return u"%1 is denied by the target policy (--deny)"_s.arg(what());
    }
    const bool allowedByHost = matchesHost(m_allow, host);
    const bool allowedByAddress = allowedIn(m_allow);
    const bool builtinAddress = deniedIn(m_builtin);
    if (builtinAddress && !allowedByAddress) {
        return u"%1 is link-local or a cloud metadata address, denied by default (lift it with "
               "--allow)"_s.arg(what());
    }
    if (allowedByHost || allowedByAddress) {
        return std::nullopt;
    }
    if (matchesHost(m_builtin, host)) {
        return u"%1 is a cloud metadata host, denied by default (lift it with --allow)"_s.arg(
            what());
    }
    if (!m_allow.isEmpty()) {
        // A name not allowed by a host pattern may still be allowed by the address it
        // resolves to, which only the resolved check knows.
        if (!address && m_allow.hasSubnets()) {
            return std::nullopt;
        }
        return u"%1 is not in the allow list (--allow)"_s.arg(what());
    }
    return std::nullopt;
}

std::optional<QString> TargetPolicy::checkHost(const QString &host) const
{
    const QString normalized = normalizeHost(host);
    const std::optional<QHostAddress> literal = literalAddress(normalized);
    return verdict(normalized, literal ? &*literal : nullptr);
}

std::optional<QString> TargetPolicy::checkAddress(const QString &host,
                                                  const QHostAddress &address) const
{
    return verdict(normalizeHost(host), &address);
}

bool TargetPolicy::needsResolution(const QString &host) const
{
    if (literalAddress(normalizeHost(host))) {
        return false;
    }
    return m_deny.hasSubnets() || m_allow.hasSubnets() || m_builtin.hasSubnets();
}

QStringList TargetPolicy::describe() const
{
    QStringList lines;
    auto add = [&lines](const QString &kind, const Rules &rules) {
        for (const Subnet &s : rules.subnets) {
            lines.append(u"%1 %2/%3"_s.arg(kind, s.first.toString()).arg(s.second));
        }
        for (const QString &p : rules.hostPatterns) {
            lines.append(u"%1 %2"_s.arg(kind, p));
        }
        for (const AddressClass c : rules.classes) {
            const ClassRules &named = classRules(c);
            QStringList members;
            for (const Subnet &s : named.subnets) {
                members.append(u"%1/%2"_s.arg(s.first.toString()).arg(s.second));
            }
            members += named.hosts;
            lines.append(u"%1 %2 (%3)"_s.arg(kind, named.name, members.join(u", "_s)));
        }
    };
    add(u"deny"_s, m_deny);
    add(u"allow"_s, m_allow);
    add(u"deny-by-default"_s, m_builtin);
    return lines;
}

} // namespace Artemis
