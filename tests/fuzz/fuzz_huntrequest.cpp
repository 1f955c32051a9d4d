// Fuzzes the JSON body of POST /api/v1/hunts (core/hunt/huntrequestjson.h) and the validation
// HuntEngine::submit applies next (options, node list). Input: the request body.
// Invariants: an accepted body yields 1..maxNodes nodes, "api" origin and valid options; writing
// the request back as JSON (as the GUI's remote backend does) and parsing it again gives the same
// request; a rejected body gets one of the request-error codes with a message; the node list
// parses into targets + duplicates that account for every node, or names each bad one.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/hunt/huntrequestjson.h"
#include "core/net/target.h"
#include "tests/fuzz/fuzzcheck.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {
constexpr int MaxNodes = 64; // small, so that the limit is within the fuzzer's reach
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::setUp();

    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    const Result<HuntRequest> request = parseHuntRequestJson(body, MaxNodes);
    if (!request) {
        const ErrorCode code = request.error().code;
        // Forbidden: a caFile, which no request may name without serve --allow-files.
        FUZZ_CHECK(code == ErrorCode::InvalidArgument || code == ErrorCode::InvalidNode
                   || code == ErrorCode::TooLarge || code == ErrorCode::Forbidden);
        FUZZ_CHECK(!request.error().message.isEmpty());
        return 0;
    }
    FUZZ_CHECK(!request->nodes.isEmpty() && request->nodes.size() <= MaxNodes);
    FUZZ_CHECK(request->origin == u"api"_s);
    FUZZ_CHECK(request->options.validate().hasValue());

    // Round trip through the JSON a client sends (header values included).
    const QJsonObject again{{u"nodes"_s, QJsonArray::fromStringList(request->nodes)},
                            {u"url"_s, request->url},
                            {u"options"_s, request->options.toWireJson()}};
    const Result<HuntRequest> reparsed =
        parseHuntRequestJson(QJsonDocument(again).toJson(QJsonDocument::Compact), MaxNodes);
    FUZZ_CHECK(reparsed.hasValue());
    FUZZ_CHECK(reparsed->nodes == request->nodes && reparsed->url == request->url);
    FUZZ_CHECK(reparsed->options.toWireJson() == request->options.toWireJson());
    FUZZ_CHECK(reparsed->options.headers == request->options.headers);

    // What HuntEngine::submit checks next.
    const Result<TargetList> targets = parseTargets(request->nodes, request->url);
    if (targets) {
        FUZZ_CHECK(targets->targets.size() + targets->duplicates.size() == request->nodes.size());
        for (const Target &target : targets->targets) {
            FUZZ_CHECK(target.url().isValid() && target.port != 0);
        }
    } else if (targets.error().code == ErrorCode::InvalidNode) {
        const QJsonArray bad = targets.error().details.toArray();
        FUZZ_CHECK(!bad.isEmpty() && bad.size() <= request->nodes.size());
        for (const QJsonValue &entry : bad) {
            const int index = entry.toObject().value(u"index"_s).toInt(-1);
            FUZZ_CHECK(index >= 0 && index < request->nodes.size());
        }
    } else {
        FUZZ_CHECK(targets.error().code == ErrorCode::InvalidArgument); // the url
        FUZZ_CHECK(!normalizePath(request->url).hasValue());
    }
    return 0;
}
