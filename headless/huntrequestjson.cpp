#include "headless/huntrequestjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Artemis {

Result<HuntRequest> parseHuntRequestJson(const QByteArray &body, int maxNodes)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return makeError(ErrorCode::InvalidArgument, u"body is not valid JSON: %1 at byte %2"_s
                                                         .arg(parseError.errorString())
                                                         .arg(parseError.offset));
    }
    if (!doc.isObject()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"body must be a JSON object {\"nodes\": [...], \"url\": ...}"_s);
    }
    const QJsonObject object = doc.object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() != u"nodes"_s && it.key() != u"url"_s && it.key() != u"options"_s) {
            return makeError(ErrorCode::InvalidArgument,
                             u"unknown field '%1' (known: nodes, url, options)"_s.arg(it.key()));
        }
    }
    const QJsonValue nodesValue = object.value(u"nodes"_s);
    if (!nodesValue.isArray() || nodesValue.toArray().isEmpty()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"'nodes' must be a non-empty array of strings"_s);
    }
    const QJsonArray nodesArray = nodesValue.toArray();
    if (nodesArray.size() > maxNodes) {
        return makeError(ErrorCode::TooLarge, u"%1 nodes given; at most %2 per hunt"_s
                                                  .arg(nodesArray.size())
                                                  .arg(maxNodes));
    }
    HuntRequest hunt;
    hunt.origin = u"api"_s;
    hunt.nodes.reserve(nodesArray.size());
    QJsonArray notStrings;
    for (qsizetype i = 0; i < nodesArray.size(); ++i) {
        const QJsonValue node = nodesArray.at(i);
        if (!node.isString()) {
            notStrings.append(QJsonObject{{u"index"_s, int(i)},
                                          {u"node"_s, node},
                                          {u"reason"_s, u"not a string"_s}});
            continue;
        }
        hunt.nodes.append(node.toString());
    }
    if (!notStrings.isEmpty()) {
        return makeError(ErrorCode::InvalidNode,
                         u"%1 node(s) are not strings"_s.arg(notStrings.size()), notStrings);
    }
    if (!object.value(u"url"_s).isString()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"'url' must be a string: the path fetched on every node"_s);
    }
    hunt.url = object.value(u"url"_s).toString();
    const QJsonValue options = object.value(u"options"_s);
    if (!options.isUndefined() && !options.isNull()) {
        if (!options.isObject()) {
            return makeError(ErrorCode::InvalidArgument, u"'options' must be an object"_s);
        }
        Result<FetchOptions> parsed = FetchOptions::fromJson(options.toObject());
        if (!parsed) {
            return parsed.error();
        }
        hunt.options = std::move(parsed).value();
    }
    return hunt;
}

} // namespace Artemis
