// Fuzzes node parsing (core/net/target.h): parseTarget, parseTargets, normalizePath and
// parseNodeList. Input: UTF-8 text; its first line is the hunt's url path, the rest a node file
// (one node per line, '#' comments). Each line is also tried as a single node.
// Invariants: a parsed target serialises (scheme://host:port) and parses back to the same
// target; its URL is valid, uses the target's scheme, host and port, and carries the normalised
// path; normalisation is idempotent; parseTargets agrees with parseTarget node by node (every
// node is a target, a duplicate or a listed error, and nothing else).

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include "core/net/target.h"
#include "tests/fuzz/fuzzcheck.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

void checkTarget(const Target &t, QStringView node, const QString &path)
{
    const QByteArray where = node.toUtf8();
    FUZZ_CHECK_MSG(t.node == node.trimmed(), where.constData());
    FUZZ_CHECK_MSG(t.scheme == u"http"_s || t.scheme == u"https"_s, where.constData());
    FUZZ_CHECK_MSG(t.port != 0, where.constData());
    // Lower case, but for an IPv6 zone (interface names are case-sensitive).
    const QString hostPart = t.host.section(u'%', 0, 0);
    FUZZ_CHECK_MSG(!hostPart.isEmpty() && hostPart == hostPart.toLower(), where.constData());
    FUZZ_CHECK_MSG(t.url().isValid(), where.constData());
    FUZZ_CHECK_MSG(t.url().scheme() == t.scheme, where.constData());
    // The host the policy checks (t.host) must be the host that is fetched (t.url().host()).
    FUZZ_CHECK_MSG(t.url().host() == t.host, where.constData());
    FUZZ_CHECK_MSG(t.url().port(t.scheme == u"https"_s ? 443 : 80) == t.port, where.constData());
    const qsizetype q = path.indexOf(u'?');
    FUZZ_CHECK_MSG(t.url().path() == (q < 0 ? path : path.left(q)), where.constData());

    // Serialise and parse again: the same target.
    const QString again = t.scheme + u"://"_s + t.hostPort();
    const Result<Target> reparsed = parseTarget(again, path, 0);
    FUZZ_CHECK_MSG(reparsed.hasValue(), qPrintable(again));
    FUZZ_CHECK_MSG(reparsed->scheme == t.scheme && reparsed->host == t.host
                       && reparsed->port == t.port && reparsed->url() == t.url(),
                   qPrintable(again));
    FUZZ_CHECK(reparsed->hostPort() == t.hostPort());
}

void checkPath(const QString &rawPath)
{
    const Result<QString> path = normalizePath(rawPath);
    if (!path) {
        FUZZ_CHECK(!path.error().message.isEmpty());
        return;
    }
    FUZZ_CHECK(path->startsWith(u'/'));
    const qsizetype q = path->indexOf(u'?');
    FUZZ_CHECK(!(q < 0 ? *path : path->left(q)).contains(u"//"_s));
    const Result<QString> again = normalizePath(*path);
    FUZZ_CHECK(again.hasValue() && *again == *path);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::setUp();

    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype firstBreak = text.indexOf(u'\n');
    const QString rawPath = firstBreak < 0 ? text : text.left(firstBreak);
    const QString nodeText = firstBreak < 0 ? QString() : text.mid(firstBreak + 1);
    checkPath(rawPath);
    const Result<QString> path = normalizePath(rawPath);
    const QString usedPath = path ? rawPath : u"metric"_s;
    const QString normalized = *normalizePath(usedPath);

    const QStringList nodes = parseNodeList(nodeText);
    for (const QString &node : nodes) {
        FUZZ_CHECK(!node.isEmpty() && node == node.trimmed() && !node.contains(u'#')
                   && !node.contains(u'\n'));
    }
    // Every line as a node of its own, comments and all.
    for (const QString &line : nodeText.split(u'\n')) {
        const Result<Target> target = parseTarget(line, usedPath, 0);
        if (target) {
            checkTarget(*target, line, normalized);
        } else {
            FUZZ_CHECK(target.error().code == ErrorCode::InvalidNode);
            FUZZ_CHECK(!target.error().message.isEmpty());
        }
    }
    if (nodes.isEmpty()) {
        return 0;
    }

    const Result<TargetList> list = parseTargets(nodes, usedPath);
    QList<Result<Target>> single;
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        single.append(parseTarget(nodes.at(i), usedPath, int(i)));
    }
    if (list) {
        FUZZ_CHECK(list->targets.size() + list->duplicates.size() == nodes.size());
        QSet<QString> keys;
        qsizetype next = 0;
        for (const Target &target : list->targets) {
            checkTarget(target, target.node, normalized);
            FUZZ_CHECK(!keys.contains(target.scheme + target.hostPort()));
            keys.insert(target.scheme + target.hostPort());
            // Targets keep the order of the request.
            while (next < nodes.size() && nodes.at(next).trimmed() != target.node) {
                ++next;
            }
            FUZZ_CHECK(next < nodes.size());
            FUZZ_CHECK(single.at(next).hasValue() && single.at(next)->url() == target.url());
        }
        for (const Result<Target> &one : single) {
            FUZZ_CHECK(one.hasValue());
            FUZZ_CHECK(keys.contains(one->scheme + one->hostPort()));
        }
    } else if (list.error().code == ErrorCode::InvalidNode) {
        const QJsonArray bad = list.error().details.toArray();
        FUZZ_CHECK(!bad.isEmpty());
        QSet<int> badIndexes;
        for (const QJsonValue &entry : bad) {
            const int index = entry.toObject().value(u"index"_s).toInt(-1);
            FUZZ_CHECK(index >= 0 && index < nodes.size());
            FUZZ_CHECK(entry.toObject().value(u"node"_s).toString() == nodes.at(index));
            FUZZ_CHECK(!entry.toObject().value(u"reason"_s).toString().isEmpty());
            FUZZ_CHECK(!single.at(index).hasValue());
            badIndexes.insert(index);
        }
        for (qsizetype i = 0; i < nodes.size(); ++i) {
            FUZZ_CHECK(single.at(i).hasValue() == !badIndexes.contains(int(i)));
        }
    } else {
        FUZZ_CHECK_MSG(false, "parseTargets failed with something other than InvalidNode");
    }
    return 0;
}
