#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringView>

#include "core/base/nodelabels.h"

namespace Artemis {

// The Results search (ResultQuery::nodeContains: the API's `search=`, the GUI's search box).
//
// Rules: the text is split at whitespace into terms; a result matches when every term does.
// - A term NAME=VALUE whose NAME is a valid label name (core/base/nodelabels.h) matches a node that
//   has the label NAME with the value VALUE (case-insensitively; VALUE may be empty), and a node
//   whose name contains the term: "rack=r7" finds the nodes of rack r7, not those of r70.
// - Any other term matches nodes whose name contains it, case-insensitively (":9100").
// So "rack=r7 :9100" is rack r7's nodes on port 9100; an empty text matches everything.
//
// Pure value; thread-safe.
class NodeSearch
{
public:
    explicit NodeSearch(QStringView text);

    bool isEmpty() const { return m_terms.isEmpty(); }
    // Some term is NAME=VALUE: matching needs each result's labels, not only its node.
    bool readsLabels() const { return m_readsLabels; }
    bool matches(QStringView node, const Labels &labels) const;
    // `labels` as a stored result line holds them (the "labels" object, SkimmedRecord).
    bool matches(QStringView node, const QJsonObject &labels) const;

private:
    struct Term
    {
        QString text;
        QString label; // NAME of a NAME=VALUE term; empty otherwise
        QString value;
    };
    template <typename Lookup> bool matchesWith(QStringView node, Lookup label) const;

    QList<Term> m_terms;
    bool m_readsLabels = false;
};

} // namespace Artemis
