// Credentials per group of nodes by label (core/fetch/authrules.h, issue #21 item 9): parsing,
// first match wins, files read through the allowed dirs, secrets never in JSON, and 1,000 real
// loopback nodes under 5 credentials, each receiving exactly its own.
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

#include "core/engine/huntengine.h"
#include "core/fetch/authrules.h"
#include "core/watch/scheduler.h"
#include "tests/common/fakenode.h"
#include "tests/common/manualclock.h"
#include "tests/common/stackfixture.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using namespace Artemis::Test;

class TestAuthRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void firstMatchWins();
    void resolveReadsAllowedFilesOnly();
    void jsonKeepsPathsOnly();
    void thousandNodesFiveCredentials();
    void roundsReadTheFilesAgain();

private:
    QTemporaryDir m_dir;
    QString write(const QString &name, const QByteArray &text);
};

QString TestAuthRules::write(const QString &name, const QByteArray &text)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size()) {
        qFatal("cannot write %s", qPrintable(path));
    }
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    return path;
}

void TestAuthRules::parse_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // empty: valid
    QTest::newRow("basic and bearer")
        << QByteArray(R"([{"match": {"dc": "fra1"}, "basicAuth": {"user": "svc", "passwordFile":
           "/p"}}, {"match": {}, "bearerTokenFile": "/t"}])")
        << QString();
    QTest::newRow("no match means all")
        << QByteArray(R"([{"bearerTokenFile": "/t"}])") << QString();
    QTest::newRow("not an array") << QByteArray(R"({"bearerTokenFile": "/t"})")
                                  << u"'auth' must be an array"_s;
    QTest::newRow("both kinds") << QByteArray(R"([{"bearerTokenFile": "/t", "basicAuth":
                                    {"user": "u", "passwordFile": "/p"}}])")
                                << u"auth[0]: give either"_s;
    QTest::newRow("neither kind") << QByteArray(R"([{"match": {}}])") << u"auth[0]: give either"_s;
    QTest::newRow("inline password refused")
        << QByteArray(R"([{"basicAuth": {"user": "u", "password": "hunter2"}}])")
        << u"auth[0]: 'basicAuth' must be"_s;
    QTest::newRow("resolved value from the API refused")
        << QByteArray(R"([{"bearerTokenFile": "/t", "authorization": "Bearer x"}])")
        << u"auth[0]: unknown field 'authorization'"_s;
    QTest::newRow("user with colon")
        << QByteArray(R"([{"basicAuth": {"user": "a:b", "passwordFile": "/p"}}])")
        << u"auth[0]: the user name"_s;
    QTest::newRow("bad match") << QByteArray(R"([{"match": {"dc": 1}, "bearerTokenFile": "/t"}])")
                               << u"auth[0]: match:"_s;
}

void TestAuthRules::parse()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const QJsonValue value = QJsonDocument::fromJson("{\"auth\": " + json + "}")[u"auth"_s];
    QVERIFY(!value.isUndefined());
    const Result<AuthRules> rules = authRulesFromJson(value, false);
    if (error.isEmpty()) {
        QVERIFY2_OK(rules);
        // The JSON form reads back the same.
        const Result<AuthRules> again = authRulesFromJson(authRulesToJson(*rules, false), false);
        QVERIFY2_OK(again);
        QCOMPARE(*again, *rules);
    } else {
        QVERIFY(!rules);
        QVERIFY2(rules.error().message.contains(error), qPrintable(rules.error().message));
    }
}

void TestAuthRules::firstMatchWins()
{
    AuthRules rules(3);
    rules[0].match = {{u"dc"_s, u"fra1"_s}, {u"role"_s, u"db"_s}};
    rules[0].authorization = "A";
    rules[1].match = {{u"dc"_s, u"fra1"_s}};
    rules[1].authorization = "B";
    rules[2].authorization = "C"; // match {}: every node
    QCOMPARE(authorizationFor(rules, {{u"dc"_s, u"fra1"_s}, {u"role"_s, u"db"_s}}), "A");
    QCOMPARE(authorizationFor(rules, {{u"dc"_s, u"fra1"_s}, {u"role"_s, u"web"_s}}), "B");
    QCOMPARE(authorizationFor(rules, {{u"dc"_s, u"ams1"_s}}), "C");
    QCOMPARE(authorizationFor(rules, {}), "C");
    rules.removeLast();
    QVERIFY(authorizationFor(rules, {{u"dc"_s, u"ams1"_s}}).isEmpty());
}

