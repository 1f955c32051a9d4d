#include "core/broker/brokersecret.h"

#include <QFile>
#include <QMessageAuthenticationCode>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

constexpr int KeyBytes = 32;
constexpr int NonceBytes = 12;
constexpr int TagBytes = 16;
constexpr qint64 MaxFileBytes = 64 * 1024;

// HKDF-SHA256 (RFC 5869) of `secret` for one use, through OpenSSL.
QByteArray deriveKey(const QByteArray &secret, QByteArrayView info)
{
    QByteArray key(KeyBytes, Qt::Uninitialized);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr), &EVP_PKEY_CTX_free);
    size_t length = size_t(key.size());
    static const char salt[] = "artemis broker v1";
    const bool ok =
        ctx && EVP_PKEY_derive_init(ctx.get()) > 0
        && EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) > 0
        && EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), reinterpret_cast<const unsigned char *>(salt),
                                       int(sizeof(salt) - 1))
               > 0
        && EVP_PKEY_CTX_set1_hkdf_key(ctx.get(),
                                      reinterpret_cast<const unsigned char *>(secret.constData()),
                                      int(secret.size()))
               > 0
        && EVP_PKEY_CTX_add1_hkdf_info(
               ctx.get(), reinterpret_cast<const unsigned char *>(info.data()), int(info.size()))
               > 0
        && EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char *>(key.data()), &length) > 0;
    return ok && length == size_t(KeyBytes) ? key : QByteArray();
}

void addPart(QMessageAuthenticationCode &mac, QByteArrayView part)
{
    const quint64 n = quint64(part.size());
    char length[8];
    for (int i = 0; i < 8; ++i) {
        length[i] = char((n >> (56 - 8 * i)) & 0xff);
    }
    mac.addData(length, 8);
    mac.addData(part.data(), part.size());
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char *bytes(QByteArrayView view)
{
    return reinterpret_cast<const unsigned char *>(view.data());
}

} // namespace

Result<BrokerSecretPtr> BrokerSecret::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(
            ErrorCode::InvalidArgument,
            u"cannot read --broker-secret-file '%1': %2"_s.arg(path, file.errorString()));
    }
    if (file.size() > MaxFileBytes) {
        return makeError(
            ErrorCode::InvalidArgument,
            u"--broker-secret-file '%1' is larger than %2 bytes"_s.arg(path).arg(MaxFileBytes));
    }
    Result<BrokerSecretPtr> secret = fromBytes(file.read(MaxFileBytes));
    if (!secret) {
        return makeError(ErrorCode::InvalidArgument,
                         u"--broker-secret-file '%1': %2"_s.arg(path, secret.error().message));
    }
    return secret;
}

Result<BrokerSecretPtr> BrokerSecret::fromBytes(const QByteArray &secret)
{
    QByteArray content = secret;
    while (content.endsWith('\n') || content.endsWith('\r')) {
        content.chop(1);
    }
    if (content.size() < MinSecretBytes) {
        return makeError(ErrorCode::InvalidArgument,
                         u"the secret has %1 bytes; at least %2 are needed (e.g. `openssl rand "
                         "-hex 32`)"_s.arg(content.size())
                             .arg(MinSecretBytes));
    }
    std::shared_ptr<BrokerSecret> made(new BrokerSecret);
    made->m_macKey = deriveKey(content, "artemis mac");
    made->m_encKey = deriveKey(content, "artemis seal");
    if (made->m_macKey.isEmpty() || made->m_encKey.isEmpty()) {
        return makeError(ErrorCode::Unavailable, u"deriving the broker keys failed (OpenSSL)"_s);
    }
    return BrokerSecretPtr(std::move(made));
}

QByteArray BrokerSecret::sign(QByteArrayView domain,
                              std::initializer_list<QByteArrayView> parts) const
{
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, m_macKey);
    addPart(mac, domain);
    for (QByteArrayView part : parts) {
        addPart(mac, part);
    }
    return mac.result().toHex();
}

bool BrokerSecret::verify(QByteArrayView domain, std::initializer_list<QByteArrayView> parts,
                          QByteArrayView mac) const
{
    const QByteArray expected = sign(domain, parts);
    if (mac.size() != expected.size()) {
        return false;
    }
    unsigned char diff = 0;
    for (qsizetype i = 0; i < expected.size(); ++i) {
        diff |= static_cast<unsigned char>(expected.at(i) ^ mac.at(i));
    }
    return diff == 0;
}

QByteArray BrokerSecret::seal(const QByteArray &plain, QByteArrayView context) const
{
    QByteArray out(NonceBytes + plain.size() + TagBytes, Qt::Uninitialized);
    auto *nonce = reinterpret_cast<unsigned char *>(out.data());
    auto *cipher = nonce + NonceBytes;
    CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    int length = 0;
    int final = 0;
    const bool ok =
        ctx && RAND_bytes(nonce, NonceBytes) == 1
        && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(m_encKey), nonce) == 1
        && EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(context), int(context.size())) == 1
        && EVP_EncryptUpdate(ctx.get(), cipher, &length, bytes(plain), int(plain.size())) == 1
        && EVP_EncryptFinal_ex(ctx.get(), cipher + length, &final) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, TagBytes, cipher + plain.size())
               == 1;
    // Encryption with a valid key cannot fail short of OpenSSL running out of memory; an
    // empty result is refused by open() and the hunt's jobs fail visibly on the workers.
    return ok ? out.toBase64() : QByteArray();
}

Result<QByteArray> BrokerSecret::open(QByteArrayView sealed, QByteArrayView context) const
{
    const QByteArray raw = QByteArray::fromBase64(sealed.toByteArray());
    if (raw.size() < NonceBytes + TagBytes) {
        return makeError(ErrorCode::InvalidArgument, u"sealed value too short"_s);
    }
    const qsizetype cipherBytes = raw.size() - NonceBytes - TagBytes;
    const auto *nonce = bytes(raw);
    const auto *cipher = nonce + NonceBytes;
    QByteArray tag = raw.right(TagBytes);
    QByteArray plain(cipherBytes, Qt::Uninitialized);
    CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    int length = 0;
    int final = 0;
    const bool ok =
        ctx
        && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(m_encKey), nonce) == 1
        && EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(context), int(context.size())) == 1
        && EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char *>(plain.data()), &length,
                             cipher, int(cipherBytes))
               == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, TagBytes, tag.data()) == 1
        && EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(plain.data()) + length,
                               &final)
               == 1;
    if (!ok) {
        return makeError(ErrorCode::InvalidArgument,
                         u"sealed value does not open with this secret (forged, damaged, or "
                         "sealed with another --broker-secret-file)"_s);
    }
    return plain;
}

} // namespace Artemis
