#include "headless/cli/tlsfiles.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

Result<QByteArray> readOptionFile(const QString &option, const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(ErrorCode::InvalidArgument,
                         u"cannot read --%1 '%2': %3"_s.arg(option, path, file.errorString()));
    }
    return file.readAll();
}

// One DER element at `pos`: its tag, and its contents as [begin, end). False when malformed.
struct DerElement
{
    quint8 tag = 0;
    qsizetype begin = 0;
    qsizetype end = 0;
};

bool readDer(const QByteArray &der, qsizetype pos, DerElement &element)
{
    if (pos + 2 > der.size()) {
        return false;
    }
    element.tag = quint8(der.at(pos));
    qsizetype length = quint8(der.at(pos + 1));
    pos += 2;
    if (length & 0x80) {
        const int bytes = int(length & 0x7f);
        if (bytes == 0 || bytes > 4 || pos + bytes > der.size()) {
            return false;
        }
        length = 0;
        for (int i = 0; i < bytes; ++i) {
            length = (length << 8) | quint8(der.at(pos++));
        }
    }
    if (pos + length > der.size()) {
        return false;
    }
    element.begin = pos;
    element.end = pos + length;
    return true;
}

// Qt 6.4 cannot derive a public key from a private one, but both private key encodings hold
// the public material verbatim: RSA's modulus and exponent (the contents of the certificate's
// RSAPublicKey) and EC's public point (OpenSSL writes it into every EC private key). So the
// pair matches when the certificate's SubjectPublicKeyInfo key bits occur in the key's DER.
bool keyMatchesCertificate(const QSslKey &key, const QSslCertificate &certificate)
{
    const QSslKey publicKey = certificate.publicKey();
    if (publicKey.isNull() || publicKey.algorithm() != key.algorithm()
        || publicKey.length() != key.length()) {
        return false;
    }
    const QByteArray spki = publicKey.toDer();
    DerElement outer;
    DerElement algorithm;
    DerElement bits;
    if (!readDer(spki, 0, outer) || outer.tag != 0x30 || !readDer(spki, outer.begin, algorithm)
        || !readDer(spki, algorithm.end, bits) || bits.tag != 0x03 || bits.end - bits.begin < 2) {
        return false;
    }
    qsizetype begin = bits.begin + 1; // the unused-bits byte
    qsizetype end = bits.end;
    if (key.algorithm() == QSsl::Rsa) {
        DerElement sequence; // RSAPublicKey: its contents (n, e) are what RSAPrivateKey holds
        if (!readDer(spki, begin, sequence) || sequence.tag != 0x30) {
            return false;
        }
        begin = sequence.begin;
        end = sequence.end;
    }
    const QByteArray material = spki.mid(begin, end - begin);
    return material.size() >= 16 && key.toDer().contains(material);
}

} // namespace

Result<TlsFiles> readTlsFiles(const QString &certPath, const QString &keyPath)
{
    const Result<QByteArray> certBytes = readOptionFile(u"tls-cert"_s, certPath);
    if (!certBytes) {
        return certBytes.error();
    }
    const Result<QByteArray> keyBytes = readOptionFile(u"tls-key"_s, keyPath);
    if (!keyBytes) {
        return keyBytes.error();
    }
    TlsFiles tls;
    tls.chain = QSslCertificate::fromData(*certBytes, QSsl::Pem);
    if (tls.chain.isEmpty() || tls.chain.first().isNull()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"--tls-cert '%1' holds no PEM certificate"_s.arg(certPath));
    }
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec}) {
        const QSslKey key(*keyBytes, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull()) {
            tls.key = key;
            break;
        }
    }
    if (tls.key.isNull()) {
        return makeError(
            ErrorCode::InvalidArgument,
            u"--tls-key '%1' holds no unencrypted PEM private key (RSA or EC)"_s.arg(keyPath));
    }
    // A mismatched pair would only fail at the first client's handshake, so check it here.
    if (!keyMatchesCertificate(tls.key, tls.chain.first())) {
        return makeError(
            ErrorCode::InvalidArgument,
            u"--tls-key '%1' is not the key of --tls-cert '%2'"_s.arg(keyPath, certPath));
    }
    return tls;
}

} // namespace Artemis
