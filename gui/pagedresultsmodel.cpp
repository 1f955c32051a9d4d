#include "gui/pagedresultsmodel.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

PagedResultsModel::PagedResultsModel(HuntBackend *backend, QObject *parent)
    : QAbstractTableModel(parent), m_backend(backend)
{
}

void PagedResultsModel::setBackend(HuntBackend *backend)
{
    m_backend = backend;
    clear();
}

void PagedResultsModel::clear()
{
    beginResetModel();
    ++m_generation;
    m_huntId.clear();
    m_total = 0;
    m_pages.clear();
    m_pageOrder.clear();
    m_requested.clear();
    endResetModel();
}

void PagedResultsModel::open(QString huntId, OutcomeFilter filter)
{
    clear();
    m_huntId = std::move(huntId);
    m_filter = filter;
    if (!m_huntId.isEmpty()) {
        requestPage(0);
    }
}

void PagedResultsModel::reload()
{
    open(m_huntId, m_filter);
}

void PagedResultsModel::restart()
{
    beginResetModel();
    ++m_generation;
    m_total = 0;
    m_pages.clear();
    m_pageOrder.clear();
    m_requested.clear();
    endResetModel();
    if (!m_huntId.isEmpty()) {
        requestPage(0);
    }
}

bool PagedResultsModel::isSortable(int column)
{
    return column == int(ResultColumn::Node) || column == int(ResultColumn::Outcome)
           || column == int(ResultColumn::Latency);
}

void PagedResultsModel::sort(int column, Qt::SortOrder order)
{
    ResultSort sort;
    if (column == int(ResultColumn::Node)) {
        sort.by = ResultSort::By::Node;
    } else if (column == int(ResultColumn::Outcome)) {
        sort.by = ResultSort::By::Outcome;
    } else if (column == int(ResultColumn::Latency)) {
        sort.by = ResultSort::By::Latency;
    } else if (column >= 0) {
        return;
    }
    sort.descending = sort.by != ResultSort::By::File && order == Qt::DescendingOrder;
    if (sort.by == m_sort.by && sort.descending == m_sort.descending) {
        return;
    }
    m_sort = sort;
    restart();
}

void PagedResultsModel::setSearch(const QString &text)
{
    if (text == m_search) {
        return;
    }
    m_search = text;
    restart();
}

ResultQuery PagedResultsModel::query(int offset, int limit) const
{
    ResultQuery query;
    query.offset = offset;
    query.limit = limit;
    query.outcome = m_filter;
    query.nodeContains = m_search;
    query.sort = m_sort;
    return query;
}

bool PagedResultsModel::isLoaded(int row) const
{
    return m_pages.contains(row / PageSize);
}

void PagedResultsModel::requestPage(int page) const
{
    if (m_requested.contains(page) || !m_backend) {
        return;
    }
    m_requested.insert(page);
    auto *self = const_cast<PagedResultsModel *>(this); // the cache is logically mutable
    const quint64 generation = m_generation;
    m_backend->readResults(m_huntId, query(page * PageSize, PageSize), self,
                           [self, generation, page](Result<ResultPage> result) {
                               self->onPage(generation, page, std::move(result));
                           });
}

void PagedResultsModel::onPage(quint64 generation, int page, Result<ResultPage> result)
{
    if (generation != m_generation) {
        return; // answer for a hunt, filter, search or sort no longer shown
    }
    m_requested.remove(page);
    if (!result) {
        Q_EMIT failed(result.error().message);
        return;
    }
    QList<ResultRow> rows;
    rows.reserve(result->outcomes.size());
    for (const Outcome &outcome : std::as_const(result->outcomes)) {
        rows.append(ResultRow::from(outcome));
    }
    m_pages.insert(page, std::move(rows));
    m_pageOrder.removeAll(page);
    m_pageOrder.append(page);
    while (m_pageOrder.size() > MaxCachedPages) {
        m_pages.remove(m_pageOrder.takeFirst());
    }
    const bool first = page == 0 && m_total == 0;
    if (result->total > m_total) {
        beginInsertRows({}, m_total, result->total - 1);
        m_total = result->total;
        endInsertRows();
    }
    const int begin = page * PageSize;
    const int end = std::min(m_total, begin + PageSize) - 1;
    if (end >= begin) {
        Q_EMIT dataChanged(index(begin, 0), index(end, int(ResultColumn::Count) - 1));
    }
    if (first) {
        Q_EMIT loaded(m_total);
    }
}

void PagedResultsModel::outcomeAt(int row, QObject *context,
                                  HuntBackend::Callback<Outcome> callback)
{
    const ResultQuery one = query(row, 1);
    const auto it = m_pages.constFind(row / PageSize);
    if (one.readsEveryLine() && it != m_pages.cend() && row % PageSize < it->size()) {
        // A sorted or searched page of one row would read the whole file: ask by node.
        m_backend->nodeOutcome(m_huntId, it->at(row % PageSize).node, context, callback);
        return;
    }
    m_backend->readResults(m_huntId, one, context, [callback](Result<ResultPage> page) {
        if (!page) {
            callback(page.error());
            return;
        }
        if (page->outcomes.isEmpty()) {
            callback(makeError(ErrorCode::NotFound, u"no such result"_s));
            return;
        }
        callback(page->outcomes.first());
    });
}

int PagedResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_total;
}

int PagedResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ResultColumn::Count);
}

QVariant PagedResultsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_total) {
        return {};
    }
    const int page = index.row() / PageSize;
    const auto it = m_pages.constFind(page);
    if (it == m_pages.cend()) {
        requestPage(page);
        if (role == Qt::DisplayRole && index.column() == 0) {
            return u"…"_s;
        }
        return {};
    }
    const int offset = index.row() - page * PageSize;
    if (offset >= it->size()) {
        return {};
    }
    return resultCellData(it->at(offset), ResultColumn(index.column()), role, u"waiting"_s);
}

QVariant PagedResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole) {
        return resultColumnTitle(ResultColumn(section));
    }
    if (orientation == Qt::Vertical && role == Qt::DisplayRole) {
        return section + 1;
    }
    return {};
}

} // namespace Artemis::Gui
