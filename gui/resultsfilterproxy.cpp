#include "gui/resultsfilterproxy.h"

#include "core/fetch/outcome.h"
#include "gui/resultcolumns.h"

namespace Artemis::Gui {

ResultsFilterProxy::ResultsFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(SortRole);
    setDynamicSortFilter(true);
}

void ResultsFilterProxy::setOutcomeFilter(int filter)
{
    if (filter != m_outcome) {
        m_outcome = filter;
        invalidateRowsFilter();
    }
}

void ResultsFilterProxy::setTextFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed != m_text) {
        m_text = trimmed;
        invalidateRowsFilter();
    }
}

bool ResultsFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex first = sourceModel()->index(sourceRow, 0, sourceParent);
    const int outcome = first.data(OutcomeRole).toInt();
    switch (m_outcome) {
    case AnyOutcome:
        break;
    case Unfinished:
        if (first.data(LiveRole).toInt() == 0) {
            return false;
        }
        break;
    case AnyFailure:
        if (outcome < 0 || outcome == int(OutcomeKind::Ok)) {
            return false;
        }
        break;
    default:
        if (outcome != m_outcome) {
            return false;
        }
    }
    if (m_text.isEmpty()) {
        return true;
    }
    if (first.data(NodeRole).toString().contains(m_text, Qt::CaseInsensitive)) {
        return true;
    }
    const QModelIndex error =
        sourceModel()->index(sourceRow, int(ResultColumn::Error), sourceParent);
    return error.data(Qt::DisplayRole).toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace Artemis::Gui
