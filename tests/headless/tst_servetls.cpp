// `artemis-headless serve --tls-cert/--tls-key` (issue #13 item 4): the real binary serves HTTPS
// only, curl --cacert and RemoteBackend with the CA connect, bad files exit 2 naming them, and a
// token over plain HTTP on a non-loopback address is warned about.
#include <QtTest>

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "core/base/datadirlock.h"
#include "gui/remotebackend.h"
#include "tests/common/childprocess.h"
#include "tests/common/testca.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

constexpr int StartTimeoutMs = 15000;

// One `artemis-headless serve ARGS...` child (ServeProcess knows only http:// start lines).
struct Serve
{
    std::unique_ptr<QProcess> process = std::make_unique<QProcess>();
    QByteArray err;
    QString scheme;
    quint16 port = 0;

    QByteArray stderrText()
    {
        err += process->readAllStandardError();
        return err;
    }
    // Starts and waits for the start line (port set) or the exit (port 0).
    void start(const QStringList &args, const QProcessEnvironment &environment)
    {
        Test::killWithParent(*process);
        process->setProcessEnvironment(environment);
        process->start(QStringLiteral(ARTEMIS_HEADLESS_BIN), QStringList{u"serve"_s} + args);
        if (!process->waitForStarted(StartTimeoutMs)) {
            return;
        }
        static const QRegularExpression line(u"listening on (https?)://[^ ]*:(\\d+),"_s);
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < StartTimeoutMs && process->state() == QProcess::Running) {
            const QRegularExpressionMatch match = line.match(QString::fromUtf8(stderrText()));
            if (match.hasMatch()) {
                scheme = match.captured(1);
                port = quint16(match.captured(2).toUInt());
                // Warnings come right after the start line, in the same flush.
                QTest::qWait(0);
                stderrText();
                return;
            }
            QSignalSpy ready(process.get(), &QProcess::readyReadStandardError);
            ready.wait(200);
        }
        stderrText();
    }
    // Waits for the exit; the exit code, or -1.
    int exitCode()
    {
        if (process->state() != QProcess::NotRunning && !process->waitForFinished(StartTimeoutMs)) {
            return -1;
        }
        stderrText();
        return process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
    }
    ~Serve()
    {
        if (process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished(10000);
        }
    }
};

} // namespace

class TestServeTls : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void curlWithCaGetsHttpsAnswers();
    void plainHttpGetsNoApiAnswer();
    void remoteBackendNeedsTheCa();
    void badFilesExit2NamingThem_data();
    void badFilesExit2NamingThem();
    void tokenInClearIsWarned();

private:
    // curl ARGS -s -o /dev/null -w %{http_code}: the status ("000": no HTTP answer).
    QByteArray curl(const QStringList &args);
    QStringList tlsArgs() const;
    QStringList dataDirArgs() const { return {u"--data-dir"_s, m_data->path()}; }

    std::unique_ptr<QTemporaryDir> m_caDir;
    std::optional<Test::TestCa> m_ca;
    std::unique_ptr<QTemporaryDir> m_data;
    QProcessEnvironment m_environment;
};

void TestServeTls::initTestCase()
{
    QVERIFY2(!QStandardPaths::findExecutable(u"curl"_s).isEmpty(),
             "curl is installed by scripts/deps.sh test");
    m_caDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_caDir->isValid());
    Result<Test::TestCa> ca = Test::TestCa::create(m_caDir->path());
    QVERIFY2(ca, ca ? "" : qPrintable(ca.error().message));
    m_ca = *ca;
    m_environment = QProcessEnvironment::systemEnvironment();
    m_environment.remove(u"ARTEMIS_TOKEN"_s);
    m_environment.remove(u"ARTEMIS_DATA_DIR"_s);
}

void TestServeTls::init()
{
    m_data = std::make_unique<QTemporaryDir>();
    QVERIFY(m_data->isValid());
}

QStringList TestServeTls::tlsArgs() const
{
    return {u"--tls-cert"_s, m_ca->serverCertFile(), u"--tls-key"_s, m_ca->serverKeyFile()};
}

QByteArray TestServeTls::curl(const QStringList &args)
{
    QProcess process;
    process.start(QStandardPaths::findExecutable(u"curl"_s),
                  QStringList{u"-s"_s, u"-o"_s, u"/dev/null"_s, u"-w"_s, u"%{http_code}"_s,
                              u"--max-time"_s, u"10"_s, u"--noproxy"_s, u"*"_s}
                      + args);
    if (!process.waitForStarted() || !process.waitForFinished(20000)) {
        return "curl did not run";
    }
    return process.readAllStandardOutput();
}

