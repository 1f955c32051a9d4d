#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

#include "core/base/fileaccess.h"
#include "core/base/result.h"
#include "core/hunt/huntinfo.h"

namespace Artemis {

// The JSON body shared by POST /api/v1/hunts and POST /api/v1/schedules, {"nodes": [...],
// "url": "...", "options": {...}, "extract": {NAME: PATH}} (core/base/extract.h; names and paths
// validated) plus the fields named in `extraFields` (left in `*object` for the caller), as a
// HuntRequest (origin "api"). Checks the shape only: unknown fields,
// types, at most `maxNodes` nodes (TooLarge), options through FetchOptions::fromJson; errors
// 400 not JSON / unknown field / bad field (InvalidNode with each node that is not a string).
// The nodes themselves are parsed by HuntEngine::submit. When `extraFields` has "nodesFrom",
// exactly one of "nodes" and "nodesFrom" must be given (the nodes are then left empty). Pure (no
// HTTP server); fuzzed by tests/fuzz/fuzz_huntrequest.cpp.
// Paths in the options (caFile) are read through `files`: the service's --allow-files dirs.
Result<HuntRequest> parseHuntBody(const QByteArray &body, int maxNodes,
                                  const QStringList &extraFields, QJsonObject *object,
                                  const FileAccess &files);

// parseHuntBody with no extra fields.
Result<HuntRequest> parseHuntRequestJson(const QByteArray &body, int maxNodes,
                                         const FileAccess &files = FileAccess::none());

// The body parseHuntBody reads, for a client sending `request` to a service: "nodes" (a node
// with labels as {"node": ..., "labels": {...}}), "url", "options" in the wire form (the service
// needs the header values, the password and the CA text to fetch), "extract" when any. Origin,
// schedule, round, spread and deadline are the service's and are not written. The caller adds
// its own fields (a schedule's "every", ...). parseHuntRequestJson(write(r)) gives r back.
QJsonObject huntRequestToJson(const HuntRequest &request);

} // namespace Artemis