void TestAuthRules::resolveReadsAllowedFilesOnly()
{
    const QString password = write(u"fra1.pass"_s, "pw-fra1\n");
    const QString token = write(u"default.token"_s, "tok-default\r\n");
    AuthRules rules(2);
    rules[0].user = u"svc"_s;
    rules[0].passwordFile = password;
    rules[1].bearerTokenFile = token;

    const Result<FileAccess> allowed = FileAccess::allowing({m_dir.path()});
    QVERIFY2_OK(allowed);
    QVERIFY2_OK(resolveAuthRules(rules, *allowed));
    // Trailing newline trimmed, as Prometheus does.
    QCOMPARE(rules[0].authorization, "Basic " + QByteArray("svc:pw-fra1").toBase64());
    QCOMPARE(rules[1].authorization, "Bearer tok-default");

    const Result<void> none = resolveAuthRules(rules, FileAccess::none());
    QVERIFY(!none);
    QCOMPARE(none.error().code, ErrorCode::Forbidden);
    QVERIFY2(none.error().message.contains(u"--allow-files"_s), qPrintable(none.error().message));

    QTemporaryDir other;
    const Result<FileAccess> elsewhere = FileAccess::allowing({other.path()});
    QVERIFY2_OK(elsewhere);
    const Result<void> outside = resolveAuthRules(rules, *elsewhere);
    QVERIFY(!outside);
    QCOMPARE(outside.error().code, ErrorCode::Forbidden);
    QVERIFY(outside.error().message.contains(password));
    QVERIFY(!outside.error().message.contains(u"pw-fra1"_s));

    // A file of two lines is refused, and the error does not quote it.
    rules[0].passwordFile = write(u"two.pass"_s, "line-one-secret\nline-two\n");
    const Result<void> twoLines = resolveAuthRules(rules, *allowed);
    QVERIFY(!twoLines);
    QVERIFY(!twoLines.error().message.contains(u"secret"_s));
}

void TestAuthRules::jsonKeepsPathsOnly()
{
    const QString token = write(u"json.token"_s, "tok-never-in-json");
    FetchOptions options;
    options.auth.append(AuthRule{});
    options.auth[0].match = {{u"dc"_s, u"fra1"_s}};
    options.auth[0].bearerTokenFile = token;
    QVERIFY2_OK(resolveAuthRules(options.auth, FileAccess::unrestricted()));

    const QByteArray manifest = QJsonDocument(options.toJson()).toJson();
    QVERIFY(manifest.contains(token.toUtf8()));
    QVERIFY(!manifest.contains("tok-never-in-json"));
    // The stored form reads back with the paths and no secret.
    const Result<FetchOptions> stored = FetchOptions::fromJson(options.toJson());
    QVERIFY2_OK(stored);
    QCOMPARE(stored->auth.size(), 1);
    QCOMPARE(stored->auth[0].bearerTokenFile, token);
    QVERIFY(stored->auth[0].authorization.isEmpty());

    // The wire form (sealed by core/broker/wire.cpp) carries it, and only it reads it back.
    const QJsonObject wire = options.toWireJson();
    const Result<FetchOptions> worker = FetchOptions::fromWireJson(wire);
    QVERIFY2_OK(worker);
    QCOMPARE(worker->auth[0].authorization, "Bearer tok-never-in-json");
    QVERIFY(!FetchOptions::fromJson(wire));
}

