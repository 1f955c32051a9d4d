#include "tests/common/testca.h"

#include <QFile>
#include <QProcess>
#include <QSslCertificate>
#include <QSslKey>

using namespace Qt::StringLiterals;

namespace Artemis::Test {

namespace {

constexpr int StepTimeoutMs = 20000;

Result<void> openssl(const QString &dir, const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(u"openssl"_s, arguments);
    if (!process.waitForStarted(StepTimeoutMs)) {
        return makeError(ErrorCode::Unavailable,
                         u"cannot run openssl (scripts/deps.sh test installs it): "_s
                             + process.errorString());
    }
    const bool finished = process.waitForFinished(StepTimeoutMs);
    const QString output = QString::fromLocal8Bit(process.readAll());
    if (!finished || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        process.kill();
        return makeError(ErrorCode::Unavailable,
                         u"openssl %1 failed: %2"_s.arg(arguments.join(u' '), output));
    }
    return {};
}

} // namespace

Result<TestCa> TestCa::create(const QString &dir)
{
    const QStringList ecKey = {u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
                               u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s};
    const QList<QStringList> steps = {
        QStringList{u"req"_s, u"-x509"_s} + ecKey
            + QStringList{u"-keyout"_s, u"ca.key"_s, u"-out"_s, u"ca.pem"_s, u"-days"_s, u"2"_s,
                          u"-subj"_s, u"/CN=Artemis Test CA"_s, u"-addext"_s,
                          u"basicConstraints=critical,CA:TRUE"_s, u"-addext"_s,
                          u"keyUsage=critical,keyCertSign,cRLSign"_s},
        QStringList{u"req"_s} + ecKey
            + QStringList{u"-keyout"_s, u"server.key"_s, u"-out"_s, u"server.csr"_s, u"-subj"_s,
                          u"/CN=127.0.0.1"_s},
        QStringList{u"x509"_s, u"-req"_s, u"-in"_s, u"server.csr"_s, u"-CA"_s, u"ca.pem"_s,
                    u"-CAkey"_s, u"ca.key"_s, u"-CAcreateserial"_s, u"-out"_s, u"server.pem"_s,
                    u"-days"_s, u"2"_s, u"-extfile"_s, u"server.ext"_s},
    };
    QFile ext(dir + u"/server.ext"_s);
    if (!ext.open(QIODevice::WriteOnly)
        || ext.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                     "extendedKeyUsage=serverAuth\n")
               < 0) {
        return makeError(ErrorCode::Io, u"cannot write %1"_s.arg(ext.fileName()));
    }
    ext.close();
    for (const QStringList &step : steps) {
        const Result<void> done = openssl(dir, step);
        if (!done) {
            return done.error();
        }
    }
    TestCa ca;
    ca.m_dir = dir;
    return ca;
}

QSslConfiguration TestCa::serverConfiguration() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    const QList<QSslCertificate> certificates =
        QSslCertificate::fromPath(serverCertFile(), QSsl::Pem);
    QFile keyFile(serverKeyFile());
    QSslKey key;
    if (keyFile.open(QIODevice::ReadOnly)) {
        key = QSslKey(keyFile.readAll(), QSsl::Ec, QSsl::Pem);
    }
    configuration.setLocalCertificateChain(certificates + QSslCertificate::fromPath(caFile()));
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // no client certificates
    return configuration;
}

} // namespace Artemis::Test
