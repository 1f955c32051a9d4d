#include "core/redis/wire.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace Artemis::Wire {

namespace {
Result<QJsonDocument> parseJson(const QByteArray &bytes, const QString &what)
{
    QJsonParseError error{};
    QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError) {
        return makeError(ErrorCode::InvalidArgument,
                         u"bad %1: %2 at %3"_s.arg(what, error.errorString()).arg(error.offset));
    }
    return doc;
}
} // namespace

QByteArray huntKey(const QString &huntId)
{
    return "artemis:hunt:" + huntId.toUtf8();
}

QByteArray cancelKey(const QString &huntId)
{
    return "artemis:cancel:" + huntId.toUtf8();
}

QByteArray workerKey(const QString &name)
{
    return "artemis:worker:" + name.toUtf8();
}

QByteArray HuntSpec::toBytes() const
{
    QJsonObject json{{u"id"_s, id}, {u"path"_s, path}, {u"options"_s, options.toWireJson()}};
    if (!policy.isEmpty()) {
        json.insert(u"policy"_s, policy);
    }
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

Result<HuntSpec> HuntSpec::fromBytes(const QByteArray &bytes)
{
    const Result<QJsonDocument> doc = parseJson(bytes, u"hunt spec"_s);
    if (!doc) {
        return doc.error();
    }
    const QJsonObject json = doc->object();
    HuntSpec spec;
    spec.id = json.value(u"id"_s).toString();
    spec.path = json.value(u"path"_s).toString();
    if (spec.id.isEmpty() || !json.value(u"options"_s).isObject()) {
        return makeError(ErrorCode::InvalidArgument, u"hunt spec without id or options"_s);
    }
    Result<FetchOptions> options = FetchOptions::fromJson(json.value(u"options"_s).toObject());
    if (!options) {
        return options.error();
    }
    spec.options = std::move(options).value();
    if (const QJsonValue policy = json.value(u"policy"_s); !policy.isUndefined()) {
        Result<TargetPolicy> parsed =
            policy.isObject() ? TargetPolicy::fromJson(policy.toObject())
                              : Result<TargetPolicy>(makeError(ErrorCode::InvalidArgument,
                                                               u"hunt spec: 'policy' must be an "
                                                               u"object"_s));
        if (!parsed) {
            return parsed.error();
        }
        spec.policy = policy.toObject();
        spec.options.extraPolicy = std::make_shared<const TargetPolicy>(std::move(parsed).value());
    }
    return spec;
}

QByteArray encodeNodes(const QStringList &nodes)
{
    return QJsonDocument(QJsonArray::fromStringList(nodes)).toJson(QJsonDocument::Compact);
}

Result<QStringList> decodeNodes(const QByteArray &bytes)
{
    const Result<QJsonDocument> doc = parseJson(bytes, u"job nodes"_s);
    if (!doc) {
        return doc.error();
    }
    if (!doc->isArray()) {
        return makeError(ErrorCode::InvalidArgument, u"job nodes: not an array"_s);
    }
    QStringList nodes;
    for (const QJsonValue &value : doc->array()) {
        if (!value.isString()) {
            return makeError(ErrorCode::InvalidArgument, u"job nodes: not a string"_s);
        }
        nodes.append(value.toString());
    }
    return nodes;
}

QByteArray encodeOutcomes(const QList<Outcome> &outcomes)
{
    QJsonArray array;
    for (const Outcome &outcome : outcomes) {
        array.append(outcome.toJson());
    }
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

Result<QList<Outcome>> decodeOutcomes(const QByteArray &bytes)
{
    const Result<QJsonDocument> doc = parseJson(bytes, u"outcomes"_s);
    if (!doc) {
        return doc.error();
    }
    if (!doc->isArray()) {
        return makeError(ErrorCode::InvalidArgument, u"outcomes: not an array"_s);
    }
    QList<Outcome> outcomes;
    for (const QJsonValue &value : doc->array()) {
        Result<Outcome> outcome = Outcome::fromJson(value.toObject());
        if (!outcome) {
            return outcome.error();
        }
        outcomes.append(std::move(outcome).value());
    }
    return outcomes;
}

QJsonObject WorkerInfo::toJson() const
{
    return QJsonObject{
        {u"name"_s, name},
        {u"host"_s, host},
        {u"pid"_s, pid},
        {u"inFlight"_s, inFlight},
        {u"done"_s, done},
        {u"jobs"_s, jobs},
        {u"startedAt"_s, startedAt.toString(Qt::ISODateWithMs)},
        {u"seenAt"_s, seenAt.toString(Qt::ISODateWithMs)},
    };
}

Result<WorkerInfo> WorkerInfo::fromJson(const QJsonObject &json)
{
    WorkerInfo info;
    info.name = json.value(u"name"_s).toString();
    if (info.name.isEmpty()) {
        return makeError(ErrorCode::InvalidArgument, u"worker without a name"_s);
    }
    info.host = json.value(u"host"_s).toString();
    info.pid = json.value(u"pid"_s).toInteger();
    info.inFlight = json.value(u"inFlight"_s).toInt();
    info.done = json.value(u"done"_s).toInteger();
    info.jobs = json.value(u"jobs"_s).toInt();
    info.startedAt = QDateTime::fromString(json.value(u"startedAt"_s).toString(), Qt::ISODate);
    info.seenAt = QDateTime::fromString(json.value(u"seenAt"_s).toString(), Qt::ISODate);
    return info;
}

QList<StreamEntry> parseEntries(const RedisReply &array)
{
    QList<StreamEntry> entries;
    for (const RedisReply &item : array.elements) {
        if (item.elements.size() != 2 || item.elements.at(0).type != RedisReply::Type::String) {
            continue;
        }
        StreamEntry entry;
        entry.id = item.elements.at(0).str;
        const QList<RedisReply> &fields = item.elements.at(1).elements;
        for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
            entry.fields.insert(fields.at(i).str, fields.at(i + 1).str);
        }
        entries.append(std::move(entry));
    }
    return entries;
}

QList<StreamEntry> parseReadReply(const RedisReply &reply)
{
    QList<StreamEntry> entries;
    for (const RedisReply &stream : reply.elements) {
        if (stream.elements.size() == 2) {
            entries.append(parseEntries(stream.elements.at(1)));
        }
    }
    return entries;
}

QList<StreamEntry> parseAutoClaimReply(const RedisReply &reply, QByteArray *cursor)
{
    if (reply.type != RedisReply::Type::Array || reply.elements.size() < 2) {
        *cursor = "0-0";
        return {};
    }
    *cursor = reply.elements.at(0).str;
    return parseEntries(reply.elements.at(1));
}

} // namespace Artemis::Wire
