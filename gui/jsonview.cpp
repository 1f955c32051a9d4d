#include "gui/jsonview.h"

#include <functional>

#include <QAction>
#include <QApplication>
#include <QBrush>
#include <QClipboard>
#include <QColor>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTreeView>
#include <QVBoxLayout>

#include "core/base/jsonvalues.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

JsonView::JsonView(QWidget *parent)
    : QWidget(parent),
      m_title(new QLabel(this)),
      m_search(new QLineEdit(this)),
      m_tabs(new QTabWidget(this)),
      m_tree(new QTreeView(this)),
      m_raw(new QPlainTextEdit(this)),
      m_model(new QStandardItemModel(this)),
      m_proxy(new QSortFilterProxyModel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    m_search->setPlaceholderText(u"Search keys and values (Ctrl+F)"_s);
    m_search->setClearButtonEnabled(true);
    m_search->setObjectName(u"jsonSearch"_s);
    layout->addWidget(m_title);
    layout->addWidget(m_search);
    layout->addWidget(m_tabs, 1);

    m_model->setHorizontalHeaderLabels({u"Key"_s, u"Value"_s, u"Type"_s});
    m_proxy->setSourceModel(m_model);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setAutoAcceptChildRows(true);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_tree->setModel(m_proxy);
    m_tree->setObjectName(u"jsonTree"_s);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_tree->setColumnWidth(0, 220);
    m_raw->setReadOnly(true);
    m_raw->setObjectName(u"jsonRaw"_s);
    m_raw->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_raw->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_tabs->addTab(m_tree, u"Tree"_s);
    m_tabs->addTab(m_raw, u"Raw"_s);

    connect(m_search, &QLineEdit::textChanged, this, &JsonView::onSearch);
    connect(m_tree, &QWidget::customContextMenuRequested, this, &JsonView::showContextMenu);
    connect(m_tree, &QTreeView::doubleClicked, this, [this](const QModelIndex &index) {
        const QString path = index.siblingAtColumn(0).data(PathRole).toString();
        if (!path.isEmpty()) {
            Q_EMIT comparePathRequested(path);
        }
    });

    auto *copyValue = new QAction(u"Copy value"_s, this);
    copyValue->setShortcut(QKeySequence::Copy);
    copyValue->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copyValue, &QAction::triggered, this, &JsonView::copySelectedValue);
    auto *copyPath = new QAction(u"Copy JSON path"_s, this);
    copyPath->setShortcut(QKeySequence(u"Ctrl+Shift+C"_s));
    copyPath->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copyPath, &QAction::triggered, this, &JsonView::copySelectedPath);
    m_tree->addAction(copyValue);
    m_tree->addAction(copyPath);
    clear();
}

void JsonView::clear()
{
    setMessage(u"Select a node to see its JSON."_s);
}

void JsonView::setMessage(const QString &message)
{
    m_highlighted.clear();
    m_model->removeRows(0, m_model->rowCount());
    m_raw->clear();
    m_title->setText(message);
}

void JsonView::setDocument(const QString &title, const QJsonValue &value)
{
    m_model->removeRows(0, m_model->rowCount());
    m_highlighted.clear();
    m_title->setText(title);
    int budget = MaxItems;
    if (value.isObject() || value.isArray()) {
        addChildren(m_model->invisibleRootItem(), value, QString(), budget);
        m_raw->setPlainText(QString::fromUtf8(
            value.isObject() ? QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented)
                             : QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented)));
    } else {
        auto *key = new QStandardItem(u"(value)"_s);
        key->setData(QString(), PathRole);
        m_model->appendRow(
            {key, new QStandardItem(jsonValueText(value)), new QStandardItem(jsonTypeName(value))});
        m_raw->setPlainText(jsonValueText(value));
    }
    if (budget <= 0) {
        m_title->setText(
            title + u" — tree truncated at %1 items; the Raw tab has it all"_s.arg(MaxItems));
    }
    m_tree->expandToDepth(0);
    onSearch(m_search->text());
}

