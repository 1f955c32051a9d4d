#pragma once

#include <QByteArray>

#include "core/huntengine.h"
#include "core/result.h"

namespace Artemis {

// The body of POST /api/v1/hunts, {"nodes": [...], "url": "...", "options": {...}}, as a
// HuntRequest (origin "api"). Checks the shape only: unknown fields, types, at most `maxNodes`
// nodes (TooLarge), options through FetchOptions::fromJson. The nodes themselves are parsed by
// HuntEngine::submit. Pure; fuzzed by tests/fuzz/fuzz_huntrequest.cpp.
Result<HuntRequest> parseHuntRequestJson(const QByteArray &body, int maxNodes);

} // namespace Artemis
