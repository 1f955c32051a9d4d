#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include "core/base/result.h"
#include "core/fetch/outcome.h"
#include "core/hunt/huntinfo.h"

namespace Artemis {
class ResultStore;
}

namespace Artemis::Test {

// A node's ok answer with this body (status 200, one attempt, fetched now), as a fetch records it.
Outcome okAnswer(const QString &node, const QJsonObject &body);

// The manifest of a new hunt of `total` nodes fetching /metric (state Queued, nothing done).
HuntInfo huntManifest(int total);

// A finished hunt of `outcomes` written straight into `store` (manifest with its counts, then
// the results), for tests of answers over many nodes without fetching them. First record of a
// node wins, as in a real hunt; the nodes list is the outcomes' nodes in order.
Result<HuntInfo> storeDoneHunt(ResultStore &store, const QList<Outcome> &outcomes);

} // namespace Artemis::Test
