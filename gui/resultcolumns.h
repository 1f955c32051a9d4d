#pragma once

#include <QString>
#include <QVariant>

#include "core/fetch/outcome.h"

class QTableView;

namespace Artemis::Gui {

// The slim per-node row the result tables show (no body: 100k rows must stay small).
struct ResultRow
{
    QString node;
    int outcome = -1; // OutcomeKind as int; -1 while not fetched yet
    int httpStatus = 0;
    qint64 latencyMs = 0;
    qint64 bytes = 0;
    int attempts = 0;
    QString labels; // "dc=fra1, role=db" (Outcome::labels); empty without labels
    QString worker; // distributed mode: the worker that fetched it (Outcome::worker)
    QString error;

    static ResultRow from(const Outcome &outcome);
};

// Columns shared by the live table and the stored-results table.
enum class ResultColumn {
    Node,
    State,
    Outcome,
    HttpStatus,
    Latency,
    Bytes,
    Attempts,
    Labels,
    Worker,
    Error,
    Count
};

inline constexpr int SortRole = Qt::UserRole + 1;    // raw value for sorting
inline constexpr int OutcomeRole = Qt::UserRole + 2; // int: OutcomeKind or -1 (pending)
inline constexpr int NodeRole = Qt::UserRole + 3;    // QString node
// int, live table only: 0 = not running, 1 = in flight, 2 = waiting to retry
// (UnfinishedNode::State + 1)
inline constexpr int LiveRole = Qt::UserRole + 4;

QString resultColumnTitle(ResultColumn column);
// Display/sort/alignment/colour data of one cell. `pendingState` is the State text of a row
// without an outcome ("waiting", "not fetched", ...).
QVariant resultCellData(const ResultRow &row, ResultColumn column, int role,
                        const QString &pendingState);

// Row height, widths and selection behaviour shared by the result tables.
void setupResultTable(QTableView *table);

} // namespace Artemis::Gui
