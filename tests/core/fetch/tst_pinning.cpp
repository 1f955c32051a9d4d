// Fetcher pins every attempt and every redirect hop to an address the target policy checked for
// that attempt (issue #13, item 3): real loopback nodes on 127.0.0.1-3, and a Resolver the test
// feeds with names (*.test, which the system resolver cannot resolve: a fetch that reaches a node
// also proves QNAM did not resolve the name itself) whose answers change between lookups.

#include <QFile>
#include <QHostAddress>
#include <QMutex>
#include <QProcess>
#include <QSet>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>

#include "core/fetch/fetcher.h"
#include "core/net/resolver.h"
#include "core/net/target.h"
#include "core/net/targetpolicy.h"
#include "tests/common/fakenode.h"
#include "tests/common/fakeresolver.h"
#include "tests/common/testca.h"
#include "tests/common/wait.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;
using Artemis::Test::FakeResolver;

namespace {

const QHostAddress Local1(u"127.0.0.1"_s);
const QHostAddress Local2(u"127.0.0.2"_s);
const QHostAddress Local3(u"127.0.0.3"_s);

FetchOptions quickOptions()
{
    FetchOptions options;
    options.timeoutMs = 5000;
    options.attempts = 3;
    options.backoffBaseMs = 1;
    options.backoffCapMs = 10;
    options.followRedirects = true;
    return options;
}

TargetPolicyPtr denying(const QStringList &rules)
{
    auto policy = std::make_shared<TargetPolicy>();
    for (const QString &rule : rules) {
        const Result<void> added = policy->deny(rule);
        Q_ASSERT(added);
    }
    return policy;
}

// Fetches one node through `fetcher` and returns its outcome.
Outcome fetchOne(Fetcher &fetcher, const QString &node, const FetchOptions &options)
{
    static quint64 key = 0;
    ++key;
    QList<Outcome> outcomes;
    const QMetaObject::Connection connection =
        QObject::connect(&fetcher, &Fetcher::outcomesReady,
                         [&outcomes](quint64, const QList<Outcome> &batch) { outcomes += batch; });
    const Result<Target> target = parseTarget(node, u"/metric"_s);
    Q_ASSERT(target);
    fetcher.beginHunt(key, options);
    fetcher.fetch(key, {*target});
    [[maybe_unused]] const bool answered =
        Test::waitUntil([&outcomes] { return !outcomes.isEmpty(); }, 15000);
    fetcher.endHunt(key);
    QObject::disconnect(connection);
    return outcomes.isEmpty() ? Outcome{} : outcomes.first();
}

QByteArray hostSeen(const FakeNode &node, int request = 0)
{
    const auto headers = node.requestHeaders();
    return request < headers.size() ? headers.at(request).value("host") : QByteArray();
}

// A certificate for the DNS name `name` signed by the TestCa in `dir` (the openssl CLI, as
// TestCa itself), as a server configuration.
Result<QSslConfiguration> certificateFor(const QString &dir, const QString &name)
{
    QFile ext(dir + u"/"_s + name + u".ext"_s);
    if (!ext.open(QIODevice::WriteOnly)
        || ext.write("subjectAltName=DNS:" + name.toLatin1()
                     + "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
               < 0) {
        return makeError(ErrorCode::Io, u"cannot write "_s + ext.fileName());
    }
    ext.close();
    const QList<QStringList> steps = {
        {u"req"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
         u"-nodes"_s, u"-keyout"_s, name + u".key"_s, u"-out"_s, name + u".csr"_s, u"-subj"_s,
         u"/CN="_s + name},
        {u"x509"_s, u"-req"_s, u"-in"_s, name + u".csr"_s, u"-CA"_s, u"ca.pem"_s, u"-CAkey"_s,
         u"ca.key"_s, u"-CAcreateserial"_s, u"-out"_s, name + u".pem"_s, u"-days"_s, u"2"_s,
         u"-extfile"_s, name + u".ext"_s},
    };
    for (const QStringList &step : steps) {
        QProcess openssl;
        openssl.setWorkingDirectory(dir);
        openssl.setProcessChannelMode(QProcess::MergedChannels);
        openssl.start(u"openssl"_s, step);
        if (!openssl.waitForFinished(20000) || openssl.exitCode() != 0) {
            return makeError(ErrorCode::Unavailable,
                             u"openssl failed: "_s + QString::fromLocal8Bit(openssl.readAll()));
        }
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(
        QSslCertificate::fromPath(dir + u"/"_s + name + u".pem"_s, QSsl::Pem));
    QFile key(dir + u"/"_s + name + u".key"_s);
    if (!key.open(QIODevice::ReadOnly)) {
        return makeError(ErrorCode::Io, u"cannot read "_s + key.fileName());
    }
    configuration.setPrivateKey(QSslKey(key.readAll(), QSsl::Ec));
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    return configuration;
}

} // namespace

class TestPinning : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void firstAttemptPinned();
    void retryResolvesAgain_data();
    void retryResolvesAgain();
    void redirectHopResolvesAgain_data();
    void redirectHopResolvesAgain();
    void failedLookupIsDns_data();
    void failedLookupIsDns();
    void lookupOutlastingDeadlineIsTimeout();
    void unspecifiedIsLoopback_data();
    void unspecifiedIsLoopback();
    void nextCheckedAddressWhenRefused();
    void ipv6Answer();
    void tlsVerifiedAgainstName_data();
    void tlsVerifiedAgainstName();
};

// (a) The request goes to the address the lookup answered, with the node's Host, and the
// outcome names the node as written. No policy: names are pinned all the same.
void TestPinning::firstAttemptPinned()
{
    FakeNode a;
    QVERIFY(a.start(Local1));
    auto resolver = std::make_shared<FakeResolver>();
    resolver->setAnswers(u"flip.test"_s, {{Local1}, {Local2}});
    Fetcher fetcher;
    fetcher.setResolver(resolver);

    const QString node = u"flip.test:%1"_s.arg(a.port());
    const Outcome outcome = fetchOne(fetcher, node, quickOptions());
    QCOMPARE(outcome.outcome, OutcomeKind::Ok);
    QCOMPARE(outcome.node, node);
    QCOMPARE(outcome.url, u"http://flip.test:%1/metric"_s.arg(a.port()));
    QCOMPARE(a.requestCount(), 1);
    QCOMPARE(hostSeen(a), node.toLatin1());
    QCOMPARE(a.requestPaths().value(0), "/metric"_ba);
    QCOMPARE(resolver->lookups(u"flip.test"_s), 1);
}

// (b) A retry looks the name up again and goes where the new answer says, if the policy allows
// that address; if not, the node ends as denied and the new address sees nothing.
void TestPinning::retryResolvesAgain_data()
{
    QTest::addColumn<QStringList>("deny");
    QTest::addColumn<OutcomeKind>("kind");
    QTest::addColumn<int>("secondRequests");
    QTest::newRow("second answer allowed") << QStringList() << OutcomeKind::Ok << 1;
    QTest::newRow("second answer denied")
        << QStringList{u"127.0.0.2/32"_s} << OutcomeKind::Denied << 0;
}

void TestPinning::retryResolvesAgain()
{
    QFETCH(QStringList, deny);
    QFETCH(OutcomeKind, kind);
    QFETCH(int, secondRequests);
    FakeNode first;
    QVERIFY(first.start(Local1));
    first.setBehaviour(FakeNode::Behaviour::Status);
    first.setStatus(503, "{}", {{"Retry-After", "0"}});
    FakeNode second;
    QVERIFY(second.start(Local2, first.port()));
    auto resolver = std::make_shared<FakeResolver>();
    resolver->setAnswers(u"flip.test"_s, {{Local1}, {Local2}});
    Fetcher fetcher;
    fetcher.setResolver(resolver);
    fetcher.setTargetPolicy(denying(deny));

    const QString node = u"flip.test:%1"_s.arg(first.port());
    const Outcome outcome = fetchOne(fetcher, node, quickOptions());
    QCOMPARE(outcome.outcome, kind);
    QCOMPARE(outcome.node, node);
    QCOMPARE(resolver->lookups(u"flip.test"_s), 2);
    QCOMPARE(first.requestCount(), 1);
    QCOMPARE(hostSeen(first), node.toLatin1());
    QCOMPARE(second.requestCount(), secondRequests);
    if (kind == OutcomeKind::Ok) {
        QCOMPARE(outcome.attempts, 2);
        QCOMPARE(hostSeen(second), node.toLatin1());
    } else {
        QCOMPARE(outcome.attempts, 1); // the second attempt never left
        QVERIFY2(outcome.error.contains(u"127.0.0.2"_s), qPrintable(outcome.error));
        QVERIFY2(outcome.error.contains(u"--deny"_s), qPrintable(outcome.error));
    }
}

// (c) A redirect to another name is resolved, checked and pinned at every hop: the first
// attempt's hop goes to 127.0.0.2 (503), the retry's hop to 127.0.0.3, which a policy may deny.
void TestPinning::redirectHopResolvesAgain_data()
{
    QTest::addColumn<QStringList>("deny");
    QTest::addColumn<OutcomeKind>("kind");
    QTest::addColumn<int>("lastRequests");
    QTest::newRow("second hop allowed") << QStringList() << OutcomeKind::Ok << 1;
    QTest::newRow("second hop denied")
        << QStringList{u"127.0.0.3/32"_s} << OutcomeKind::Denied << 0;
}

void TestPinning::redirectHopResolvesAgain()
{
    QFETCH(QStringList, deny);
    QFETCH(OutcomeKind, kind);
    QFETCH(int, lastRequests);
    FakeNode hopFirst;
    QVERIFY(hopFirst.start(Local2));
    hopFirst.setBehaviour(FakeNode::Behaviour::Status);
    hopFirst.setStatus(503, "{}", {{"Retry-After", "0"}});
    FakeNode hopLast;
    QVERIFY(hopLast.start(Local3, hopFirst.port()));
    const QString hopUrl = u"http://hop.test:%1/final"_s.arg(hopFirst.port());
    FakeNode origin;
    QVERIFY(origin.start(Local1));
    origin.setBehaviour(FakeNode::Behaviour::Status);
    origin.setStatus(302, {}, {{"Location", hopUrl.toLatin1()}});

    auto resolver = std::make_shared<FakeResolver>();
    resolver->setAnswers(u"flip.test"_s, {{Local1}});
    resolver->setAnswers(u"hop.test"_s, {{Local2}, {Local3}});
    Fetcher fetcher;
    fetcher.setResolver(resolver);
    fetcher.setTargetPolicy(denying(deny));

    const QString node = u"flip.test:%1"_s.arg(origin.port());
    const Outcome outcome = fetchOne(fetcher, node, quickOptions());
    QCOMPARE(outcome.outcome, kind);
    QCOMPARE(outcome.node, node);
    QCOMPARE(outcome.url, u"http://flip.test:%1/metric"_s.arg(origin.port()));
    QCOMPARE(outcome.attempts, 2);
    QCOMPARE(resolver->lookups(u"flip.test"_s), 2);
    QCOMPARE(resolver->lookups(u"hop.test"_s), 2);
    QCOMPARE(origin.requestCount(), 2);
    QCOMPARE(hopFirst.requestCount(), 1);
    const QByteArray hopHost = u"hop.test:%1"_s.arg(hopFirst.port()).toLatin1();
    QCOMPARE(hostSeen(hopFirst), hopHost);
    QCOMPARE(hopLast.requestCount(), lastRequests);
    if (kind == OutcomeKind::Ok) {
        QCOMPARE(hostSeen(hopLast), hopHost);
        QCOMPARE(hopLast.requestPaths().value(0), "/final"_ba);
    } else {
        QVERIFY2(outcome.error.startsWith(u"redirect to %1 denied: "_s.arg(hopUrl)),
                 qPrintable(outcome.error));
        QVERIFY2(outcome.error.contains(u"127.0.0.3"_s), qPrintable(outcome.error));
    }
}

// (d) A lookup that fails ends the node as dns (final), naming the host; a hop's too.
void TestPinning::failedLookupIsDns_data()
{
    QTest::addColumn<bool>("onRedirect");
    QTest::newRow("first hop") << false;
    QTest::newRow("redirect hop") << true;
}

void TestPinning::failedLookupIsDns()
{
    QFETCH(bool, onRedirect);
    FakeNode origin;
    QVERIFY(origin.start(Local1));
    const QString goneUrl = u"http://gone.test:%1/x"_s.arg(origin.port());
    origin.setBehaviour(FakeNode::Behaviour::Status);
    origin.setStatus(302, {}, {{"Location", goneUrl.toLatin1()}});
    auto resolver = std::make_shared<FakeResolver>();
    resolver->setAnswers(u"flip.test"_s, {{Local1}});
    Fetcher fetcher;
    fetcher.setResolver(resolver);
    fetcher.setTargetPolicy(std::make_shared<TargetPolicy>());

    const QString node =
        u"%1:%2"_s.arg(onRedirect ? u"flip.test"_s : u"gone.test"_s).arg(origin.port());
    const Outcome outcome = fetchOne(fetcher, node, quickOptions());
    QCOMPARE(outcome.outcome, OutcomeKind::Dns);
    QCOMPARE(outcome.node, node);
    QCOMPARE(outcome.attempts, 1); // final: not retried
    QCOMPARE(resolver->lookups(u"gone.test"_s), 1);
    QVERIFY2(outcome.error.contains(u"host not found: gone.test"_s), qPrintable(outcome.error));
    if (onRedirect) {
        QVERIFY2(outcome.error.startsWith(u"redirect to "_s + goneUrl), qPrintable(outcome.error));
        QCOMPARE(origin.requestCount(), 1);
    } else {
        QCOMPARE(origin.requestCount(), 0);
    }
}

// The attempt's deadline covers its lookup: a lookup that never answers is a timeout (transient,
// so retried with a new lookup), and its late answer, if any, is dropped.
void TestPinning::lookupOutlastingDeadlineIsTimeout()
{
    auto resolver = std::make_shared<FakeResolver>();
    resolver->setSilent(u"slow.test"_s);
    Fetcher fetcher;
    fetcher.setResolver(resolver);
    FetchOptions options = quickOptions();
    options.timeoutMs = 100;
    options.attempts = 2;

    const Outcome outcome = fetchOne(fetcher, u"slow.test:9"_s, options);
    QCOMPARE(outcome.outcome, OutcomeKind::Timeout);
    QCOMPARE(outcome.attempts, 2);
    QCOMPARE(resolver->lookups(u"slow.test"_s), 2);
    QVERIFY2(outcome.error.contains(u"looking up slow.test"_s), qPrintable(outcome.error));
}

// (e) 0.0.0.0 and :: reach this host: a name resolving to them, or the literal, is refused by
// a loopback deny, and the node listening on the loopback sees nothing.
void TestPinning::unspecifiedIsLoopback_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("answer"); // empty: host is a literal
    QTest::addColumn<QString>("deny");
    QTest::newRow("name -> 0.0.0.0") << u"zero.test"_s << u"0.0.0.0"_s << u"127.0.0.0/8"_s;
    QTest::newRow("name -> ::ffff:0.0.0.0")
        << u"zero.test"_s << u"::ffff:0.0.0.0"_s << u"127.0.0.0/8"_s;
    QTest::newRow("name -> ::") << u"zero.test"_s << u"::"_s << u"::1"_s;
    QTest::newRow("literal 0.0.0.0") << u"0.0.0.0"_s << QString() << u"127.0.0.0/8"_s;
    QTest::newRow("literal [::]") << u"[::]"_s << QString() << u"::1/128"_s;
    // Loopback in every check (issue #21 item 8): either loopback's denial denies both.
    QTest::newRow("literal [::], deny 127/8") << u"[::]"_s << QString() << u"127.0.0.0/8"_s;
    QTest::newRow("name -> ::, deny 127/8") << u"zero.test"_s << u"::"_s << u"127.0.0.0/8"_s;
    QTest::newRow("literal 0.0.0.0, deny ::1") << u"0.0.0.0"_s << QString() << u"::1"_s;
    QTest::newRow("literal [::], deny loopback") << u"[::]"_s << QString() << u"loopback"_s;
}

