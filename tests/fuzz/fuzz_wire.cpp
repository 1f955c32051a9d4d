// Fuzzes the decoders of what coordinator and workers read from Redis (core/broker/wire.h):
// a job's hunt spec and node list, a result entry's outcomes, a worker's heartbeat, and the
// stream replies (XREADGROUP, XAUTOCLAIM) built from the same bytes. Input: one value as stored
// in Redis.
// Invariants: a failure is InvalidArgument with a message; what decodes is a fixed point of
// encode/decode: encoding it, decoding that and encoding again gives the same bytes (the types
// have no operator==, their wire form is their identity); reply parsing never reads out of
// range and returns at most one entry per element; a spec's expiry and `ended` survive the
// round trip, signed or not; no stream entry made of fuzz bytes passes as a signed job.

#include <QJsonArray>
#include <QJsonDocument>

#include "core/broker/wire.h"
#include "tests/fuzz/fuzzcheck.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {

template <typename T> void checkFailure(const Result<T> &result)
{
    if (!result) {
        FUZZ_CHECK(result.error().code == ErrorCode::InvalidArgument);
        FUZZ_CHECK(!result.error().message.isEmpty());
    }
}

// A spec may also be refused as Forbidden: signed where no secret is held, unsigned or forged
// where one is (the worker refuses those jobs rather than drop them as malformed).
void checkSpecFailure(const Result<Wire::HuntSpec> &result)
{
    if (!result) {
        FUZZ_CHECK(result.error().code == ErrorCode::InvalidArgument
                   || result.error().code == ErrorCode::Forbidden);
        FUZZ_CHECK(!result.error().message.isEmpty());
    }
}

// A reply tree read from bytes: each byte picks the next node's type, strings take a length
// byte, arrays an element count; depth is bounded.
RedisReply readReply(QByteArrayView &in, int depth)
{
    RedisReply reply;
    if (in.isEmpty()) {
        reply.type = RedisReply::Type::Nil;
        return reply;
    }
    const auto pick = quint8(in.front());
    in = in.sliced(1);
    switch (pick % 4) {
    case 0:
        reply.type = RedisReply::Type::Nil;
        break;
    case 1: {
        reply.type = RedisReply::Type::String;
        const qsizetype length = std::min<qsizetype>(pick / 4, in.size());
        reply.str = in.first(length).toByteArray();
        in = in.sliced(length);
        break;
    }
    case 2:
        reply.type = RedisReply::Type::Integer;
        reply.integer = pick;
        break;
    default:
        reply.type = RedisReply::Type::Array;
        for (int i = 0; i < pick / 4 % 8 && depth < 6 && !in.isEmpty(); ++i) {
            reply.elements.append(readReply(in, depth + 1));
        }
        break;
    }
    return reply;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::setUp();

    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    static const BrokerSecretPtr secret = *BrokerSecret::fromBytes("fuzz-broker-secret-0123");
    const Result<Wire::HuntSpec> spec = Wire::HuntSpec::fromBytes(bytes);
    checkSpecFailure(spec);
    if (spec) {
        const QByteArray encoded = spec->toBytes();
        const Result<Wire::HuntSpec> again = Wire::HuntSpec::fromBytes(encoded);
        FUZZ_CHECK_MSG(again.hasValue(), again ? nullptr : qPrintable(again.error().message));
        FUZZ_CHECK(again->id == spec->id && again->path == spec->path);
        FUZZ_CHECK(again->expiresAtMs == spec->expiresAtMs && again->ended == spec->ended);
        FUZZ_CHECK(spec->expiresAtMs >= 0);
        FUZZ_CHECK_MSG(again->toBytes() == encoded, encoded.constData());
        // Signed and sealed with a secret, it reads back the same; without it, never.
        const QByteArray sealed = spec->toBytes(secret.get());
        const Result<Wire::HuntSpec> opened = Wire::HuntSpec::fromBytes(sealed, secret.get());
        FUZZ_CHECK_MSG(opened.hasValue(), opened ? nullptr : qPrintable(opened.error().message));
        FUZZ_CHECK_MSG(opened->toBytes() == encoded, encoded.constData());
        FUZZ_CHECK(opened->expiresAtMs == spec->expiresAtMs && opened->ended == spec->ended);
        FUZZ_CHECK(!Wire::HuntSpec::fromBytes(sealed));
    }
    // Bytes no coordinator signed never pass as a signed spec.
    const Result<Wire::HuntSpec> signedSpec = Wire::HuntSpec::fromBytes(bytes, secret.get());
    checkSpecFailure(signedSpec);
    FUZZ_CHECK(!signedSpec);

    const Result<QStringList> nodes = Wire::decodeNodes(bytes);
    checkFailure(nodes);
    if (nodes) {
        const Result<QStringList> again = Wire::decodeNodes(Wire::encodeNodes(*nodes));
        FUZZ_CHECK(again.hasValue() && *again == *nodes);
    }

    const Result<QList<Outcome>> outcomes = Wire::decodeOutcomes(bytes);
    checkFailure(outcomes);
    if (outcomes) {
        const QByteArray encoded = Wire::encodeOutcomes(*outcomes);
        const Result<QList<Outcome>> again = Wire::decodeOutcomes(encoded);
        FUZZ_CHECK_MSG(again.hasValue(), again ? nullptr : qPrintable(again.error().message));
        FUZZ_CHECK(again->size() == outcomes->size());
        FUZZ_CHECK_MSG(Wire::encodeOutcomes(*again) == encoded, encoded.constData());
    }

    const QJsonObject object = QJsonDocument::fromJson(bytes).object();
    const Result<Wire::WorkerInfo> worker = Wire::WorkerInfo::fromJson(object);
    checkFailure(worker);
    if (worker) {
        const QJsonObject encoded = worker->toJson();
        const Result<Wire::WorkerInfo> again = Wire::WorkerInfo::fromJson(encoded);
        FUZZ_CHECK(again.hasValue() && again->name == worker->name);
        FUZZ_CHECK(again->toJson() == encoded);
    }

    QByteArrayView in(bytes);
    const RedisReply reply = readReply(in, 0);
    Q_UNUSED(Wire::parseReadReply(reply));
    QByteArray cursor = "unset";
    const QList<Wire::StreamEntry> claimed = Wire::parseAutoClaimReply(reply, &cursor);
    FUZZ_CHECK(cursor != "unset");
    FUZZ_CHECK(reply.elements.size() < 2 || claimed.size() <= reply.elements.at(1).elements.size());
    FUZZ_CHECK(Wire::parseEntries(reply).size() <= reply.elements.size());
    // No entry built from fuzz bytes passes as a signed job; an expiry is never negative.
    for (const Wire::StreamEntry &entry : claimed) {
        FUZZ_CHECK(Wire::checkJob(*secret, entry) != Wire::Signature::Valid);
        FUZZ_CHECK(Wire::jobExpiry(entry) >= 0);
    }
    return 0;
}
