#include "headless/huntrequestjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace Artemis {

Result<HuntRequest> parseHuntBody(const QByteArray &data, int maxNodes,
                                  const QStringList &extraFields, QJsonObject *object)
{
    auto bad = [](const QString &message) {
        return makeError(ErrorCode::InvalidArgument, message);
    };
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(data, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return bad(u"body is not valid JSON: %1 at byte %2"_s.arg(parseError.errorString())
                       .arg(parseError.offset));
    }
    if (!doc.isObject()) {
        return bad(u"body must be a JSON object {\"nodes\": [...], \"url\": ...}"_s);
    }
    const QJsonObject body = doc.object();
    const QStringList known =
        QStringList{u"nodes"_s, u"url"_s, u"options"_s, u"extract"_s} + extraFields;
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!known.contains(it.key())) {
            return bad(u"unknown field '%1' (known: %2)"_s.arg(it.key(), known.join(u", "_s)));
        }
    }
    const QJsonValue nodesValue = body.value(u"nodes"_s);
    if (!nodesValue.isArray() || nodesValue.toArray().isEmpty()) {
        return bad(u"'nodes' must be a non-empty array of strings"_s);
    }
    const QJsonArray nodesArray = nodesValue.toArray();
    if (nodesArray.size() > maxNodes) {
        return makeError(
            ErrorCode::TooLarge,
            u"%1 nodes given; at most %2 per hunt"_s.arg(nodesArray.size()).arg(maxNodes));
    }
    HuntRequest hunt;
    hunt.origin = u"api"_s;
    hunt.nodes.reserve(nodesArray.size());
    QJsonArray notStrings;
    for (qsizetype i = 0; i < nodesArray.size(); ++i) {
        const QJsonValue node = nodesArray.at(i);
        if (!node.isString()) {
            notStrings.append(QJsonObject{
                {u"index"_s, int(i)}, {u"node"_s, node}, {u"reason"_s, u"not a string"_s}});
            continue;
        }
        hunt.nodes.append(node.toString());
    }
    if (!notStrings.isEmpty()) {
        return makeError(ErrorCode::InvalidNode,
                         u"%1 node(s) are not strings"_s.arg(notStrings.size()), notStrings);
    }
    if (!body.value(u"url"_s).isString()) {
        return bad(u"'url' must be a string: the path fetched on every node"_s);
    }
    hunt.url = body.value(u"url"_s).toString();
    const QJsonValue options = body.value(u"options"_s);
    if (!options.isUndefined() && !options.isNull()) {
        if (!options.isObject()) {
            return bad(u"'options' must be an object"_s);
        }
        Result<FetchOptions> parsed = FetchOptions::fromJson(options.toObject());
        if (!parsed) {
            return parsed.error();
        }
        hunt.options = std::move(parsed).value();
    }
    Result<ExtractList> extract = extractsFromJson(body.value(u"extract"_s));
    if (!extract) {
        return extract.error();
    }
    hunt.extract = std::move(extract).value();
    if (object) {
        *object = body;
    }
    return hunt;
}

Result<HuntRequest> parseHuntRequestJson(const QByteArray &body, int maxNodes)
{
    return parseHuntBody(body, maxNodes, {}, nullptr);
}

} // namespace Artemis