void TestPinning::unspecifiedIsLoopback()
{
    QFETCH(QString, host);
    QFETCH(QString, answer);
    QFETCH(QString, deny);
    FakeNode local;
    QVERIFY(local.start(Local1));
    auto resolver = std::make_shared<FakeResolver>();
    if (!answer.isEmpty()) {
        resolver->setAnswers(host, {{QHostAddress(answer)}});
    }
    Fetcher fetcher;
    fetcher.setResolver(resolver);
    fetcher.setTargetPolicy(denying({deny}));

    const Outcome outcome =
        fetchOne(fetcher, u"%1:%2"_s.arg(host).arg(local.port()), quickOptions());
    QCOMPARE(outcome.outcome, OutcomeKind::Denied);
    QVERIFY2(outcome.error.contains(u"loopback"_s), qPrintable(outcome.error));
    QCOMPARE(local.requestCount(), 0);
    QCOMPARE(local.connectionCount(), 0);
}

// Like QNAM with a name it resolves itself, a refused connection moves on to the lookup's next
// address (all of them checked before the first connection).
void TestPinning::nextCheckedAddressWhenRefused()
{
    FakeNode a;
    QVERIFY(a.start(Local1));
    auto resolver = std::make_shared<FakeResolver>();
    resolver->setAnswers(u"two.test"_s, {{Local2, Local1}}); // nothing listens on 127.0.0.2
    Fetcher fetcher;
    fetcher.setResolver(resolver);
    fetcher.setTargetPolicy(std::make_shared<TargetPolicy>());

    const QString node = u"two.test:%1"_s.arg(a.port());
    const Outcome ok = fetchOne(fetcher, node, quickOptions());
    QCOMPARE(ok.outcome, OutcomeKind::Ok);
    QCOMPARE(ok.attempts, 1);
    QCOMPARE(hostSeen(a), node.toLatin1());

    // Not when any address is denied: nothing is tried then.
    fetcher.setTargetPolicy(denying({u"127.0.0.1/32"_s}));
    a.clearRequests();
    const Outcome denied = fetchOne(fetcher, node, quickOptions());
    QCOMPARE(denied.outcome, OutcomeKind::Denied);
    QCOMPARE(a.requestCount(), 0);
}

