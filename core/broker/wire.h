#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "core/base/result.h"
#include "core/broker/brokersecret.h"
#include "core/broker/redisconnection.h"
#include "core/fetch/fetchoptions.h"
#include "core/fetch/outcome.h"

// What coordinator and workers put in Redis (docs/distributed.md has the whole picture).
// Pure functions and plain values; no I/O.
namespace Artemis::Wire {

// With a broker secret every entry also has a field `mac` (see jobMac, resultMac).
// entries: hunt, job (a unique id, newJobId), expires (ms since epoch, the hunt's expiry), nodes
inline constexpr char JobsStream[] = "artemis:jobs";
inline constexpr char ResultsStream[] = "artemis:results"; // entries: hunt, worker, outcomes
inline constexpr char WorkersGroup[] = "workers";          // consumer group on JobsStream
inline constexpr char CoordinatorGroup[] = "coordinator";  // consumer group on ResultsStream
inline constexpr char WorkersIndex[] = "artemis:workers";  // zset: name -> expiry (ms epoch)
// Set by the coordinator on every connect: signingMark() of its secret. Advice only: anyone who
// can write to Redis can write it too. A worker without a secret that finds a coordinator that
// signs stops with a clear error (it could fetch nothing); a worker with a secret never changes
// what it accepts because of it, it warns (log, heartbeat, metric) and goes on refusing
// whatever its secret did not sign.
inline constexpr char SigningKey[] = "artemis:signing";

// "none", or "hmac-sha256 " + a key id (a MAC over nothing: names the secret, reveals nothing).
QByteArray signingMark(const BrokerSecret *secret);
// Why a worker's mark cannot work with the coordinator's; empty when they agree. Quotes nothing
// of `coordinator` but a well-formed key id.
QString signingMismatch(const QByteArray &coordinator, const BrokerSecret *worker);

// artemis:hunt:<id> -> HuntSpec JSON while the hunt runs, then its `ended` marker until it expires
QByteArray huntKey(const QString &huntId);
QByteArray cancelKey(const QString &huntId); // artemis:cancel:<id> -> "1"
QByteArray workerKey(const QString &name);   // artemis:worker:<name> -> WorkerInfo JSON

// What a worker needs to fetch a hunt's nodes.
struct HuntSpec
{
    QString id;
    QString path; // fetched on every node (HuntInfo::url)
    FetchOptions options;
    // The coordinator's target policy (TargetPolicy::toJson; empty: none sent). fromBytes
    // puts it in options.extraPolicy, so the worker's fetcher checks it besides its own.
    QJsonObject policy;
    // Jobs of this hunt, and the spec itself, are refused after this (ms since epoch; 0: never).
    // Every job carries the same time in its signed `expires`.
    qint64 expiresAtMs = 0;
    // The hunt is over (done or cancelled): what the coordinator leaves in huntKey() until
    // expiresAtMs, so that a job replayed after the end is refused rather than fetched. Only
    // id and expiresAtMs go with it.
    bool ended = false;

    // Options with header values (FetchOptions::toWireJson). With a secret: the header values
    // and the Basic auth are sealed (AES-GCM, bound to the hunt id) in `sealed`, and the JSON
    // is preceded by a line `artemis-mac <HMAC>`.
    QByteArray toBytes(const BrokerSecret *secret = nullptr) const;
    // With a secret, only a spec signed by it is taken; without one, a signed spec is refused
    // (its secrets could not be opened), naming the missing --broker-secret-file.
    static Result<HuntSpec> fromBytes(const QByteArray &bytes,
                                      const BrokerSecret *secret = nullptr);
};

// MACs of stream entries (field `mac`), over the entry's other fields.
QByteArray jobMac(const BrokerSecret &secret, QByteArrayView hunt, QByteArrayView job,
                  QByteArrayView expires, QByteArrayView nodes);
QByteArray resultMac(const BrokerSecret &secret, QByteArrayView hunt, QByteArrayView worker,
                     QByteArrayView outcomes);

// The fields of a job entry (XADD after "XADD stream *"), signed when `secret` is given.
QList<QByteArray> jobFields(const BrokerSecret *secret, QByteArrayView hunt, qint64 expiresAtMs,
                            const QByteArray &nodes);
QByteArray newJobId(); // 32 random hex digits

// A job's nodes: a JSON array of node strings, or, with `labels` (one per node: a hunt with auth
// rules, whose workers pick each node's credentials by its labels, core/fetch/authrules.h), of
// {"node", "labels"} objects. Inside the job's signed field, so the MAC covers the labels too.
QByteArray encodeNodes(const QStringList &nodes, const QList<Labels> &labels = {});
Result<QStringList> decodeNodes(const QByteArray &bytes, QList<Labels> *labels = nullptr);

QByteArray encodeOutcomes(const QList<Outcome> &outcomes); // JSON array of Outcome::toJson
Result<QList<Outcome>> decodeOutcomes(const QByteArray &bytes);

// A live worker, as it heartbeats.
struct WorkerInfo
{
    QString name;
    QString host;
    qint64 pid = 0;
    int inFlight = 0;          // nodes being fetched now
    qint64 done = 0;           // nodes fetched since start
    int jobs = 0;              // jobs (batches) held now
    qint64 errors = 0;         // nodes fetched since start whose outcome is not ok
    qint64 refusedJobs = 0;    // jobs refused since start (unsigned, forged, expired, replayed)
    QString signingMismatch;   // why its secret disagrees with the coordinator's mark; empty: not
    double nodesPerSecond = 0; // over the last RateWindowMs
    QDateTime startedAt;
    QDateTime seenAt; // last heartbeat

    QJsonObject toJson() const;
    static Result<WorkerInfo> fromJson(const QJsonObject &json);
};

// One stream entry as XREADGROUP / XAUTOCLAIM return it.
struct StreamEntry
{
    QByteArray id;
    QHash<QByteArray, QByteArray> fields;
};

// XREADGROUP reply ([[stream, [entries]]] or nil) -> entries. Entries whose body is nil
// (deleted while pending) come back with no fields.
QList<StreamEntry> parseReadReply(const RedisReply &reply);
// XAUTOCLAIM reply (Redis 7: [cursor, [entries], [deleted ids]]) -> entries; `cursor` is set
// to the next cursor ("0-0" when the scan is complete).
QList<StreamEntry> parseAutoClaimReply(const RedisReply &reply, QByteArray *cursor);
QList<StreamEntry> parseEntries(const RedisReply &array);

// A job or result entry's `mac` checked against its fields.
enum class Signature { Valid, Missing, Forged };
Signature checkJob(const BrokerSecret &secret, const StreamEntry &entry);
Signature checkResult(const BrokerSecret &secret, const StreamEntry &entry);

// A job entry's `expires` (ms since epoch); 0 when absent or not a positive number.
qint64 jobExpiry(const StreamEntry &entry);

} // namespace Artemis::Wire