void JsonView::addChildren(QStandardItem *parent, const QJsonValue &value, const QString &path,
                           int &budget)
{
    const auto addRow = [&](const QString &key, const QString &childPath, const QJsonValue &child) {
        if (--budget < 0) {
            return;
        }
        auto *keyItem = new QStandardItem(key);
        keyItem->setData(childPath, PathRole);
        keyItem->setToolTip(childPath);
        QString text;
        if (child.isObject()) {
            text = u"{%1}"_s.arg(child.toObject().size());
        } else if (child.isArray()) {
            text = u"[%1]"_s.arg(child.toArray().size());
        } else {
            text = jsonValueText(child);
        }
        auto *valueItem = new QStandardItem(text);
        auto *typeItem = new QStandardItem(jsonTypeName(child));
        for (QStandardItem *item : {keyItem, valueItem, typeItem}) {
            item->setEditable(false);
        }
        parent->appendRow({keyItem, valueItem, typeItem});
        if (child.isObject() || child.isArray()) {
            addChildren(keyItem, child, childPath, budget);
        }
    };
    if (value.isObject()) {
        const QJsonObject obj = value.toObject();
        for (auto it = obj.begin(); it != obj.end() && budget > 0; ++it) {
            addRow(it.key(), jsonPathAppendKey(path, it.key()), it.value());
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (int i = 0; i < array.size() && budget > 0; ++i) {
            addRow(u"[%1]"_s.arg(i), jsonPathAppendIndex(path, i), array.at(i));
        }
    }
}

void JsonView::highlightPaths(const QHash<QString, QString> &toolTips)
{
    m_highlighted.clear();
    const QBrush differs(QColor(0xff, 0xc8, 0xc8));
    const QBrush leadsThere(QColor(0xff, 0xee, 0xee));
    const std::function<bool(QStandardItem *)> visit = [&](QStandardItem *parent) {
        bool below = false;
        for (int r = 0; r < parent->rowCount(); ++r) {
            QStandardItem *key = parent->child(r, 0);
            const QString path = key->data(PathRole).toString();
            const bool hit = toolTips.contains(path);
            const bool inside = visit(key);
            if (hit || inside) {
                for (int c = 0; c < 3; ++c) {
                    if (QStandardItem *item = parent->child(r, c)) {
                        item->setBackground(hit ? differs : leadsThere);
                        if (hit) {
                            item->setToolTip(toolTips.value(path));
                        }
                    }
                }
                if (hit) {
                    m_highlighted.append(path);
                }
                if (inside) {
                    m_tree->expand(m_proxy->mapFromSource(key->index()));
                }
                below = true;
            }
        }
        return below;
    };
    visit(m_model->invisibleRootItem());
}

void JsonView::onSearch(const QString &text)
{
    m_proxy->setFilterFixedString(text.trimmed());
    if (!text.trimmed().isEmpty()) {
        m_tree->expandAll();
    }
}

void JsonView::focusSearch()
{
    m_search->setFocus();
    m_search->selectAll();
}

QString JsonView::selectedPath() const
{
    const QModelIndex index = m_tree->currentIndex();
    return index.isValid() ? index.siblingAtColumn(0).data(PathRole).toString() : QString();
}

void JsonView::copySelectedValue()
{
    const QModelIndex index = m_proxy->mapToSource(m_tree->currentIndex());
    if (!index.isValid()) {
        return;
    }
    // Containers copy as JSON text; scalars as shown.
    const QStandardItem *key = m_model->itemFromIndex(index.siblingAtColumn(0));
    QString text = index.siblingAtColumn(1).data().toString();
    if (key && key->hasChildren()) {
        const Result<JsonPath> path = parseJsonPath(key->data(PathRole).toString());
        const QJsonDocument raw = QJsonDocument::fromJson(m_raw->toPlainText().toUtf8());
        const QJsonValue root = raw.isObject() ? QJsonValue(raw.object()) : QJsonValue(raw.array());
        if (path) {
            text = jsonValueText(jsonValueAt(root, *path));
        }
    }
    QApplication::clipboard()->setText(text);
}

void JsonView::copySelectedPath()
{
    const QString path = selectedPath();
    if (!path.isEmpty()) {
        QApplication::clipboard()->setText(path);
    }
}

void JsonView::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_tree->indexAt(pos);
    if (!index.isValid()) {
        return;
    }
    m_tree->setCurrentIndex(index);
    const QString path = selectedPath();
    QMenu menu(this);
    menu.addAction(u"Copy value"_s, this, &JsonView::copySelectedValue);
    menu.addAction(u"Copy JSON path"_s, this, &JsonView::copySelectedPath);
    menu.addSeparator();
    QAction *compare = menu.addAction(u"Compare %1 across nodes"_s.arg(path), this,
                                      [this, path] { Q_EMIT comparePathRequested(path); });
    compare->setEnabled(!path.isEmpty());
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

} // namespace Artemis::Gui