// An IPv6 answer goes into the request URL as a literal; Host still says the name.
void TestPinning::ipv6Answer()
{
    FakeNode a;
    if (!a.start(QHostAddress(QHostAddress::LocalHostIPv6))) {
        QSKIP("no IPv6 loopback here");
    }
    auto resolver = std::make_shared<FakeResolver>();
    resolver->setAnswers(u"six.test"_s, {{QHostAddress(QHostAddress::LocalHostIPv6)}});
    Fetcher fetcher;
    fetcher.setResolver(resolver);
    fetcher.setTargetPolicy(std::make_shared<TargetPolicy>());

    const QString node = u"six.test:%1"_s.arg(a.port());
    const Outcome outcome = fetchOne(fetcher, node, quickOptions());
    QCOMPARE(outcome.outcome, OutcomeKind::Ok);
    QCOMPARE(hostSeen(a), node.toLatin1());
}

// https to a name: the connection goes to the checked address and the certificate is verified
// against the name (SNI and host name check), not the address. TestCa's usual server
// certificate names only IP 127.0.0.1, so it must fail for flip.test.
void TestPinning::tlsVerifiedAgainstName_data()
{
    QTest::addColumn<bool>("certificateNamesHost");
    QTest::newRow("certificate for flip.test") << true;
    QTest::newRow("certificate for 127.0.0.1 only") << false;
}

