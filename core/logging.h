#pragma once

#include <QLoggingCategory>

// One logging category per area (issue #11). Messages say what happened to what
// ("hunt 01HV…: skipping corrupt line 4"); the category names the area, so no message carries
// a hand-written prefix. Debug output is off by default and turned on per area with
// QT_LOGGING_RULES, e.g. QT_LOGGING_RULES="artemis.fetch.debug=true" (README, "Configuration").
namespace Artemis {

Q_DECLARE_LOGGING_CATEGORY(lcFetch) // artemis.fetch: hunts running, node fetches
Q_DECLARE_LOGGING_CATEGORY(lcStore) // artemis.store: the data dir (manifests, results files)
Q_DECLARE_LOGGING_CATEGORY(lcRest)  // artemis.rest: the headless service and its process
Q_DECLARE_LOGGING_CATEGORY(lcSched) // artemis.sched: schedules and their rounds
Q_DECLARE_LOGGING_CATEGORY(lcRedis) // artemis.redis: broker connections, coordinator, workers
Q_DECLARE_LOGGING_CATEGORY(lcGui)   // artemis.gui: the desktop GUI

// Gives the process's log lines a timestamp, a one-letter level and the category:
// "2026-12-01T10:00:00.123 W artemis.store: hunt …: skipping corrupt line 4 …".
// Does nothing when the user set QT_MESSAGE_PATTERN. Call it once, first thing in main().
void installMessagePattern();

// The pattern installMessagePattern() sets (for tests and the docs).
const char *defaultMessagePattern();

} // namespace Artemis
