// Chaos: the data dir of a running `artemis-headless serve` fills up, or turns read-only, in the
// middle of a hunt. The hunt ends `failed` with an error naming the cause; what was stored before
// stays readable through the API with counts that agree with the file; the service keeps answering
// (/healthz, other hunts, a clear error for new ones; /readyz says 503 and why until there is
// room again).
//
// The data dir is a small tmpfs mounted by the test: that needs root (CI runs as root). As another
// user the test re-runs itself inside `unshare -rm` (a user and mount namespace where it is root)
// when the kernel allows that, else it is skipped saying why.
#include <QtTest>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <sys/mount.h>
#include <unistd.h>

#include "chaoschecks.h"
#include "core/base/huntid.h"
#include "core/store/resultstore.h"
#include "tests/common/serveprocess.h"

using namespace Qt::StringLiterals;
using namespace Artemis;
using Artemis::Test::HttpClient;

namespace {
constexpr int NodeCount = 120;
constexpr int WaitMs = 30000;
constexpr const char *UnsharedEnv = "ARTEMIS_CHAOS_UNSHARED";

// A tmpfs mounted on a temporary directory for one test, unmounted (lazily, so a straggling open
// file cannot keep it) when the object goes, whatever the test's outcome.
class TmpfsMount
{
public:
    TmpfsMount() = default;
    ~TmpfsMount()
    {
        if (m_mounted) {
            ::umount2(QFile::encodeName(m_dir.path()).constData(), MNT_DETACH);
        }
    }
    TmpfsMount(const TmpfsMount &) = delete;
    TmpfsMount &operator=(const TmpfsMount &) = delete;

    // Empty on success, else why not.
    QString mount(const QByteArray &options)
    {
        if (!m_dir.isValid()) {
            return u"no temporary directory"_s;
        }
        if (::mount("artemis-chaos", QFile::encodeName(m_dir.path()).constData(), "tmpfs",
                    MS_NOSUID | MS_NODEV, options.constData())
            != 0) {
            return u"mount -t tmpfs -o %1 %2: %3"_s.arg(
                QString::fromUtf8(options), m_dir.path(),
                QString::fromLocal8Bit(std::strerror(errno)));
        }
        m_mounted = true;
        return {};
    }

    // `mount -o remount,ro`. The kernel refuses (EBUSY) while a file is open for writing; the store
    // opens results.ndjson per batch, so retry until a moment between two batches.
    QString remountReadOnly()
    {
        QElapsedTimer clock;
        clock.start();
        while (::mount(nullptr, QFile::encodeName(m_dir.path()).constData(), nullptr,
                       MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr)
               != 0) {
            if (errno != EBUSY || clock.elapsed() > 10000) {
                return u"remount,ro: %1"_s.arg(QString::fromLocal8Bit(std::strerror(errno)));
            }
            QTest::qWait(1);
        }
        return {};
    }

    // Writes a filler file until the disk says no: nothing more fits.
    void fillUp()
    {
        QFile filler(m_dir.path() + u"/filler"_s);
        if (!filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
            return;
        }
        for (const qsizetype size : {qsizetype(65536), qsizetype(4096), qsizetype(1)}) {
            const QByteArray block(size, 'x');
            while (filler.write(block) == block.size()) {
            }
        }
    }

    QString path() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    bool m_mounted = false;
};
} // namespace

class TestChaosDisk : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void manifestSurvivesFullDisk();
    void diskFillsUpMidHunt();
    void dataDirTurnsReadOnlyMidHunt();

private:
    bool startServe(const QByteArray &mountOptions);
    QString finishedSmallHunt(HttpClient &client);
    void verifyStillServing(HttpClient &client, const QString &earlier, const QString &failed,
                            const QString &cause);

    Test::NodePool m_nodes;
    std::unique_ptr<TmpfsMount> m_mount;
    std::unique_ptr<Test::ServeProcess> m_serve;
};

void TestChaosDisk::initTestCase()
{
    if (::geteuid() != 0) {
        QSKIP("needs root to mount a tmpfs (CI runs as root; `unshare -rm` is not "
              "available "
              "here either)");
    }
    QVERIFY(m_nodes.start(NodeCount));
}

void TestChaosDisk::init()
{
    m_nodes.reset();
}

void TestChaosDisk::cleanup()
{
    if (QTest::currentTestFailed() && m_serve) {
        qWarning("serve stderr:\n%s", m_serve->stderrText().constData());
    }
    m_serve.reset(); // SIGKILL: no process keeps a file open on the mount
    m_mount.reset(); // unmounts
}

bool TestChaosDisk::startServe(const QByteArray &mountOptions)
{
    m_mount = std::make_unique<TmpfsMount>();
    const QString mounted = m_mount->mount(mountOptions);
    if (!mounted.isEmpty()) {
        qWarning("%s", qPrintable(mounted));
        return false;
    }
    m_serve = std::make_unique<Test::ServeProcess>(QStringLiteral(ARTEMIS_HEADLESS_BIN));
    if (m_serve->start({u"--data-dir"_s, m_mount->path()}) == 0) {
        qWarning("serve did not start: %s", m_serve->stderrText().constData());
        return false;
    }
    return true;
}

