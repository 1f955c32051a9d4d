#include "core/fetchoptions.h"

#include <cmath>

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

Result<qint64> readInt(const QJsonObject &json, const QString &key, qint64 current, qint64 min,
                       qint64 max)
{
    const QJsonValue value = json.value(key);
    if (value.isUndefined() || value.isNull()) {
        return current;
    }
    if (!value.isDouble()) {
        return makeError(ErrorCode::InvalidArgument, u"option '%1' must be a number"_s.arg(key));
    }
    const double d = value.toDouble();
    // Range first: converting 1e41 to qint64 is undefined behaviour (found by fuzzing).
    if (!(d >= double(min) && d <= double(max)) || d != std::floor(d)) {
        return makeError(ErrorCode::InvalidArgument,
                         u"option '%1' must be a whole number from %2 to %3"_s.arg(key)
                             .arg(min)
                             .arg(max));
    }
    return qint64(d);
}

bool isTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

} // namespace

QJsonObject FetchOptions::toJson() const
{
    QJsonObject json{
        {u"timeoutMs"_s, timeoutMs},
        {u"attempts"_s, attempts},
        {u"concurrency"_s, concurrency},
        {u"perHostLimit"_s, perHostLimit},
        {u"maxBodyBytes"_s, maxBodyBytes},
        {u"backoffBaseMs"_s, backoffBaseMs},
        {u"backoffCapMs"_s, backoffCapMs},
    };
    // Header values may be secrets (Authorization): the manifest keeps their names only.
    QJsonArray names;
    for (const auto &header : headers) {
        names.append(QString::fromLatin1(header.first));
    }
    if (!names.isEmpty()) {
        json.insert(u"headerNames"_s, names);
    }
    return json;
}

QJsonObject FetchOptions::toWireJson() const
{
    QJsonObject json = toJson();
    json.remove(u"headerNames"_s);
    QJsonObject values;
    for (const auto &header : headers) {
        values.insert(QString::fromLatin1(header.first), QString::fromUtf8(header.second));
    }
    if (!values.isEmpty()) {
        json.insert(u"headers"_s, values);
    }
    return json;
}

Result<FetchOptions> FetchOptions::fromJson(const QJsonObject &json)
{
    static const QStringList Known = {u"timeoutMs"_s,   u"attempts"_s,     u"concurrency"_s,
                                      u"perHostLimit"_s, u"maxBodyBytes"_s, u"backoffBaseMs"_s,
                                      u"backoffCapMs"_s, u"headers"_s,      u"headerNames"_s};
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (!Known.contains(it.key())) {
            return makeError(ErrorCode::InvalidArgument,
                             u"unknown option '%1' (known: %2)"_s.arg(it.key(),
                                                                      Known.mid(0, 8).join(u", "_s)));
        }
    }
    FetchOptions o;
    struct Field
    {
        const char16_t *key;
        qint64 min;
        qint64 max;
        std::function<void(qint64)> set;
        qint64 current;
    };
    const Field fields[] = {
        {u"timeoutMs", 1, MaxTimeoutMs, [&](qint64 v) { o.timeoutMs = int(v); }, o.timeoutMs},
        {u"attempts", 1, MaxAttempts, [&](qint64 v) { o.attempts = int(v); }, o.attempts},
        {u"concurrency", 1, MaxConcurrency, [&](qint64 v) { o.concurrency = int(v); },
         o.concurrency},
        {u"perHostLimit", 1, 64, [&](qint64 v) { o.perHostLimit = int(v); }, o.perHostLimit},
        {u"maxBodyBytes", 1, qint64(1) << 30, [&](qint64 v) { o.maxBodyBytes = v; },
         o.maxBodyBytes},
        {u"backoffBaseMs", 0, 60000, [&](qint64 v) { o.backoffBaseMs = int(v); },
         o.backoffBaseMs},
        {u"backoffCapMs", 0, 600000, [&](qint64 v) { o.backoffCapMs = int(v); }, o.backoffCapMs},
    };
    for (const Field &field : fields) {
        const Result<qint64> value =
            readInt(json, QString::fromUtf16(field.key), field.current, field.min, field.max);
        if (!value) {
            return value.error();
        }
        field.set(*value);
    }
    const QJsonValue headers = json.value(u"headers"_s);
    if (!headers.isUndefined() && !headers.isNull()) {
        if (!headers.isObject()) {
            return makeError(ErrorCode::InvalidArgument,
                             u"option 'headers' must be an object of name: value"_s);
        }
        const QJsonObject object = headers.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!it.value().isString()) {
                return makeError(ErrorCode::InvalidArgument,
                                 u"header '%1' must have a string value"_s.arg(it.key()));
            }
            o.headers.append({it.key().toLatin1(), it.value().toString().toUtf8()});
        }
    }
    const Result<void> valid = o.validate();
    if (!valid) {
        return valid.error();
    }
    return o;
}

Result<void> FetchOptions::validate() const
{
    if (timeoutMs < 1 || timeoutMs > MaxTimeoutMs) {
        return makeError(ErrorCode::InvalidArgument,
                         u"timeoutMs must be from 1 to %1"_s.arg(MaxTimeoutMs));
    }
    if (attempts < 1 || attempts > MaxAttempts) {
        return makeError(ErrorCode::InvalidArgument,
                         u"attempts must be from 1 to %1"_s.arg(MaxAttempts));
    }
    if (concurrency < 1 || concurrency > MaxConcurrency) {
        return makeError(ErrorCode::InvalidArgument,
                         u"concurrency must be from 1 to %1"_s.arg(MaxConcurrency));
    }
    if (perHostLimit < 1 || maxBodyBytes < 1 || backoffBaseMs < 0 || backoffCapMs < 0) {
        return makeError(ErrorCode::InvalidArgument, u"limits must be positive"_s);
    }
    for (const auto &header : headers) {
        if (header.first.isEmpty()
            || !std::all_of(header.first.begin(), header.first.end(), isTokenChar)) {
            return makeError(ErrorCode::InvalidArgument,
                             u"header name '%1' is not a valid HTTP token"_s.arg(
                                 QString::fromLatin1(header.first)));
        }
        if (header.second.contains('\r') || header.second.contains('\n')) {
            return makeError(ErrorCode::InvalidArgument,
                             u"header '%1' has a line break in its value"_s.arg(
                                 QString::fromLatin1(header.first)));
        }
    }
    return {};
}

} // namespace Artemis
