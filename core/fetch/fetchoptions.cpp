#include "core/fetch/fetchoptions.h"

#include <cmath>

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSslCertificate>

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
        return makeError(
            ErrorCode::InvalidArgument,
            u"option '%1' must be a whole number from %2 to %3"_s.arg(key).arg(min).arg(max));
    }
    return qint64(d);
}

Result<bool> readBool(const QJsonObject &json, const QString &key, bool current)
{
    const QJsonValue value = json.value(key);
    if (value.isUndefined() || value.isNull()) {
        return current;
    }
    if (!value.isBool()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"option '%1' must be true or false"_s.arg(key));
    }
    return value.toBool();
}

// The certificates of `pem` written back as PEM: whatever else the text holds (a private key
// next to the certificate, comments) never reaches the manifest or Redis.
QByteArray certificatesOnly(const QByteArray &pem)
{
    QByteArray out;
    for (const QSslCertificate &certificate : QSslCertificate::fromData(pem, QSsl::Pem)) {
        out += certificate.toPem();
    }
    return out;
}

bool hasLineBreak(const QString &text)
{
    return text.contains(u'\r') || text.contains(u'\n');
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
        {u"timeoutMs"_s, timeoutMs},       {u"attempts"_s, attempts},
        {u"concurrency"_s, concurrency},   {u"perHostLimit"_s, perHostLimit},
        {u"maxBodyBytes"_s, maxBodyBytes}, {u"backoffBaseMs"_s, backoffBaseMs},
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
    if (basicAuth) {
        json.insert(u"basicAuth"_s, QJsonObject{{u"username"_s, basicAuth->username}});
    }
    if (!auth.isEmpty()) {
        json.insert(u"auth"_s, authRulesToJson(auth, false)); // the files' paths, never their text
    }
    if (!caPem.isEmpty()) {
        json.insert(u"caPem"_s, QString::fromLatin1(caPem));
    }
    if (!caFile.isEmpty()) {
        json.insert(u"caFile"_s, caFile);
    }
    json.insert(u"insecureSkipVerify"_s, insecureSkipVerify);
    json.insert(u"followRedirects"_s, followRedirects);
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
    if (basicAuth) {
        json.insert(u"basicAuth"_s, QJsonObject{{u"username"_s, basicAuth->username},
                                                {u"password"_s, basicAuth->password}});
    }
    if (!auth.isEmpty()) {
        json.insert(u"auth"_s, authRulesToJson(auth, true));
    }
    return json;
}

QByteArray FetchOptions::basicAuthorization() const
{
    if (!basicAuth) {
        return {};
    }
    return "Basic " + (basicAuth->username + u':' + basicAuth->password).toUtf8().toBase64();
}

Result<void> FetchOptions::loadCaFile(const QString &path, const FileAccess &files)
{
    const Result<QByteArray> read = files.read(path, MaxCaFileBytes, u"CA file"_s);
    if (!read) {
        return read.error();
    }
    const QByteArray pem = certificatesOnly(*read);
    if (pem.isEmpty()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"CA file '%1' holds no PEM certificate"_s.arg(path));
    }
    caPem = pem;
    caFile = QFileInfo(path).canonicalFilePath();
    return {};
}

Result<FetchOptions> FetchOptions::fromJson(const QJsonObject &json, const FileAccess &files)
{
    return parse(json, files, false);
}

Result<FetchOptions> FetchOptions::fromWireJson(const QJsonObject &json)
{
    return parse(json, FileAccess::none(), true);
}

