#include "core/fetch/authrules.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

Error ruleError(qsizetype index, const QString &message)
{
    return Error{ErrorCode::InvalidArgument, u"auth[%1]: %2"_s.arg(index).arg(message)};
}

bool hasLineBreak(const QByteArray &text)
{
    return text.contains('\r') || text.contains('\n');
}

Result<QByteArray> readSecret(const QString &path, const FileAccess &files, const QString &what,
                              qsizetype index)
{
    Result<QByteArray> read = files.read(path, AuthRule::MaxSecretBytes, what);
    if (!read) {
        return Error{read.error().code, u"auth[%1]: %2"_s.arg(index).arg(read.error().message)};
    }
    // Prometheus trims the whitespace around a password_file's or credentials_file's text.
    const QByteArray secret = read->trimmed();
    if (secret.isEmpty() || hasLineBreak(secret)) {
        return ruleError(index, u"%1 '%2' must hold one line"_s.arg(what, path));
    }
    return secret;
}

} // namespace

bool AuthRule::matches(const Labels &labels) const
{
    for (auto it = match.begin(); it != match.end(); ++it) {
        const auto found = labels.constFind(it.key());
        if (found == labels.constEnd() || *found != it.value()) {
            return false;
        }
    }
    return true;
}

QJsonObject AuthRule::toJson() const
{
    QJsonObject json{{u"match"_s, labelsToJson(match)}};
    if (!bearerTokenFile.isEmpty()) {
        json.insert(u"bearerTokenFile"_s, bearerTokenFile);
    } else {
        json.insert(u"basicAuth"_s,
                    QJsonObject{{u"user"_s, user}, {u"passwordFile"_s, passwordFile}});
    }
    return json;
}

QJsonArray authRulesToJson(const AuthRules &rules, bool withSecrets)
{
    QJsonArray array;
    for (const AuthRule &rule : rules) {
        QJsonObject json = rule.toJson();
        if (withSecrets && !rule.authorization.isEmpty()) {
            json.insert(u"authorization"_s, QString::fromLatin1(rule.authorization));
        }
        array.append(json);
    }
    return array;
}

Result<AuthRules> authRulesFromJson(const QJsonValue &json, bool withSecrets)
{
    if (!json.isArray()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"'auth' must be an array of {\"match\": {...}, \"basicAuth\": "
                         "{\"user\", \"passwordFile\"}} or {\"match\", \"bearerTokenFile\"}"_s);
    }
    const QJsonArray array = json.toArray();
    if (array.size() > AuthRule::MaxRules) {
        return makeError(
            ErrorCode::InvalidArgument,
            u"'auth' has %1 rules; at most %2"_s.arg(array.size()).arg(AuthRule::MaxRules));
    }
    AuthRules rules;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject object = array.at(i).toObject();
        if (!array.at(i).isObject()) {
            return ruleError(i, u"must be an object"_s);
        }
        QStringList known{u"match"_s, u"basicAuth"_s, u"bearerTokenFile"_s};
        if (withSecrets) {
            known.append(u"authorization"_s);
        }
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!known.contains(it.key())) {
                return ruleError(
                    i, u"unknown field '%1' (known: %2)"_s.arg(it.key(), known.join(u", "_s)));
            }
        }
        AuthRule rule;
        const QJsonValue match = object.value(u"match"_s);
        if (!match.isUndefined()) {
            Result<Labels> labels = labelsFromJson(match);
            if (!labels) {
                return ruleError(i, u"match: "_s + labels.error().message);
            }
            rule.match = std::move(labels).value();
        }
        const bool basic = object.contains(u"basicAuth"_s);
        const bool bearer = object.contains(u"bearerTokenFile"_s);
        if (basic == bearer) {
            return ruleError(i, u"give either 'basicAuth' or 'bearerTokenFile'"_s);
        }
        if (bearer) {
            rule.bearerTokenFile = object.value(u"bearerTokenFile"_s).toString();
            if (rule.bearerTokenFile.isEmpty()) {
                return ruleError(i, u"'bearerTokenFile' must be a path"_s);
            }
        } else {
            const QJsonObject auth = object.value(u"basicAuth"_s).toObject();
            rule.user = auth.value(u"user"_s).toString();
            rule.passwordFile = auth.value(u"passwordFile"_s).toString();
            if (auth.size() != 2 || rule.user.isEmpty() || rule.passwordFile.isEmpty()) {
                return ruleError(i, u"'basicAuth' must be {\"user\": NAME, \"passwordFile\": "
                                    "PATH}"_s);
            }
            if (rule.user.contains(u':') || rule.user.contains(u'\r')
                || rule.user.contains(u'\n')) {
                return ruleError(i, u"the user name must have no ':' nor line break"_s);
            }
        }
        if (withSecrets) {
            rule.authorization = object.value(u"authorization"_s).toString().toLatin1();
            if (hasLineBreak(rule.authorization)) {
                return ruleError(i, u"the authorization has a line break"_s);
            }
        }
        rules.append(std::move(rule));
    }
    return rules;
}

Result<void> resolveAuthRules(AuthRules &rules, const FileAccess &files)
{
    for (qsizetype i = 0; i < rules.size(); ++i) {
        AuthRule &rule = rules[i];
        if (!rule.bearerTokenFile.isEmpty()) {
            const Result<QByteArray> token =
                readSecret(rule.bearerTokenFile, files, u"bearerTokenFile"_s, i);
            if (!token) {
                return token.error();
            }
            rule.authorization = "Bearer " + *token;
        } else {
            const Result<QByteArray> password =
                readSecret(rule.passwordFile, files, u"passwordFile"_s, i);
            if (!password) {
                return password.error();
            }
            const QByteArray pair = rule.user.toUtf8() + ':' + *password;
            rule.authorization = "Basic " + pair.toBase64();
        }
    }
    return {};
}

QByteArray authorizationFor(const AuthRules &rules, const Labels &labels)
{
    for (const AuthRule &rule : rules) {
        if (rule.matches(labels)) {
            return rule.authorization;
        }
    }
    return {};
}

} // namespace Artemis
