#pragma once

#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

#include "core/base/result.h"

namespace Artemis {

// What --tls-cert/--tls-key of `serve` name: the server certificate first, then any
// intermediates from the same file, and the certificate's private key.
struct TlsFiles
{
    QList<QSslCertificate> chain;
    QSslKey key;
};

// Reads and checks --tls-cert/--tls-key: a PEM chain, a PEM key (RSA or EC, not encrypted) and
// the key being the certificate's. Errors name the option and the file.
Result<TlsFiles> readTlsFiles(const QString &certPath, const QString &keyPath);

} // namespace Artemis