void TestPinning::tlsVerifiedAgainstName()
{
    QFETCH(bool, certificateNamesHost);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Result<Test::TestCa> ca = Test::TestCa::create(dir.path());
    QVERIFY2(ca, ca ? "" : qPrintable(ca.error().message));
    QSslConfiguration server = ca->serverConfiguration();
    if (certificateNamesHost) {
        const Result<QSslConfiguration> named = certificateFor(dir.path(), u"flip.test"_s);
        QVERIFY2(named, named ? "" : qPrintable(named.error().message));
        server = *named;
    }
    FakeNode a;
    a.setTlsConfiguration(server);
    QVERIFY(a.start(Local1));
    auto resolver = std::make_shared<FakeResolver>();
    resolver->setAnswers(u"flip.test"_s, {{Local1}});
    Fetcher fetcher;
    fetcher.setResolver(resolver);
    FetchOptions options = quickOptions();
    QVERIFY(options.loadCaFile(ca->caFile(), FileAccess::unrestricted()));

    const QString node = u"https://flip.test:%1"_s.arg(a.port());
    const Outcome outcome = fetchOne(fetcher, node, options);
    if (certificateNamesHost) {
        QCOMPARE(outcome.outcome, OutcomeKind::Ok);
        QCOMPARE(a.requestCount(), 1);
        QCOMPARE(hostSeen(a), u"flip.test:%1"_s.arg(a.port()).toLatin1());
    } else {
        QCOMPARE(outcome.outcome, OutcomeKind::Tls);
        QCOMPARE(a.requestCount(), 0);
    }
    QCOMPARE(outcome.node, node);
}

QTEST_GUILESS_MAIN(TestPinning)
#include "tst_pinning.moc"