// A hunt stored before the trouble: it must stay readable.
QString TestChaosDisk::finishedSmallHunt(HttpClient &client)
{
    const QString id = Test::submitHunt(client, m_nodes.names().mid(0, 5));
    if (id.isEmpty()) {
        return {};
    }
    const QJsonObject hunt = Test::pollHunt(client, id, Test::isFinishedState, WaitMs);
    return hunt.value(u"state"_s).toString() == u"done"_s ? id : QString();
}

void TestChaosDisk::verifyStillServing(HttpClient &client, const QString &earlier,
                                       const QString &failed, const QString &cause)
{
    const QJsonObject hunt = client.get(u"/api/v1/hunts/"_s + failed).json();
    QCOMPARE(hunt.value(u"state"_s).toString(), u"failed"_s);
    const QString error = hunt.value(u"error"_s).toString();
    // The cause, and the file it hit.
    QVERIFY2(error.contains(cause) && error.contains(m_mount->path() + u"/hunts/"_s + failed),
             qPrintable(error));
    // What was stored before the failure is all there, and the counts say exactly that.
    Test::verifyApiMatchesFile(client, m_mount->path(), failed);
    if (QTest::currentTestFailed()) {
        return;
    }
    QVERIFY(Test::readResultsFile(m_mount->path(), failed).lines > 0);
    // The earlier hunt is untouched.
    QCOMPARE(client.get(u"/api/v1/hunts/"_s + earlier).json().value(u"state"_s).toString(),
             u"done"_s);
    Test::verifyApiMatchesFile(client, m_mount->path(), earlier);
    if (QTest::currentTestFailed()) {
        return;
    }
    QCOMPARE(Test::readResultsFile(m_mount->path(), earlier).ok, 5);
    // The service keeps answering (alive), and its readiness probe says what is wrong.
    QCOMPARE(client.get(u"/healthz"_s).status, 200);
    const Test::HttpReply ready = client.get(u"/readyz"_s);
    QCOMPARE(ready.status, 503);
    QCOMPARE(ready.json().value(u"status"_s).toString(), u"not ready"_s);
    const QJsonObject storage = ready.json().value(u"storage"_s).toObject();
    QCOMPARE(storage.value(u"writable"_s).toBool(), false);
    QVERIFY2(storage.value(u"error"_s).toString().contains(cause), ready.body.constData());
    const Test::HttpReply listed = client.get(u"/api/v1/hunts"_s);
    QCOMPARE(listed.status, 200);
    QCOMPARE(listed.json().value(u"count"_s).toInt(), 2);
    QCOMPARE(
        listed.json().value(u"hunts"_s).toArray().at(0).toObject().value(u"state"_s).toString(),
        u"failed"_s);
    // A new hunt is refused with the cause, or accepted and then fails with it: never a hang.
    const Test::HttpReply next = Test::postHunt(client, m_nodes.names().mid(0, 3));
    if (next.status == 202) {
        const QJsonObject ended = Test::pollHunt(client, next.json().value(u"hunt"_s).toString(),
                                                 Test::isFinishedState, WaitMs);
        QVERIFY2(ended.value(u"state"_s).toString() == u"failed"_s,
                 QJsonDocument(ended).toJson().constData());
        QVERIFY2(ended.value(u"error"_s).toString().contains(cause),
                 qPrintable(ended.value(u"error"_s).toString()));
    } else {
        QCOMPARE(next.status, 500);
        QVERIFY2(next.body.contains(cause.toUtf8()), next.body.constData());
    }
    QCOMPARE(client.get(u"/healthz"_s).status, 200);
    QCOMPARE(client.get(u"/readyz"_s).status, 503);
}

// The store on its own: replacing a manifest on a full disk fails, naming the cause, and the old
// manifest stays (Qt 6.4's QSaveFile::commit() reports success after a failed final flush and
// leaves an empty file in its place unless written unbuffered).
void TestChaosDisk::manifestSurvivesFullDisk()
{
    TmpfsMount mount;
    const QString mounted = mount.mount("size=64k,mode=0700");
    QVERIFY2(mounted.isEmpty(), qPrintable(mounted));
    ResultStore store(mount.path());
    QVERIFY(store.open());
    HuntInfo info;
    info.id = newHuntId();
    info.url = u"/metric"_s;
    info.total = 1;
    info.createdAt = QDateTime::currentDateTimeUtc();
    QVERIFY(store.createHunt(info, {u"127.0.0.1:1"_s}));

    mount.fillUp();

    info.state = HuntState::Running;
    info.error = QString(2000, u'e'); // a bigger manifest than the one on disk
    const Result<void> saved = store.saveManifest(info);
    QVERIFY(!saved);
    QCOMPARE(saved.error().code, ErrorCode::Io);
    QVERIFY2(saved.error().message.contains(u"No space left on device"_s),
             qPrintable(saved.error().message));
    const Result<HuntInfo> loaded = store.loadManifest(info.id);
    QVERIFY2(loaded, qPrintable(loaded ? QString() : loaded.error().message));
    QCOMPARE(loaded->state, HuntState::Queued);

    const Outcome outcome = Outcome::unanswered(u"127.0.0.1:1"_s, u"http://127.0.0.1:1/metric"_s,
                                                OutcomeKind::Refused, u"refused"_s);
    const Result<void> appended = store.appendResults(info.id, {outcome});
    QVERIFY(!appended);
    QVERIFY2(appended.error().message.contains(u"No space left on device"_s),
             qPrintable(appended.error().message));
    // Nothing half-written is left behind.
    QCOMPARE(store.readResults(info.id, {})->total, 0);
    QCOMPARE(store.readResults(info.id, {})->skippedLines, 0);
}

