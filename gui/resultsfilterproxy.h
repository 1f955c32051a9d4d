#pragma once

#include <QSortFilterProxyModel>

namespace Artemis::Gui {

// Sorts the live results table by raw values (SortRole) and filters it by outcome and text
// (node or error, case-insensitive). Lives on the GUI thread.
class ResultsFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    // Outcome filter values besides an OutcomeKind (>= 0).
    static constexpr int AnyOutcome = -100;
    static constexpr int Pending = -1;
    static constexpr int AnyFailure = -2;
    static constexpr int Unfinished = -3; // in flight or waiting to retry (LiveRole)

    explicit ResultsFilterProxy(QObject *parent = nullptr);

    void setOutcomeFilter(int filter);
    int outcomeFilter() const { return m_outcome; }
    void setTextFilter(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    int m_outcome = AnyOutcome;
    QString m_text;
};

} // namespace Artemis::Gui
