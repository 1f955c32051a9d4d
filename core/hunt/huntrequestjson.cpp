#include "core/hunt/huntrequestjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include "core/base/nodelabels.h"

using namespace Qt::StringLiterals;

namespace Artemis {

Result<HuntRequest> parseHuntBody(const QByteArray &data, int maxNodes,
                                  const QStringList &extraFields, QJsonObject *object,
                                  const FileAccess &files)
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
    // A schedule may read its nodes from a source instead (core/inventory/nodesource.h): one or the
    // other.
    const bool fromSource = extraFields.contains(u"nodesFrom"_s);
    if (fromSource && body.contains(u"nodes"_s) == body.contains(u"nodesFrom"_s)) {
        return bad(body.contains(u"nodes"_s)
                       ? u"give either 'nodes' or 'nodesFrom', not both"_s
                       : u"'nodes' (a non-empty array) or 'nodesFrom' ({\"file\": PATH} or "
                         "{\"http\": URL}) is required"_s);
    }
    const QJsonValue nodesValue = body.value(u"nodes"_s);
    const bool nodesGiven = !fromSource || body.contains(u"nodes"_s);
    if (nodesGiven && (!nodesValue.isArray() || nodesValue.toArray().isEmpty())) {
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
    bool anyLabels = false;
    QList<Labels> labels(nodesArray.size());
    for (qsizetype i = 0; i < nodesArray.size(); ++i) {
        const QJsonValue node = nodesArray.at(i);
        if (node.isString()) {
            hunt.nodes.append(node.toString());
            continue;
        }
        // {"node": "...", "labels": {...}}: a node with labels.
        const QJsonObject entry = node.toObject();
        QString reason;
        if (!node.isObject() || !entry.value(u"node"_s).isString()) {
            reason = u"not a string or {\"node\": \"...\", \"labels\": {...}}"_s;
        } else if (entry.size() != 1 + int(entry.contains(u"labels"_s))) {
            reason = u"a node object has only 'node' and 'labels'"_s;
        } else if (Result<Labels> parsed = labelsFromJson(entry.value(u"labels"_s)); !parsed) {
            reason = parsed.error().message;
        } else {
            labels[i] = std::move(parsed).value();
            anyLabels = anyLabels || !labels.at(i).isEmpty();
            hunt.nodes.append(entry.value(u"node"_s).toString());
            continue;
        }
        notStrings.append(
            QJsonObject{{u"index"_s, int(i)}, {u"node"_s, node}, {u"reason"_s, reason}});
    }
    if (!notStrings.isEmpty()) {
        return makeError(
            ErrorCode::InvalidNode,
            u"%1 node(s) are neither strings nor valid node objects"_s.arg(notStrings.size()),
            notStrings);
    }
    if (anyLabels) {
        hunt.labels = std::move(labels);
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
        Result<FetchOptions> parsed = FetchOptions::fromJson(options.toObject(), files);
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

Result<HuntRequest> parseHuntRequestJson(const QByteArray &body, int maxNodes,
                                         const FileAccess &files)
{
    return parseHuntBody(body, maxNodes, {}, nullptr, files);
}

QJsonObject huntRequestToJson(const HuntRequest &request)
{
    QJsonArray nodes;
    const bool labelled = request.labels.size() == request.nodes.size();
    for (qsizetype i = 0; i < request.nodes.size(); ++i) {
        if (labelled && !request.labels.at(i).isEmpty()) {
            nodes.append(QJsonObject{{u"node"_s, request.nodes.at(i)},
                                     {u"labels"_s, labelsToJson(request.labels.at(i))}});
        } else {
            nodes.append(request.nodes.at(i));
        }
    }
    QJsonObject body{
        {u"nodes"_s, nodes},
        {u"url"_s, request.url},
        {u"options"_s, request.options.toWireJson()},
    };
    if (!request.extract.isEmpty()) {
        body.insert(u"extract"_s, extractsToJson(request.extract));
    }
    return body;
}

} // namespace Artemis