Result<FetchOptions> FetchOptions::parse(const QJsonObject &json, const FileAccess &files,
                                         bool wire)
{
    static const QStringList Known = {
        u"timeoutMs"_s,       u"attempts"_s,      u"concurrency"_s,  u"perHostLimit"_s,
        u"maxBodyBytes"_s,    u"backoffBaseMs"_s, u"backoffCapMs"_s, u"headers"_s,
        u"basicAuth"_s,       u"caFile"_s,        u"caPem"_s,        u"insecureSkipVerify"_s,
        u"followRedirects"_s, u"auth"_s};
    for (auto it = json.begin(); it != json.end(); ++it) {
        // headerNames: what toJson() writes instead of the header values; read as nothing.
        if (!Known.contains(it.key()) && it.key() != u"headerNames"_s) {
            return makeError(ErrorCode::InvalidArgument, u"unknown option '%1' (known: %2)"_s.arg(
                                                             it.key(), Known.join(u", "_s)));
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
        {u"backoffBaseMs", 0, 60000, [&](qint64 v) { o.backoffBaseMs = int(v); }, o.backoffBaseMs},
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
    const QJsonValue auth = json.value(u"basicAuth"_s);
    if (!auth.isUndefined() && !auth.isNull()) {
        const QJsonValue username = auth[u"username"_s];
        const QJsonValue password = auth[u"password"_s];
        if (!auth.isObject() || !username.isString()
            || !(password.isString() || password.isUndefined())) {
            return makeError(ErrorCode::InvalidArgument,
                             u"option 'basicAuth' must be {\"username\": \"...\", "
                             "\"password\": \"...\"}"_s);
        }
        o.basicAuth = BasicAuth{username.toString(), password.toString()};
    }
    for (const auto &[key, flag] : {std::pair{u"insecureSkipVerify"_s, &o.insecureSkipVerify},
                                    std::pair{u"followRedirects"_s, &o.followRedirects}}) {
        const Result<bool> value = readBool(json, key, *flag);
        if (!value) {
            return value.error();
        }
        *flag = *value;
    }
    const QJsonValue caPem = json.value(u"caPem"_s);
    const QJsonValue caFile = json.value(u"caFile"_s);
    if ((!caPem.isUndefined() && !caPem.isString())
        || (!caFile.isUndefined() && !caFile.isString())) {
        return makeError(ErrorCode::InvalidArgument,
                         u"options 'caPem' and 'caFile' must be strings"_s);
    }
    if (!caPem.toString().isEmpty()) {
        // Given as text (and how manifests and workers get it): caFile is only a label then.
        o.caPem = certificatesOnly(caPem.toString().toLatin1());
        o.caFile = caFile.toString();
        if (o.caPem.isEmpty()) {
            return makeError(ErrorCode::InvalidArgument,
                             u"option 'caPem' holds no PEM certificate"_s);
        }
    } else if (!caFile.toString().isEmpty()) {
        const Result<void> loaded = o.loadCaFile(caFile.toString(), files);
        if (!loaded) {
            return loaded.error();
        }
    }
    if (const QJsonValue rulesJson = json.value(u"auth"_s);
        !rulesJson.isUndefined() && !rulesJson.isNull()) {
        // Resolved secrets come only with the wire form, which carries the hunt's options
        // sealed: "authorization" in an API body is refused as an unknown field.
        Result<AuthRules> rules = authRulesFromJson(rulesJson, wire);
        if (!rules) {
            return rules.error();
        }
        o.auth = std::move(rules).value();
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
    if (basicAuth) {
        if (basicAuth->username.isEmpty() || basicAuth->username.contains(u':')) {
            return makeError(ErrorCode::InvalidArgument,
                             u"basicAuth needs a user name without ':'"_s);
        }
        if (hasLineBreak(basicAuth->username) || hasLineBreak(basicAuth->password)) {
            return makeError(ErrorCode::InvalidArgument,
                             u"basicAuth has a line break in its user name or password"_s);
        }
        for (const auto &header : headers) {
            if (header.first.compare("Authorization", Qt::CaseInsensitive) == 0) {
                return makeError(ErrorCode::InvalidArgument,
                                 u"give either basicAuth or an Authorization header, not both"_s);
            }
        }
    }
    if (!auth.isEmpty()
        && (basicAuth || std::any_of(headers.begin(), headers.end(), [](const auto &h) {
                return h.first.compare("Authorization", Qt::CaseInsensitive) == 0;
            }))) {
        return makeError(ErrorCode::InvalidArgument,
                         u"give either 'auth' rules or basicAuth / an Authorization header"_s);
    }
    if (!caPem.isEmpty() && QSslCertificate::fromData(caPem, QSsl::Pem).isEmpty()) {
        return makeError(ErrorCode::InvalidArgument, u"the CA certificates are not valid PEM"_s);
    }
    return {};
}

} // namespace Artemis
