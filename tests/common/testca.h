#pragma once

#include <QSslConfiguration>
#include <QString>

#include "core/base/result.h"

namespace Artemis::Test {

// A throwaway certificate authority for HTTPS tests, made at test time with the `openssl` CLI
// (EC P-256: fast) in a directory the test owns, usually a QTemporaryDir:
//   <dir>/ca.pem                  the CA certificate (what a hunt's caFile points at)
//   <dir>/server.pem, server.key  a certificate for IP 127.0.0.1 signed by the CA, and its key
// Valid for two days. Nothing is installed or trusted system-wide.
class TestCa
{
public:
    // Runs openssl (blocking, at most a few seconds per step). The error names the failing step
    // and its output.
    static Result<TestCa> create(const QString &dir);

    QString caFile() const { return m_dir + QStringLiteral("/ca.pem"); }
    QString serverCertFile() const { return m_dir + QStringLiteral("/server.pem"); }
    QString serverKeyFile() const { return m_dir + QStringLiteral("/server.key"); }

    // For FakeNode::setTlsConfiguration: the server certificate, its key and the CA as chain.
    QSslConfiguration serverConfiguration() const;

private:
    QString m_dir;
};

} // namespace Artemis::Test