void TestChaosDisk::diskFillsUpMidHunt()
{
    // 512 KiB of tmpfs; the hunt's 120 answers of 8 KB need about twice that.
    QVERIFY(startServe("size=512k,mode=0700"));
    HttpClient client(m_serve->base());
    const QString earlier = finishedSmallHunt(client);
    QVERIFY(!earlier.isEmpty());

    m_nodes.setSlow(20, Test::paddedJson(8000));
    const QString id =
        Test::submitHunt(client, m_nodes.names(), {{u"concurrency"_s, 8}, {u"attempts"_s, 1}});
    QVERIFY(!id.isEmpty());
    const QJsonObject ended = Test::pollHunt(client, id, Test::isFinishedState, WaitMs);
    QVERIFY2(ended.value(u"state"_s).toString() == u"failed"_s,
             QJsonDocument(ended).toJson().constData());
    QVERIFY(Test::doneOf(ended) < NodeCount);
    // The failed batch was rolled back, which may have freed a few pages: a 3-node hunt could fit
    // again. Take what is left, so the next hunt below meets a disk that is really full.
    m_mount->fillUp();
    verifyStillServing(client, earlier, id, u"No space left on device"_s);
    if (QTest::currentTestFailed()) {
        return;
    }
    // The operator makes room (deletes the failed hunt): ready again, and hunts run.
    QCOMPARE(client.send("DELETE", u"/api/v1/hunts/"_s + id).status, 200);
    QCOMPARE(client.get(u"/readyz"_s).status, 200);
    m_nodes.reset();
    const QString after = Test::submitHunt(client, m_nodes.names().mid(0, 3));
    QVERIFY(!after.isEmpty());
    QCOMPARE(
        Test::pollHunt(client, after, Test::isFinishedState, WaitMs).value(u"state"_s).toString(),
        u"done"_s);
}

void TestChaosDisk::dataDirTurnsReadOnlyMidHunt()
{
    QVERIFY(startServe("size=16m,mode=0700"));
    HttpClient client(m_serve->base());
    const QString earlier = finishedSmallHunt(client);
    QVERIFY(!earlier.isEmpty());

    // 120 nodes, 6 at a time, 50 ms each: about a second of fetching.
    m_nodes.setSlow(50);
    const QString id =
        Test::submitHunt(client, m_nodes.names(), {{u"concurrency"_s, 6}, {u"attempts"_s, 1}});
    QVERIFY(!id.isEmpty());
    const QJsonObject midway = Test::pollHunt(
        client, id, [](const QJsonObject &h) { return Test::doneOf(h) >= 30; }, WaitMs);
    QCOMPARE(midway.value(u"state"_s).toString(), u"running"_s);
    // Readable now, so it must stay readable.
    const int storedBefore =
        client.get(u"/api/v1/hunts/%1/results?limit=1"_s.arg(id)).json().value(u"total"_s).toInt();
    QVERIFY(storedBefore > 0);
    const QString remounted = m_mount->remountReadOnly();
    QVERIFY2(remounted.isEmpty(), qPrintable(remounted));

    const QJsonObject ended = Test::pollHunt(client, id, Test::isFinishedState, WaitMs);
    QVERIFY2(ended.value(u"state"_s).toString() == u"failed"_s,
             QJsonDocument(ended).toJson().constData());
    QVERIFY2(
        Test::doneOf(ended) >= storedBefore,
        qPrintable(u"%1 stored before, %2 after"_s.arg(storedBefore).arg(Test::doneOf(ended))));
    verifyStillServing(client, earlier, id, u"Read-only file system"_s);
}

// QTEST_GUILESS_MAIN, but first, when not root, re-run inside `unshare -rm` if it works.
int main(int argc, char *argv[])
{
    if (::geteuid() != 0 && !qEnvironmentVariableIsSet(UnsharedEnv)
        && std::system("unshare -rm true >/dev/null 2>&1") == 0) {
        qputenv(UnsharedEnv, "1");
        std::vector<char *> args{const_cast<char *>("unshare"), const_cast<char *>("-rm"),
                                 const_cast<char *>("--")};
        args.insert(args.end(), argv, argv + argc);
        args.push_back(nullptr);
        ::execvp("unshare", args.data());
        // exec failed: run as we are (the tests skip, saying why)
    }
    QCoreApplication app(argc, argv);
    TestChaosDisk test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_chaosdisk.moc"