void TestAuthRules::thousandNodesFiveCredentials()
{
    constexpr int Nodes = 1000;
    constexpr int Groups = 5;
    // Four groups by data centre (two Basic, two Bearer), the fifth by the catch-all rule.
    const QByteArray secrets[Groups] = {"pw-zero", "tok-one", "pw-two", "tok-three", "tok-all"};
    AuthRules rules;
    QByteArray expected[Groups];
    for (int g = 0; g < Groups; ++g) {
        AuthRule rule;
        if (g < Groups - 1) {
            rule.match = {{u"dc"_s, u"dc%1"_s.arg(g)}};
        }
        const QString file = write(u"group%1.secret"_s.arg(g), secrets[g] + '\n');
        if (g % 2 == 0 && g < Groups - 1) {
            rule.user = u"user%1"_s.arg(g);
            rule.passwordFile = file;
            expected[g] = "Basic " + QByteArray(rule.user.toUtf8() + ':' + secrets[g]).toBase64();
        } else {
            rule.bearerTokenFile = file;
            expected[g] = "Bearer " + secrets[g];
        }
        rules.append(rule);
    }

    std::vector<std::unique_ptr<FakeNode>> fakes;
    HuntRequest request;
    request.url = u"metric"_s;
    request.options.attempts = 1;
    request.options.auth = rules;
    for (int i = 0; i < Nodes; ++i) {
        fakes.push_back(std::make_unique<FakeNode>());
        QVERIFY(fakes.back()->start());
        request.nodes.append(fakes.back()->node());
        request.labels.append({{u"dc"_s, u"dc%1"_s.arg(i % Groups)}, {u"i"_s, QString::number(i)}});
    }

    StackFixture fixture;
    StackOptions options;
    options.scheduler.reset();
    const Result<FileAccess> allowed = FileAccess::allowing({m_dir.path()});
    QVERIFY2_OK(allowed);
    options.engine.files = *allowed;
    QVERIFY2_OK(fixture.open(options));
    QSignalSpy finished(fixture.engine(), &HuntEngine::huntFinished);
    const Result<HuntInfo> submitted = fixture.engine()->submit(request);
    QVERIFY2_OK(submitted);
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().value<HuntInfo>().counts.count(OutcomeKind::Ok), Nodes);

    for (int i = 0; i < Nodes; ++i) {
        const QList<QHash<QByteArray, QByteArray>> seen = fakes[size_t(i)]->requestHeaders();
        QCOMPARE(seen.size(), 1);
        QCOMPARE(seen.first().value("authorization"), expected[i % Groups]);
    }

    // Nothing on disk (hunt.json, results) holds a secret: the files' paths only.
    QDirIterator it(fixture.dataDir(), QDir::Files, QDirIterator::Subdirectories);
    int files = 0;
    while (it.hasNext()) {
        QFile file(it.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        for (int g = 0; g < Groups; ++g) {
            QVERIFY2(!text.contains(secrets[g]) && !text.contains(expected[g]),
                     qPrintable(file.fileName()));
        }
        ++files;
    }
    QVERIFY(files > 0);
}

// A schedule's rounds read the files when each starts: a token rotated between rounds is sent
// from the next round on, and neither schedule.json nor hunt.json ever holds one.
void TestAuthRules::roundsReadTheFilesAgain()
{
    const QString token = write(u"rotating.token"_s, "tok-round-one\n");
    auto clock = std::make_shared<ManualClock>();
    StackFixture fixture;
    StackOptions options;
    options.scheduler->minEveryMs = 100;
    options.scheduler->clock = clock;
    const Result<FileAccess> allowed = FileAccess::allowing({m_dir.path()});
    QVERIFY2_OK(allowed);
    options.engine.files = *allowed;
    QVERIFY2_OK(fixture.open(options));
    FakeNode node;
    QVERIFY(node.start());

    ScheduleSpec spec;
    spec.nodes = {node.node()};
    spec.labels = {{{u"dc"_s, u"fra1"_s}}};
    spec.url = u"metric"_s;
    spec.everyMs = 1000;
    spec.spreadMs = 0;
    spec.origin = u"api"_s;
    spec.options.attempts = 1;
    spec.options.auth.append(AuthRule{});
    spec.options.auth[0].match = {{u"dc"_s, u"fra1"_s}};
    spec.options.auth[0].bearerTokenFile = token;
    QSignalSpy finished(fixture.engine(), &HuntEngine::huntFinished);
    QVERIFY2_OK(fixture.scheduler()->create(spec));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
    QCOMPARE(node.requestHeaders().last().value("authorization"), "Bearer tok-round-one");

    write(u"rotating.token"_s, "tok-round-two\n");
    clock->advance(spec.everyMs);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 10000);
    QCOMPARE(node.requestHeaders().last().value("authorization"), "Bearer tok-round-two");

    QDirIterator it(fixture.dataDir(), QDir::Files, QDirIterator::Subdirectories);
    bool sawSchedule = false;
    while (it.hasNext()) {
        QFile file(it.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY2(!text.contains("tok-round"), qPrintable(file.fileName()));
        sawSchedule = sawSchedule || file.fileName().endsWith(u"schedule.json"_s);
    }
    QVERIFY(sawSchedule);
}

QTEST_GUILESS_MAIN(TestAuthRules)
#include "tst_authrules.moc"
