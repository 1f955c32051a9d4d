#include "gui/resultcolumns.h"

#include <QBrush>
#include <QColor>
#include <QHeaderView>
#include <QLocale>
#include <QTableView>

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

ResultRow ResultRow::from(const Outcome &outcome)
{
    ResultRow row;
    row.node = outcome.node;
    row.outcome = int(outcome.outcome);
    row.httpStatus = outcome.httpStatus;
    row.latencyMs = outcome.latencyMs;
    row.bytes = outcome.bytes;
    row.attempts = outcome.attempts;
    row.error = outcome.error;
    row.worker = outcome.worker;
    for (auto it = outcome.labels.cbegin(); it != outcome.labels.cend(); ++it) {
        if (!row.labels.isEmpty()) {
            row.labels.append(u", "_s);
        }
        row.labels.append(it.key() + u'=' + it.value());
    }
    return row;
}

QString resultColumnTitle(ResultColumn column)
{
    switch (column) {
    case ResultColumn::Node:
        return u"Node"_s;
    case ResultColumn::State:
        return u"State"_s;
    case ResultColumn::Outcome:
        return u"Outcome"_s;
    case ResultColumn::HttpStatus:
        return u"HTTP"_s;
    case ResultColumn::Latency:
        return u"Latency (ms)"_s;
    case ResultColumn::Bytes:
        return u"Bytes"_s;
    case ResultColumn::Attempts:
        return u"Attempts"_s;
    case ResultColumn::Labels:
        return u"Labels"_s;
    case ResultColumn::Worker:
        return u"Worker"_s;
    case ResultColumn::Error:
        return u"Error"_s;
    case ResultColumn::Count:
        break;
    }
    return {};
}

QVariant resultCellData(const ResultRow &row, ResultColumn column, int role,
                        const QString &pendingState)
{
    const bool fetched = row.outcome >= 0;
    if (role == NodeRole) {
        return row.node;
    }
    if (role == OutcomeRole) {
        return row.outcome;
    }
    if (role == Qt::TextAlignmentRole) {
        switch (column) {
        case ResultColumn::HttpStatus:
        case ResultColumn::Latency:
        case ResultColumn::Bytes:
        case ResultColumn::Attempts:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole && column == ResultColumn::Outcome && fetched) {
        return QBrush(row.outcome == int(OutcomeKind::Ok) ? QColor(0x1b, 0x7f, 0x3b)
                                                          : QColor(0xb0, 0x20, 0x20));
    }
    if (role == Qt::ToolTipRole && column == ResultColumn::Error) {
        return row.error.isEmpty() ? QVariant() : QVariant(row.error);
    }
    if (role != Qt::DisplayRole && role != SortRole) {
        return {};
    }
    const bool sort = role == SortRole;
    switch (column) {
    case ResultColumn::Node:
        return row.node;
    case ResultColumn::State:
        return fetched ? u"done"_s : pendingState;
    case ResultColumn::Outcome:
        if (sort) {
            return row.outcome;
        }
        return fetched ? outcomeName(OutcomeKind(row.outcome)) : QString();
    case ResultColumn::HttpStatus:
        if (sort) {
            return row.httpStatus;
        }
        return fetched && row.httpStatus ? QVariant(row.httpStatus) : QVariant();
    case ResultColumn::Latency:
        if (sort) {
            return row.latencyMs;
        }
        return fetched ? QVariant(row.latencyMs) : QVariant();
    case ResultColumn::Bytes:
        if (sort) {
            return row.bytes;
        }
        return fetched ? QVariant(QLocale().toString(row.bytes)) : QVariant();
    case ResultColumn::Attempts:
        if (sort) {
            return row.attempts;
        }
        return fetched ? QVariant(row.attempts) : QVariant();
    case ResultColumn::Labels:
        return row.labels;
    case ResultColumn::Worker:
        return row.worker;
    case ResultColumn::Error:
        return row.error;
    case ResultColumn::Count:
        break;
    }
    return {};
}

void setupResultTable(QTableView *table)
{
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setHighlightSections(false);
    table->setColumnWidth(int(ResultColumn::Node), 170);
    table->setColumnWidth(int(ResultColumn::State), 80);
    table->setColumnWidth(int(ResultColumn::Outcome), 95);
    table->setColumnWidth(int(ResultColumn::HttpStatus), 50);
    table->setColumnWidth(int(ResultColumn::Latency), 105);
    table->setColumnWidth(int(ResultColumn::Bytes), 70);
    table->setColumnWidth(int(ResultColumn::Attempts), 70);
    table->setColumnWidth(int(ResultColumn::Labels), 140);
    table->setColumnWidth(int(ResultColumn::Worker), 90);
}

} // namespace Artemis::Gui
