#include "core/inventory/nodesearch.h"

#include <optional>

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Artemis {

NodeSearch::NodeSearch(QStringView text)
{
    static const QRegularExpression space(u"\\s+"_s);
    for (const QString &part : text.toString().split(space, Qt::SkipEmptyParts)) {
        Term term{part, {}, {}};
        if (const qsizetype eq = part.indexOf(u'='); eq > 0) {
            const QString name = part.left(eq);
            if (isValidLabelName(name)) {
                term.label = name;
                term.value = part.mid(eq + 1);
                m_readsLabels = true;
            }
        }
        m_terms.append(std::move(term));
    }
}

template <typename Lookup> bool NodeSearch::matchesWith(QStringView node, Lookup label) const
{
    for (const Term &term : m_terms) {
        if (node.contains(term.text, Qt::CaseInsensitive)) {
            continue;
        }
        if (term.label.isEmpty()) {
            return false;
        }
        const std::optional<QString> value = label(term.label);
        if (!value || value->compare(term.value, Qt::CaseInsensitive) != 0) {
            return false;
        }
    }
    return true;
}

bool NodeSearch::matches(QStringView node, const Labels &labels) const
{
    return matchesWith(node, [&labels](const QString &name) -> std::optional<QString> {
        const auto it = labels.constFind(name);
        return it == labels.cend() ? std::nullopt : std::optional<QString>(*it);
    });
}

bool NodeSearch::matches(QStringView node, const QJsonObject &labels) const
{
    return matchesWith(node, [&labels](const QString &name) -> std::optional<QString> {
        const QJsonValue value = labels.value(name);
        return value.isString() ? std::optional<QString>(value.toString()) : std::nullopt;
    });
}

} // namespace Artemis
