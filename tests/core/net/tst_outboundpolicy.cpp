// One outbound policy for every request the service makes (issue #21 item 2): node fetches,
// http_sd reads (NodeSourceReader), webhooks and Alertmanager pushes (AlertSink) all resolve the
// name, check every address and connect only to a checked one. A listener on a denied loopback
// address (real FakeNodes on 127.0.0.x) receives zero connections, whatever name (a FakeResolver
// answer) points at it; a name with one denied address of two is refused whole.

#include <QElapsedTimer>
#include <QJsonObject>
#include <QTest>

#include "core/fetch/fetcher.h"
#include "core/inventory/nodesource.h"
#include "core/net/target.h"
#include "core/net/targetpolicy.h"
#include "core/watch/alertsink.h"
#include "tests/common/fakenode.h"
#include "tests/common/fakeresolver.h"
#include "tests/common/wait.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::FakeNode;
using Artemis::Test::FakeResolver;

namespace {

const QHostAddress Sink1(u"127.0.0.7"_s);
const QHostAddress Sink2(u"127.0.0.8"_s);
constexpr int TimeoutMs = 3000;

enum class Channel { NodeFetch, HttpSd, Webhook, Alertmanager };

// What one request through `channel` ended with: empty when it succeeded.
struct Ended
{
    bool answered = false; // the request finished (refused or not)
    QString error;
};

TargetPolicyPtr policyOf(const QStringList &allow, const QStringList &deny)
{
    auto policy = std::make_shared<TargetPolicy>();
    for (const QString &rule : allow) {
        [[maybe_unused]] const Result<void> added = policy->allow(rule);
        Q_ASSERT(added);
    }
    for (const QString &rule : deny) {
        [[maybe_unused]] const Result<void> added = policy->deny(rule);
        Q_ASSERT(added);
    }
    return policy;
}

RoundAlerts oneAlert()
{
    NodeAlert alert;
    alert.condition = u"up"_s;
    alert.node = u"10.0.0.1:9100"_s;
    alert.phase = AlertPhase::Firing;
    alert.failingRounds = 2;
    RoundAlerts round;
    round.schedule = u"s1"_s;
    round.round = 3;
    round.at = QDateTime::currentDateTimeUtc();
    round.firing = {alert};
    return round;
}

// Sends one request to http://HOST:PORT through `channel` under `policy`, names resolved by
// `resolver`, and waits for its end.
Ended request(Channel channel, const QString &host, quint16 port, const TargetPolicyPtr &policy,
              const ResolverPtr &resolver, int timeoutMs = TimeoutMs)
{
    Ended ended;
    const QString base = u"http://%1:%2"_s.arg(host).arg(port);
    QObject context;
    switch (channel) {
    case Channel::NodeFetch: {
        Fetcher fetcher;
        fetcher.setTargetPolicy(policy);
        fetcher.setResolver(resolver);
        QObject::connect(&fetcher, &Fetcher::outcomesReady, &context,
                         [&ended](quint64, const QList<Outcome> &outcomes) {
                             ended.answered = true;
                             const Outcome &o = outcomes.first();
                             ended.error = o.outcome == OutcomeKind::Ok ? QString() : o.error;
                         });
        FetchOptions options;
        options.timeoutMs = timeoutMs;
        options.attempts = 1;
        const Result<Target> target = parseTarget(u"%1:%2"_s.arg(host).arg(port), u"/metric"_s);
        Q_ASSERT(target);
        fetcher.beginHunt(1, options);
        fetcher.fetch(1, {*target});
        Test::waitUntil([&ended] { return ended.answered; }, 2 * timeoutMs);
        fetcher.endHunt(1);
        break;
    }
    case Channel::HttpSd: {
        NodeSourceReader reader({timeoutMs, 1000, policy, resolver});
        const Result<NodeSource> source =
            NodeSource::fromJson(QJsonObject{{u"http"_s, QString(base + u"/sd"_s)}});
        Q_ASSERT(source);
        reader.read(*source, &context, [&ended](Result<NodeFile> read) {
            ended.answered = true;
            ended.error = read ? QString() : read.error().message;
        });
        Test::waitUntil([&ended] { return ended.answered; }, 2 * timeoutMs);
        break;
    }
    case Channel::Webhook:
    case Channel::Alertmanager: {
        const bool hook = channel == Channel::Webhook;
        AlertSink sink(AlertSinkConfig{hook ? QUrl() : QUrl(base), QString(), timeoutMs}, policy,
                       resolver);
        QObject::connect(&sink, &AlertSink::posted, &context,
                         [&ended](const QUrl &, int, const QString &error) {
                             ended.answered = true;
                             ended.error = error;
                         });
        sink.deliver(oneAlert(), hook ? base + u"/hook/secret"_s : QString(), 60000);
        Test::waitUntil([&ended] { return ended.answered; }, 2 * timeoutMs);
        break;
    }
    }
    return ended;
}

void addChannelRows(const std::function<void(const char *, Channel)> &add)
{
    add("node fetch", Channel::NodeFetch);
    add("http_sd", Channel::HttpSd);
    add("webhook", Channel::Webhook);
    add("alertmanager", Channel::Alertmanager);
}

// A listener answering each channel's request well: http_sd JSON for GET /sd, 200 otherwise.
bool startSink(FakeNode &node, const QHostAddress &address, quint16 port = 0)
{
    node.setJsonBody(R"([{"targets": ["10.0.0.1:9100"], "labels": {"dc": "a"}}])");
    return node.start(address, port);
}

} // namespace

class TestOutboundPolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void deniedListenerGetsNothing_data();
    void deniedListenerGetsNothing();
    void oneDeniedAddressRefusesTheName_data();
    void oneDeniedAddressRefusesTheName();
    void errorsNeverQuoteTheBody_data();
    void errorsNeverQuoteTheBody();
    void nextCheckedAddressWhenRefused_data();
    void nextCheckedAddressWhenRefused();
    void lookupWithinTheDeadline_data();
    void lookupWithinTheDeadline();
};

// Under each policy, each channel to a name of the denied listener: refused, zero connections.
// The "default policy" rows are the control: the same request, unrefused, reaches the listener
// (the service's default policy still lets a loopback webhook or Alertmanager receive alerts).
void TestOutboundPolicy::deniedListenerGetsNothing_data()
{
    QTest::addColumn<int>("channel");
    QTest::addColumn<QStringList>("allow");
    QTest::addColumn<QStringList>("deny");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("reason"); // empty: the request must succeed
    const struct
    {
        const char *name;
        QStringList allow;
        QStringList deny;
        QString host;
        QString reason;
    } policies[] = {
        {"default policy", {}, {}, u"sink.test"_s, QString()},
        {"deny 127/8", {}, {u"127.0.0.0/8"_s}, u"sink.test"_s, u"--deny"_s},
        {"deny loopback", {}, {u"loopback"_s}, u"sink.test"_s, u"--deny"_s},
        {"allow 10/8", {u"10.0.0.0/8"_s}, {}, u"sink.test"_s, u"--allow"_s},
        {"allow private", {u"private"_s}, {}, u"sink.test"_s, u"--allow"_s},
        {"deny 127/8, the name localhost", {}, {u"127.0.0.0/8"_s}, u"localhost"_s, u"--deny"_s},
        {"allow 10/8, the name localhost", {u"10.0.0.0/8"_s}, {}, u"localhost"_s, u"--allow"_s},
    };
    for (const auto &policy : policies) {
        addChannelRows([&](const char *channel, Channel c) {
            QTest::addRow("%s, %s", channel, policy.name)
                << int(c) << policy.allow << policy.deny << policy.host << policy.reason;
        });
    }
}

void TestOutboundPolicy::deniedListenerGetsNothing()
{
    QFETCH(int, channel);
    QFETCH(QStringList, allow);
    QFETCH(QStringList, deny);
    QFETCH(QString, host);
    QFETCH(QString, reason);
    FakeNode sink;
    QVERIFY(startSink(sink, Sink1));
    auto resolver = std::make_shared<FakeResolver>();
    resolver->setAnswers(host, {{Sink1}});

    const Ended ended =
        request(Channel(channel), host, sink.port(), policyOf(allow, deny), resolver);
    QVERIFY(ended.answered);
    if (reason.isEmpty()) {
        QVERIFY2(ended.error.isEmpty(), qPrintable(ended.error));
        QCOMPARE(sink.connectionCount(), 1);
        return;
    }
    QVERIFY2(ended.error.contains(reason) && ended.error.contains(Sink1.toString()),
             qPrintable(ended.error));
    QCOMPARE(sink.connectionCount(), 0);
    QCOMPARE(resolver->lookups(host), 1); // refused on the answer, not before the lookup
}

// A name whose lookup answers one allowed and one denied address is refused whole: neither
// listener sees a connection, though the allowed one comes first.
void TestOutboundPolicy::oneDeniedAddressRefusesTheName_data()
{
    QTest::addColumn<int>("channel");
    addChannelRows([](const char *channel, Channel c) { QTest::newRow(channel) << int(c); });
}

void TestOutboundPolicy::oneDeniedAddressRefusesTheName()
{
    QFETCH(int, channel);
    FakeNode allowed;
    QVERIFY(startSink(allowed, Sink1));
    FakeNode denied;
    QVERIFY(startSink(denied, Sink2, allowed.port()));
    auto resolver = std::make_shared<FakeResolver>();
    resolver->setAnswers(u"mixed.test"_s, {{Sink1, Sink2}});

    const Ended ended = request(Channel(channel), u"mixed.test"_s, allowed.port(),
                                policyOf({}, {Sink2.toString()}), resolver);
    QVERIFY(ended.answered);
    QVERIFY2(ended.error.contains(Sink2.toString()) && ended.error.contains(u"--deny"_s),
             qPrintable(ended.error));
    QCOMPARE(allowed.connectionCount(), 0);
    QCOMPARE(denied.connectionCount(), 0);
}

