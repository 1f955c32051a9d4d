#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonValue>
#include <QList>
#include <QString>

#include "core/base/fileaccess.h"
#include "core/base/nodelabels.h"
#include "core/base/result.h"

namespace Artemis {

// Credentials for a group of nodes, by reference (issue #21 item 9): the nodes whose labels
// equal every label of `match` (empty: every node) get Basic auth with `user` and the password
// in `passwordFile`, or a Bearer token from `bearerTokenFile`. The first rule that matches a
// node wins; a node no rule matches gets no Authorization header.
//
// The files are read when a round starts (resolve(), through the engine's FileAccess: the
// service's --allow-files dirs), their trailing whitespace trimmed as Prometheus does; what was
// read lives only in `authorization`, in memory. toJson() writes the paths, never it; the wire
// form (distributed mode, sealed with the broker secret) carries it.
struct AuthRule
{
    Labels match;
    QString user;            // Basic (with passwordFile)
    QString passwordFile;    // Basic
    QString bearerTokenFile; // Bearer (exclusive with user/passwordFile)
    // "Basic base64(user:password)" or "Bearer TOKEN", set by resolve(); a secret.
    QByteArray authorization;

    static constexpr qint64 MaxSecretBytes = 64 * 1024;
    static constexpr int MaxRules = 100;

    bool matches(const Labels &labels) const;
    // {"match": {...}, "basicAuth": {"user", "passwordFile"}} | {"match", "bearerTokenFile"}.
    QJsonObject toJson() const;

    bool operator==(const AuthRule &) const = default;
};
using AuthRules = QList<AuthRule>;

// The JSON array of rules (an API hunt's or schedule's "auth", the CLI's --auth-file). With
// `withSecrets` (the wire form only) each rule may carry its resolved "authorization". Errors
// (InvalidArgument) say "auth[N]: ..." and never quote a secret.
Result<AuthRules> authRulesFromJson(const QJsonValue &json, bool withSecrets);
QJsonArray authRulesToJson(const AuthRules &rules, bool withSecrets);

// Reads every rule's file through `files` and sets its authorization. Errors name the rule and
// the file (FileAccess's errors: Forbidden outside the allowed dirs), never its contents.
Result<void> resolveAuthRules(AuthRules &rules, const FileAccess &files);

// The Authorization value of the first rule matching `labels`; empty when none does.
QByteArray authorizationFor(const AuthRules &rules, const Labels &labels);

} // namespace Artemis
