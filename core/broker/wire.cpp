#include "core/broker/wire.h"

#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Artemis::Wire {

namespace {
constexpr char SpecMacPrefix[] = "artemis-mac ";
constexpr char SpecDomain[] = "spec";
constexpr char JobDomain[] = "job";
constexpr char ResultDomain[] = "result";

Signature check(const BrokerSecret &secret, QByteArrayView domain,
                std::initializer_list<QByteArrayView> parts, const QByteArray &mac)
{
    if (mac.isEmpty()) {
        return Signature::Missing;
    }
    return secret.verify(domain, parts, mac) ? Signature::Valid : Signature::Forged;
}

// A spec's bytes: its JSON, preceded with a secret by the line `artemis-mac HMAC`.
QByteArray sign(const QByteArray &body, const BrokerSecret *secret)
{
    if (!secret) {
        return body;
    }
    return SpecMacPrefix + secret->sign(SpecDomain, {body}) + '\n' + body;
}

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

QByteArray HuntSpec::toBytes(const BrokerSecret *secret) const
{
    QJsonObject json{{u"id"_s, id}};
    if (expiresAtMs > 0) {
        json.insert(u"expiresAt"_s, expiresAtMs);
    }
    if (ended) {
        // A marker, kept for days: as small as it can be (about 150 bytes, signed).
        json.insert(u"ended"_s, true);
        return sign(QJsonDocument(json).toJson(QJsonDocument::Compact), secret);
    }
    json.insert(u"path"_s, path);
    QJsonObject wireOptions = options.toWireJson();
    if (secret) {
        QJsonObject secrets;
        for (const QString &key : {u"headers"_s, u"basicAuth"_s, u"auth"_s}) {
            if (wireOptions.contains(key)) {
                secrets.insert(key, wireOptions.take(key));
            }
        }
        if (!secrets.isEmpty()) {
            json.insert(u"sealed"_s,
                        QString::fromLatin1(secret->seal(
                            QJsonDocument(secrets).toJson(QJsonDocument::Compact), id.toUtf8())));
        }
    }
    json.insert(u"options"_s, wireOptions);
    if (!policy.isEmpty()) {
        json.insert(u"policy"_s, policy);
    }
    return sign(QJsonDocument(json).toJson(QJsonDocument::Compact), secret);
}

Result<HuntSpec> HuntSpec::fromBytes(const QByteArray &bytes, const BrokerSecret *secret)
{
    QByteArray body = bytes;
    if (bytes.startsWith(SpecMacPrefix)) {
        if (!secret) {
            return makeError(ErrorCode::Forbidden,
                             u"the coordinator signs its hunts: start this worker with the "
                             "same --broker-secret-file"_s);
        }
        const qsizetype newline = bytes.indexOf('\n');
        const qsizetype prefix = qsizetype(sizeof(SpecMacPrefix) - 1);
        const QByteArray mac = newline < 0 ? QByteArray() : bytes.mid(prefix, newline - prefix);
        body = newline < 0 ? QByteArray() : bytes.mid(newline + 1);
        if (newline < 0 || !secret->verify(SpecDomain, {body}, mac)) {
            return makeError(ErrorCode::Forbidden, u"hunt spec with a forged signature"_s);
        }
    } else if (secret) {
        return makeError(ErrorCode::Forbidden,
                         u"unsigned hunt spec (this worker has --broker-secret-file)"_s);
    }
    const Result<QJsonDocument> doc = parseJson(body, u"hunt spec"_s);
    if (!doc) {
        return doc.error();
    }
    const QJsonObject json = doc->object();
    HuntSpec spec;
    spec.id = json.value(u"id"_s).toString();
    spec.expiresAtMs = std::max<qint64>(0, json.value(u"expiresAt"_s).toInteger());
    spec.ended = json.value(u"ended"_s).toBool();
    if (spec.ended && !spec.id.isEmpty()) {
        return spec; // the marker of a hunt that is over: nothing else counts
    }
    spec.path = json.value(u"path"_s).toString();
    if (spec.id.isEmpty() || !json.value(u"options"_s).isObject()) {
        return makeError(ErrorCode::InvalidArgument, u"hunt spec without id or options"_s);
    }
    QJsonObject wireOptions = json.value(u"options"_s).toObject();
    if (const QJsonValue sealed = json.value(u"sealed"_s); !sealed.isUndefined()) {
        if (!secret) {
            return makeError(ErrorCode::Forbidden, u"hunt spec with sealed secrets, and no "
                                                   "--broker-secret-file to open them"_s);
        }
        const Result<QByteArray> opened =
            secret->open(sealed.toString().toLatin1(), spec.id.toUtf8());
        if (!opened) {
            return makeError(ErrorCode::Forbidden, u"hunt spec: %1"_s.arg(opened.error().message));
        }
        const QJsonObject secrets = QJsonDocument::fromJson(*opened).object();
        for (auto it = secrets.begin(); it != secrets.end(); ++it) {
            wireOptions.insert(it.key(), it.value());
        }
    }
    Result<FetchOptions> options = FetchOptions::fromWireJson(wireOptions);
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

QByteArray signingMark(const BrokerSecret *secret)
{
    return secret ? "hmac-sha256 " + secret->sign("key id", {}).left(16) : QByteArray("none");
}

QString signingMismatch(const QByteArray &coordinator, const BrokerSecret *worker)
{
    const QByteArray mine = signingMark(worker);
    if (coordinator == mine) {
        return {};
    }
    if (!worker) {
        return u"the coordinator signs its jobs (--broker-secret-file): start this worker with "
               "the same file"_s;
    }
    if (coordinator == "none") {
        return u"the coordinator does not sign its jobs: give it this --broker-secret-file too, "
               "or start this worker without one"_s;
    }
    // Whoever can write to Redis writes this key too: only a well-formed key id is quoted.
    const QByteArray theirs = coordinator.mid(12);
    static const QRegularExpression keyId(u"^[0-9a-f]{16}$"_s);
    const bool wellFormed = coordinator.startsWith("hmac-sha256 ")
                            && keyId.match(QString::fromLatin1(theirs)).hasMatch();
    return u"this worker's --broker-secret-file is not the coordinator's (key ids %1 and %2)"_s.arg(
        QString::fromLatin1(mine.mid(12)),
        wellFormed ? QString::fromLatin1(theirs) : u"(not a key id)"_s);
}

QByteArray jobMac(const BrokerSecret &secret, QByteArrayView hunt, QByteArrayView job,
                  QByteArrayView expires, QByteArrayView nodes)
{
    return secret.sign(JobDomain, {hunt, job, expires, nodes});
}

QByteArray newJobId()
{
    quint64 words[2];
    QRandomGenerator::system()->fillRange(words);
    return QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex();
}

QList<QByteArray> jobFields(const BrokerSecret *secret, QByteArrayView hunt, qint64 expiresAtMs,
                            const QByteArray &nodes)
{
    const QByteArray job = newJobId();
    const QByteArray expires = QByteArray::number(expiresAtMs);
    QList<QByteArray> fields{"hunt", hunt.toByteArray(), "job", job, "expires", expires, "nodes",
                             nodes};
    if (secret) {
        fields << "mac" << jobMac(*secret, hunt, job, expires, nodes);
    }
    return fields;
}

qint64 jobExpiry(const StreamEntry &entry)
{
    bool ok = false;
    const qint64 expires = entry.fields.value("expires").toLongLong(&ok);
    return ok && expires > 0 ? expires : 0;
}

QByteArray resultMac(const BrokerSecret &secret, QByteArrayView hunt, QByteArrayView worker,
                     QByteArrayView outcomes)
{
    return secret.sign(ResultDomain, {hunt, worker, outcomes});
}

Signature checkJob(const BrokerSecret &secret, const StreamEntry &entry)
{
    return check(secret, JobDomain,
                 {entry.fields.value("hunt"), entry.fields.value("job"),
                  entry.fields.value("expires"), entry.fields.value("nodes")},
                 entry.fields.value("mac"));
}

Signature checkResult(const BrokerSecret &secret, const StreamEntry &entry)
{
    return check(
        secret, ResultDomain,
        {entry.fields.value("hunt"), entry.fields.value("worker"), entry.fields.value("outcomes")},
        entry.fields.value("mac"));
}

QByteArray encodeNodes(const QStringList &nodes, const QList<Labels> &labels)
{
    if (labels.isEmpty()) {
        return QJsonDocument(QJsonArray::fromStringList(nodes)).toJson(QJsonDocument::Compact);
    }
    QJsonArray array;
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        array.append(
            QJsonObject{{u"node"_s, nodes.at(i)}, {u"labels"_s, labelsToJson(labels.value(i))}});
    }
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

Result<QStringList> decodeNodes(const QByteArray &bytes, QList<Labels> *labels)
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
        if (value.isObject() && labels) {
            Result<Labels> parsed = labelsFromJson(value[u"labels"_s]);
            if (!value[u"node"_s].isString() || !parsed) {
                return makeError(ErrorCode::InvalidArgument, u"job nodes: a bad labelled node"_s);
            }
            nodes.append(value[u"node"_s].toString());
            labels->resize(nodes.size() - 1);
            labels->append(std::move(parsed).value());
            continue;
        }
        if (!value.isString()) {
            return makeError(ErrorCode::InvalidArgument, u"job nodes: not a string"_s);
        }
        nodes.append(value.toString());
    }
    if (labels && !labels->isEmpty()) {
        labels->resize(nodes.size());
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
        {u"errors"_s, errors},
        {u"refusedJobs"_s, refusedJobs},
        {u"signingMismatch"_s, signingMismatch},
        {u"nodesPerSecond"_s, std::round(nodesPerSecond * 10) / 10},
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
    info.errors = json.value(u"errors"_s).toInteger();
    info.refusedJobs = json.value(u"refusedJobs"_s).toInteger();
    info.signingMismatch = json.value(u"signingMismatch"_s).toString();
    info.nodesPerSecond = json.value(u"nodesPerSecond"_s).toDouble();
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
