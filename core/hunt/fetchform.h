#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringList>

namespace Artemis {

// The fields of the old tool's POST /fetch form.
struct FetchForm
{
    QStringList
        nodes;   // every `node` value, comma-separated lists split, parts trimmed, empties dropped
    QString url; // the first `url` value, trimmed
    bool hasFields = false; // at least one name=value pair (any name) was present
};

// Decodes application/x-www-form-urlencoded text (a request body or a query string) as HTML
// forms and Flask do: pairs split on '&', name and value on the first '=', '+' is a space, %XX
// is a byte, bytes are UTF-8 (invalid sequences become U+FFFD). Never fails: a malformed %
// escape is kept as written.
//
// Written out rather than via QUrlQuery: QUrlQuery cannot decode '+' and costs ~1.6 us a field,
// which was a third of the time to accept a 10,000-node POST /fetch.
FetchForm parseFetchForm(QByteArrayView form);

} // namespace Artemis
