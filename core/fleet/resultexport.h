#pragma once

#include <optional>

#include <QString>

#include "core/base/result.h"
#include "core/fleet/projection.h"
#include "core/store/resultstore.h"

class QIODevice;

namespace Artemis {

// Writes a hunt's stored results that match `query` (its outcome filter and sort; offset and
// limit are ignored) to `out`: whole records as stored when `projection` is null and the
// format is NDJSON, else the projected fields as NDJSON or CSV (a header row first). Streams:
// lines are read in 4 MiB batches, parsed and projected in parallel on the global pool and
// written in order, so memory stays flat at any hunt size. Returns the bytes written.
// JsonArray is not offered here (exports are NDJSON or CSV). CSV cells are neutralised as
// `cells` says (CsvCells). Thread-safe; blocks on the disk.
Result<qint64> exportResults(const ResultStore &store, const QString &id, const ResultQuery &query,
                             const std::optional<Projection> &projection, ExportFormat format,
                             QIODevice *out, CsvCells cells = CsvCells::Safe);

} // namespace Artemis