// An http_sd read or an alert push that fails names the status and the body's size; the
// body's text (what a probed service answered) is never in the error.
void TestOutboundPolicy::errorsNeverQuoteTheBody_data()
{
    QTest::addColumn<int>("channel");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("expected");
    QTest::newRow("http_sd, 500") << int(Channel::HttpSd) << 500 << u"HTTP 500"_s;
    QTest::newRow("http_sd, 200 not JSON") << int(Channel::HttpSd) << 200 << u"not http_sd JSON"_s;
    QTest::newRow("http_sd, 302") << int(Channel::HttpSd) << 302 << u"not followed"_s;
    QTest::newRow("webhook, 500") << int(Channel::Webhook) << 500 << u"HTTP 500"_s;
    QTest::newRow("alertmanager, 400") << int(Channel::Alertmanager) << 400 << u"HTTP 400"_s;
}

void TestOutboundPolicy::errorsNeverQuoteTheBody()
{
    QFETCH(int, channel);
    QFETCH(int, status);
    QFETCH(QString, expected);
    const QByteArray secret = "root:x:0:0:SECRET-BODY-TEXT";
    FakeNode sink;
    sink.setBehaviour(FakeNode::Behaviour::Status);
    sink.setStatus(status, secret, {{"Location", "http://127.0.0.1:1/elsewhere"}});
    QVERIFY(sink.start(Sink1));
    auto resolver = std::make_shared<FakeResolver>();
    resolver->setAnswers(u"sink.test"_s, {{Sink1}});

    const Ended ended = request(Channel(channel), u"sink.test"_s, sink.port(),
                                std::make_shared<TargetPolicy>(), resolver);
    QVERIFY(ended.answered);
    QVERIFY2(ended.error.contains(expected), qPrintable(ended.error));
    QVERIFY2(ended.error.contains(u"%1-byte body"_s.arg(secret.size())), qPrintable(ended.error));
    QVERIFY2(!ended.error.contains(u"SECRET"_s) && !ended.error.contains(u"root:"_s),
             qPrintable(ended.error));
    QCOMPARE(sink.connectionCount(), 1); // allowed: it was asked, once, redirect not followed
}

// As QNAM does with a name it resolves itself: a refused connection moves on to the next
// checked address of the same lookup.
void TestOutboundPolicy::nextCheckedAddressWhenRefused_data()
{
    QTest::addColumn<int>("channel");
    addChannelRows([](const char *channel, Channel c) { QTest::newRow(channel) << int(c); });
}

void TestOutboundPolicy::nextCheckedAddressWhenRefused()
{
    QFETCH(int, channel);
    FakeNode second;
    QVERIFY(startSink(second, Sink2)); // nothing listens on Sink1 at that port
    auto resolver = std::make_shared<FakeResolver>();
    resolver->setAnswers(u"two.test"_s, {{Sink1, Sink2}});

    const Ended ended = request(Channel(channel), u"two.test"_s, second.port(),
                                std::make_shared<TargetPolicy>(), resolver);
    QVERIFY(ended.answered);
    QVERIFY2(ended.error.isEmpty(), qPrintable(ended.error));
    QCOMPARE(second.connectionCount(), 1);
}

// A lookup that never answers ends the request at its deadline, as a timeout.
void TestOutboundPolicy::lookupWithinTheDeadline_data()
{
    QTest::addColumn<int>("channel");
    QTest::newRow("http_sd") << int(Channel::HttpSd);
    QTest::newRow("webhook") << int(Channel::Webhook);
}

void TestOutboundPolicy::lookupWithinTheDeadline()
{
    QFETCH(int, channel);
    auto resolver = std::make_shared<FakeResolver>();
    resolver->setSilent(u"silent.test"_s);
    constexpr int ShortMs = 300;
    QElapsedTimer timer;
    timer.start();
    const Ended ended = request(Channel(channel), u"silent.test"_s, 9,
                                std::make_shared<TargetPolicy>(), resolver, ShortMs);
    QVERIFY(ended.answered);
    QVERIFY2(ended.error.contains(u"timed out after %1 ms"_s.arg(ShortMs)),
             qPrintable(ended.error));
    QVERIFY2(timer.elapsed() >= ShortMs - 20, qPrintable(QString::number(timer.elapsed())));
}

QTEST_GUILESS_MAIN(TestOutboundPolicy)
#include "tst_outboundpolicy.moc"
