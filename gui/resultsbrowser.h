#pragma once

#include <QWidget>

#include "core/engine/huntengine.h"

class QComboBox;
class QLabel;
class QPushButton;
class QLineEdit;
class QTableView;
class QTimer;

namespace Artemis::Gui {

class HuntBackend;
class HuntListModel;
class JsonView;
class PagedResultsModel;

// Saved hunts (newest first, state and counts) -> the nodes of the selected hunt (paged from
// the store) -> the selected node's JSON. Every read is asynchronous through the backend.
// The node table sorts (Node, Outcome, Latency headers) and searches nodes through the store,
// so both cover every result, not only the loaded pages.
// Lives on the GUI thread.
class ResultsBrowser final : public QWidget
{
    Q_OBJECT
public:
    static constexpr int HuntListLimit = 500;
    static constexpr int SearchDelayMs = 250; // typing pauses this long before a search

    explicit ResultsBrowser(HuntBackend *backend, QWidget *parent = nullptr);

    void setBackend(HuntBackend *backend); // not owned
    void refresh();                        // reloads the hunt list
    void openHunt(const QString &id);      // selects it (after the list has it)
    void showRow(int row);                 // shows the JSON of a row of the nodes table
    QString currentHunt() const { return m_currentHunt; }
    QString shownNode() const { return m_shownNode; }

    HuntListModel *huntModel() const { return m_hunts; }
    PagedResultsModel *resultsModel() const { return m_results; }
    QTableView *huntTable() const { return m_huntTable; }
    QTableView *nodeTable() const { return m_nodeTable; }
    QLineEdit *searchBox() const { return m_search; }
    QLabel *nodesLabel() const { return m_nodesLabel; }
    // "1,954 ok (show)": a hunt with failures opens on its failing nodes, the ok ones folded.
    QPushButton *okFold() const { return m_okFold; }
    JsonView *jsonView() const { return m_json; }

Q_SIGNALS:
    void huntsLoaded(int count);
    void huntOpened(const QString &id, const QString &description);
    void nodeShown(const QString &node);
    void comparePathRequested(const QString &path);
    void diffRequested(const QString &node, const QString &against);
    void message(const QString &text);

private:
    void onHuntSelected();
    void onNodeSelected();
    void showNodeMenu(const QPoint &pos);
    void onSortIndicatorChanged(int column, Qt::SortOrder order);
    QString describe(const HuntInfo &info) const;
    OutcomeFilter chosenFilter() const; // what m_outcome says
    void showOkFold(const HuntInfo &info);

    HuntBackend *m_backend; // not owned
    QMetaObject::Connection m_progressConnection;
    QMetaObject::Connection m_finishedConnection;
    QMetaObject::Connection m_startedConnection;
    HuntListModel *m_hunts;
    PagedResultsModel *m_results;
    QTableView *m_huntTable;
    QTableView *m_nodeTable;
    QComboBox *m_outcome;
    QLineEdit *m_search;
    QTimer *m_searchDelay;
    QLabel *m_nodesLabel;
    QPushButton *m_okFold;
    JsonView *m_json;
    QString m_currentHunt;
    QString m_pendingOpen;
    QString m_shownNode;
    quint64 m_listGeneration = 0;
    quint64 m_nodeGeneration = 0;
};

} // namespace Artemis::Gui
