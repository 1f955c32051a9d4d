#pragma once

#include <optional>

#include <QWidget>

#include "core/fetch/outcome.h"
#include "core/fleet/nodediff.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace Artemis::Gui {

class HuntBackend;
class JsonView;

// "How is this node's answer different?": one node of a hunt against the fleet's majority, its
// schedule's previous round or another node (core NodeDiff through the backend, off the GUI
// thread). The node's JSON tree marks every differing path (tooltip: expected value and share);
// a table lists differences, keys only this node has and keys it lacks. Lives on the GUI thread.
class DiffView final : public QWidget
{
    Q_OBJECT
public:
    explicit DiffView(HuntBackend *backend, QWidget *parent = nullptr);

    void setBackend(HuntBackend *backend); // not owned
    void setHunt(const QString &huntId);
    // against: "majority", "previous" or another node.
    void showDiff(const QString &node, const QString &against = QStringLiteral("majority"));

    JsonView *jsonView() const { return m_json; }
    QTableWidget *table() const { return m_table; }
    QLabel *summary() const { return m_summary; }

Q_SIGNALS:
    void diffShown(const Artemis::NodeDiff &diff);
    void message(const QString &text);

private:
    void onArrived();

    HuntBackend *m_backend; // not owned
    QString m_huntId;
    quint64 m_generation = 0;
    std::optional<NodeDiff> m_diff;
    std::optional<Outcome> m_outcome;
    QLineEdit *m_node;
    QComboBox *m_against;
    QPushButton *m_go;
    QLabel *m_summary;
    QTableWidget *m_table;
    JsonView *m_json;
};

} // namespace Artemis::Gui
