#pragma once

#include <optional>

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

#include "core/fetch/outcome.h"
#include "gui/huntbackend.h"
#include "gui/resultcolumns.h"

namespace Artemis::Gui {

// The stored results of one hunt, read page by page from the backend as the view scrolls, so
// a hunt with 100,000 results opens at once. Rows of a page not loaded yet show "…" until the
// asynchronous read arrives; a bounded number of pages stay cached. Order is the store's
// (completion order) unless sort() picks node, outcome or latency; filtering by outcome and
// the node search are done by the store too, so they hold for every row, loaded or not. A new
// query drops the pages and reads again; pages of an older query are ignored when they arrive.
//
// Lives on the GUI thread. `backend` is not owned and must outlive the model.
class PagedResultsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int PageSize = 500;
    static constexpr int MaxCachedPages = 40;

    explicit PagedResultsModel(HuntBackend *backend, QObject *parent = nullptr);

    void setBackend(HuntBackend *backend);
    void open(QString huntId, OutcomeFilter filter = {}); // by value: reload() passes m_huntId
    OutcomeFilter filter() const { return m_filter; }
    void clear();
    void reload(); // same hunt and filter, fresh total (a hunt still running grows)
    // Node, Outcome and Latency sort through the store; other columns are not sortable (and
    // leave the order as it is). A column of -1 is file order.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    static bool isSortable(int column);
    ResultSort resultSort() const { return m_sort; }
    // Only nodes containing `text`, case-insensitively (empty: all).
    void setSearch(const QString &text);
    QString search() const { return m_search; }
    QString huntId() const { return m_huntId; }
    int total() const { return m_total; }
    bool isLoaded(int row) const;

    // The full record (with body) of a row, read from the store.
    void outcomeAt(int row, QObject *context, HuntBackend::Callback<Outcome> callback);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

Q_SIGNALS:
    void loaded(int total);              // the first page of open()/reload() arrived
    void failed(const QString &message); // a read failed

private:
    void requestPage(int page) const;
    ResultQuery query(int offset, int limit) const;
    void restart(); // same hunt, new query: drop the pages, read page 0
    void onPage(quint64 generation, int page, Result<ResultPage> result);

    HuntBackend *m_backend; // not owned
    QString m_huntId;
    OutcomeFilter m_filter;
    ResultSort m_sort;
    QString m_search;
    int m_total = 0;
    quint64 m_generation = 0;
    QHash<int, QList<ResultRow>> m_pages;
    QList<int> m_pageOrder; // oldest first, for eviction
    mutable QSet<int> m_requested;
};

} // namespace Artemis::Gui
