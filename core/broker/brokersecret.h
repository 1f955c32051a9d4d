#pragma once

#include <initializer_list>
#include <memory>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include "core/base/result.h"

namespace Artemis {

// The secret coordinator and workers share (--broker-secret-file): whoever can write to Redis
// but does not hold it can neither queue jobs (every worker would fetch for them) nor forge
// results, nor read the header values and passwords of a hunt.
//  - sign()/verify(): HMAC-SHA256 (QMessageAuthenticationCode) over a domain ("job", "result",
//    "spec") and the message's parts, each length-prefixed, so no part can bleed into another
//    and a job's MAC is never a valid result's.
//  - seal()/open(): AES-256-GCM (OpenSSL libcrypto) with a random 96-bit nonce; `context` (the
//    hunt id) is authenticated, so a sealed value cannot be moved to another hunt.
// Both keys are derived from the secret with HKDF-SHA256 (OpenSSL), one per use.
// Immutable and thread-safe once made.
class BrokerSecret
{
public:
    // At least MinSecretBytes after trailing newlines are dropped; the file is read whole
    // (at most 64 KiB). Errors name the file, never its content.
    static Result<std::shared_ptr<const BrokerSecret>> fromFile(const QString &path);
    static Result<std::shared_ptr<const BrokerSecret>> fromBytes(const QByteArray &secret);

    static constexpr int MinSecretBytes = 16;

    // Lower-case hex MAC.
    QByteArray sign(QByteArrayView domain, std::initializer_list<QByteArrayView> parts) const;
    // Constant-time comparison.
    bool verify(QByteArrayView domain, std::initializer_list<QByteArrayView> parts,
                QByteArrayView mac) const;

    // base64(nonce | ciphertext | tag).
    QByteArray seal(const QByteArray &plain, QByteArrayView context) const;
    // Fails (naming no secret) for anything not sealed by this secret for `context`.
    Result<QByteArray> open(QByteArrayView sealed, QByteArrayView context) const;

private:
    BrokerSecret() = default;
    QByteArray m_macKey; // 32 bytes
    QByteArray m_encKey; // 32 bytes
};

using BrokerSecretPtr = std::shared_ptr<const BrokerSecret>;

} // namespace Artemis
