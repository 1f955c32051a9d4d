#pragma once

#include <QLoggingCategory>

// One logging category per area (issue #11). Messages say what happened to what
// ("hunt 01HV…: skipping corrupt line 4"); the category names the area, so no message carries
// a hand-written prefix. Debug output is off by default and turned on per area with
// QT_LOGGING_RULES, e.g. QT_LOGGING_RULES="artemis.fetch.debug=true" (docs/operations.md, "Logs").
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

// Secrets never reach a log line (issue #21 item 7): a message handler, installed once first
// thing in main() (before any other handler) and kept for the whole process, passes every
// message, Qt's own categories included (qt.httpserver logs request headers), through
// redactSecrets() before the previous handler prints it. Thread-safe.
void installSecretRedaction();

// The text with the values of the Authorization, Proxy-Authorization, Cookie and Set-Cookie
// headers, and of the headers named with addRedactedHeaderNames(), replaced by "<redacted>",
// as written in "Name: value", "Name=value" or QDebug's ("Name", "value"); and every value
// given to addRedactedValue() replaced wherever it occurs. Thread-safe.
QString redactSecrets(const QString &text);

// Header names whose values are secrets (a hunt's --header names); case-insensitive. At most
// 256 names are kept (the first ones).
void addRedactedHeaderNames(const QStringList &names);
// A secret value (the API token, a broker password) hidden wherever it appears; values
// shorter than 4 characters are ignored (they would blank ordinary words). At most 64.
void addRedactedValue(const QString &value);

} // namespace Artemis