void TestServeTls::curlWithCaGetsHttpsAnswers()
{
    Serve serve;
    serve.start(QStringList{u"--listen"_s, u"127.0.0.1:0"_s} + dataDirArgs() + tlsArgs(),
                m_environment);
    QVERIFY2(serve.port != 0, serve.err.constData());
    QCOMPARE(serve.scheme, u"https"_s);
    const QString base = u"https://127.0.0.1:%1"_s.arg(serve.port);
    QCOMPARE(curl({u"--cacert"_s, m_ca->caFile(), base + u"/healthz"_s}), "200"_ba);
    // The seed's form call, as its README's curl line sends it.
    QCOMPARE(curl({u"--cacert"_s, m_ca->caFile(), u"-d"_s, u"node=127.0.0.1:1&url=metric"_s,
                   base + u"/fetch"_s}),
             "202"_ba);
    // A browser-like own origin is https:// now (headless/rest/requestguard.cpp).
    QCOMPARE(curl({u"--cacert"_s, m_ca->caFile(), u"-H"_s, u"Origin: "_s + base, u"-d"_s,
                   u"node=127.0.0.1:1&url=metric"_s, base + u"/fetch"_s}),
             "202"_ba);
    // Without the CA curl does not trust the certificate: no HTTP answer.
    QCOMPARE(curl({base + u"/healthz"_s}), "000"_ba);
    // Other processes that find the data dir taken are pointed at the https:// URL.
    const std::optional<DataDirHolder> holder = DataDirLock::holder(m_data->path());
    QVERIFY(holder);
    QCOMPARE(holder->serviceUrl, base);
}

void TestServeTls::plainHttpGetsNoApiAnswer()
{
    Serve serve;
    serve.start(QStringList{u"--listen"_s, u"127.0.0.1:0"_s} + dataDirArgs() + tlsArgs(),
                m_environment);
    QVERIFY2(serve.port != 0, serve.err.constData());
    const QString plain = u"http://127.0.0.1:%1"_s.arg(serve.port);
    QCOMPARE(curl({plain + u"/healthz"_s}), "000"_ba);
    QCOMPARE(curl({u"-d"_s, u"node=127.0.0.1:1&url=metric"_s, plain + u"/fetch"_s}), "000"_ba);
    // The server is still fine afterwards.
    QCOMPARE(
        curl({u"--cacert"_s, m_ca->caFile(), u"https://127.0.0.1:%1/healthz"_s.arg(serve.port)}),
        "200"_ba);
}

void TestServeTls::remoteBackendNeedsTheCa()
{
    Serve serve;
    serve.start(QStringList{u"--listen"_s, u"127.0.0.1:0"_s} + dataDirArgs() + tlsArgs(),
                m_environment);
    QVERIFY2(serve.port != 0, serve.err.constData());
    Gui::RemoteBackend remote;
    remote.setServer(QUrl(u"https://127.0.0.1:%1"_s.arg(serve.port)), QString());
    QSignalSpy problems(&remote, &Gui::HuntBackend::problemChanged);

    std::optional<Result<bool>> answer;
    remote.checkConnection(this, [&answer](Result<bool> ok) { answer = std::move(ok); });
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 15000);
    QVERIFY(!*answer);
    QVERIFY2(answer->error().message.contains(u"TLS"_s), qPrintable(answer->error().message));
    QVERIFY(answer->error().message.contains(u"CA file"_s));
    QVERIFY(!problems.isEmpty());

    QVERIFY(remote.setCaFile(m_ca->caFile()));
    answer.reset();
    remote.checkConnection(this, [&answer](Result<bool> ok) { answer = std::move(ok); });
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 15000);
    QVERIFY2(*answer, *answer ? "" : qPrintable(answer->error().message));

    // A bad CA file is the connection problem, naming the file.
    const QString missing = m_data->filePath(u"no-such-ca.pem"_s);
    const Result<void> bad = remote.setCaFile(missing);
    QVERIFY(!bad);
    QVERIFY(bad.error().message.contains(missing));
    QCOMPARE(problems.last().first().toString(), bad.error().message);
    answer.reset();
    remote.checkConnection(this, [&answer](Result<bool> ok) { answer = std::move(ok); });
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 15000);
    QVERIFY(!*answer);
    QVERIFY(answer->error().message.contains(missing));

    // A file without certificates too; a good one afterwards connects again.
    const QString notPem = m_data->filePath(u"token.txt"_s);
    QFile file(notPem);
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write("hello\n") > 0);
    file.close();
    QVERIFY(!remote.setCaFile(notPem));
    QVERIFY(remote.setCaFile(m_ca->caFile()));
    answer.reset();
    remote.checkConnection(this, [&answer](Result<bool> ok) { answer = std::move(ok); });
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 15000);
    QVERIFY(*answer);
}

