#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

#include "core/base/result.h"
#include "core/engine/huntengine.h"
#include "core/inventory/nodesource.h"
#include "core/net/targetpolicy.h"

namespace Artemis {

// What `artemis-headless hunt ...` was told: the hunt request, how to show it, where to keep it,
// and for --every the schedule. parse() holds every rule of the command line; HuntCommand only
// runs what it gives.
struct HuntSettings
{
    bool help = false; // --help: nothing else was read
    bool json = false;
    bool ndjson = false;
    bool quiet = false;
    HuntRequest request;                 // nodes, labels, url, options, extract
    std::optional<NodeSource> nodesFrom; // --nodes-from (with --every): instead of nodes
    qint64 everyMs = 0;                  // --every; 0: one hunt
    int rounds = 0;                      // --rounds; 0: until Ctrl-C
    int keep = 100;                      // --keep: rounds kept
    int threads = 2;
    TargetPolicyPtr policy;
    QString dataDir; // --data-dir, else $ARTEMIS_DATA_DIR, else "data"
    // Where each given node came from, so that errors name a file line: the --node values come
    // first (flagNodes of them), then the nodes file's, on these lines.
    qsizetype flagNodes = 0;
    QString nodesFile;
    QList<int> fileLines;
    QStringList warnings; // to tell before the hunt (a secret file others can read)

    // `arguments` as after the sub-command: {"artemis-headless hunt", "--url", "metric", ...}.
    // An error is a usage error (exit 2) naming the flag and what was wrong.
    static Result<HuntSettings> parse(const QStringList &arguments);
    // The options part of --help.
    static QString optionsHelp();
};

} // namespace Artemis
