#pragma once

#include <QHash>
#include <QJsonValue>
#include <QStringList>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QStandardItem;
class QStandardItemModel;
class QTabWidget;
class QTreeView;

namespace Artemis::Gui {

// One node's JSON answer: a collapsible tree (key, value, type) with search, copy value /
// copy JSON path (context menu and shortcuts), and a raw text tab. Double-clicking a key, or
// "Compare across nodes" in the context menu, asks to compare that path over the whole hunt.
// Lives on the GUI thread.
class JsonView final : public QWidget
{
    Q_OBJECT
public:
    static constexpr int PathRole = Qt::UserRole + 1;
    static constexpr int MaxItems = 50000; // larger documents: the tree stops, raw has all

    explicit JsonView(QWidget *parent = nullptr);

    void setDocument(const QString &title, const QJsonValue &value);
    void setMessage(const QString &message); // e.g. "no JSON body: timeout"
    void clear();

    // Marks these paths (and the rows leading to them) as different: coloured rows, the
    // tooltip text given per path, parents expanded. Paths not in the tree are ignored.
    void highlightPaths(const QHash<QString, QString> &toolTips);
    QStringList highlightedPaths() const { return m_highlighted; }

    QString selectedPath() const;
    QStandardItemModel *model() const { return m_model; }
    QTreeView *tree() const { return m_tree; }
    QLineEdit *searchBox() const { return m_search; }
    QPlainTextEdit *rawView() const { return m_raw; }
    void focusSearch();
    void copySelectedValue();
    void copySelectedPath();

Q_SIGNALS:
    void comparePathRequested(const QString &path);

private:
    void addChildren(QStandardItem *parent, const QJsonValue &value, const QString &path,
                     int &budget);
    void showContextMenu(const QPoint &pos);
    void onSearch(const QString &text);

    QLabel *m_title;
    QLineEdit *m_search;
    QTabWidget *m_tabs;
    QTreeView *m_tree;
    QPlainTextEdit *m_raw;
    QStandardItemModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QStringList m_highlighted;
};

} // namespace Artemis::Gui
