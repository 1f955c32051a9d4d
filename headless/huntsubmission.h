#pragma once

#include <QHttpServerResponse>
#include <QJsonObject>

#include "core/huntengine.h"

namespace Artemis {

// Shared by POST /fetch and POST /api/v1/hunts: submits the hunt and answers 202
// {"success": "Request is being processed", "hunt": ID, "status": "/api/v1/hunts/ID", ...}
// with a Location header, or the error (400 bad/denied nodes, 413 too many, 429 busy).
QHttpServerResponse submitHunt(HuntEngine &engine, const HuntRequest &request);

// The JSON of one hunt as the API shows it: the manifest plus progress and links.
QJsonObject huntJson(const HuntInfo &info);

} // namespace Artemis