void TestServeTls::badFilesExit2NamingThem_data()
{
    QTest::addColumn<QString>("which"); // what to break
    QTest::addColumn<QString>("named"); // in stderr ("CERT"/"KEY": that file's path)
    QTest::newRow("missing key file") << u"missing key"_s << u"KEY"_s;
    QTest::newRow("missing cert file") << u"missing cert"_s << u"CERT"_s;
    QTest::newRow("cert is not PEM") << u"garbage cert"_s << u"CERT"_s;
    QTest::newRow("key is not PEM") << u"garbage key"_s << u"KEY"_s;
    QTest::newRow("key of another cert") << u"other key"_s << u"KEY"_s;
    QTest::newRow("cert without key") << u"only cert"_s << u"--tls-key"_s;
    QTest::newRow("key without cert") << u"only key"_s << u"--tls-cert"_s;
}

void TestServeTls::badFilesExit2NamingThem()
{
    QFETCH(QString, which);
    QFETCH(QString, named);
    QString cert = m_ca->serverCertFile();
    QString key = m_ca->serverKeyFile();
    const QString garbage = m_data->filePath(u"garbage.pem"_s);
    QFile file(garbage);
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write("not a certificate\n") > 0);
    file.close();
    QTemporaryDir otherDir;
    QStringList args{u"--listen"_s, u"127.0.0.1:0"_s};
    args += dataDirArgs();
    if (which == u"missing key"_s) {
        key = m_data->filePath(u"missing.key"_s);
    } else if (which == u"missing cert"_s) {
        cert = m_data->filePath(u"missing.pem"_s);
    } else if (which == u"garbage cert"_s) {
        cert = garbage;
    } else if (which == u"garbage key"_s) {
        key = garbage;
    } else if (which == u"other key"_s) {
        const Result<Test::TestCa> other = Test::TestCa::create(otherDir.path());
        QVERIFY2(other, other ? "" : qPrintable(other.error().message));
        key = other->serverKeyFile();
    }
    if (which != u"only key"_s) {
        args += {u"--tls-cert"_s, cert};
    }
    if (which != u"only cert"_s) {
        args += {u"--tls-key"_s, key};
    }
    Serve serve;
    serve.start(args, m_environment);
    QCOMPARE(serve.port, quint16(0));
    QCOMPARE(serve.exitCode(), 2);
    const QString expected = named == u"KEY"_s ? key : named == u"CERT"_s ? cert : named;
    QVERIFY2(QString::fromUtf8(serve.err).contains(expected), serve.err.constData());
}

void TestServeTls::tokenInClearIsWarned()
{
    QProcessEnvironment environment = m_environment;
    environment.insert(u"ARTEMIS_TOKEN"_s, u"tok-13"_s);
    {
        Serve serve;
        serve.start(QStringList{u"--listen"_s, u"0.0.0.0:0"_s} + dataDirArgs(), environment);
        QVERIFY2(serve.port != 0, serve.err.constData());
        QCOMPARE(serve.scheme, u"http"_s);
        QTRY_VERIFY_WITH_TIMEOUT(serve.stderrText().contains("clear text"), 5000);
        const QList<QByteArray> lines = serve.err.split('\n');
        const auto warnings = std::count_if(lines.cbegin(), lines.cend(), [](const QByteArray &l) {
            return l.contains("clear text");
        });
        QCOMPARE(warnings, 1);
    }
    // With TLS, or on loopback, or without a token: no warning.
    const QList<QStringList> quiet{
        QStringList{u"--listen"_s, u"0.0.0.0:0"_s} + tlsArgs(),
        QStringList{u"--listen"_s, u"127.0.0.1:0"_s},
    };
    for (const QStringList &args : quiet) {
        init();
        Serve serve;
        serve.start(args + dataDirArgs(), environment);
        QVERIFY2(serve.port != 0, serve.err.constData());
        // The warning would come in the same flush as the start line.
        QVERIFY2(!serve.stderrText().contains("clear text"), serve.err.constData());
    }
}

QTEST_GUILESS_MAIN(TestServeTls)
#include "tst_servetls.moc"
