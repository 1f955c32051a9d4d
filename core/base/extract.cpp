#include "core/base/extract.h"

#include <algorithm>

#include <QSet>

#include "core/base/jsonvalues.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

Error bad(const QString &message)
{
    return makeError(ErrorCode::InvalidArgument, message);
}

} // namespace

bool isValidMetricName(QStringView name)
{
    if (name.isEmpty()) {
        return false;
    }
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name.at(i).unicode();
        const bool first =
            (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_' || c == u':';
        const bool digit = c >= u'0' && c <= u'9';
        if (!first && !(digit && i > 0)) {
            return false;
        }
    }
    return true;
}

Result<void> validateExtracts(const ExtractList &extracts)
{
    if (extracts.size() > MaxExtracts) {
        return makeError(ErrorCode::TooLarge,
                         u"%1 extracts given; at most %2"_s.arg(extracts.size()).arg(MaxExtracts));
    }
    QSet<QString> names;
    for (const Extract &e : extracts) {
        names.insert(e.name);
    }
    for (const Extract &e : extracts) {
        if (!isValidMetricName(e.name)) {
            return bad(u"extract name '%1' is not a Prometheus metric name "
                       "([a-zA-Z_:][a-zA-Z0-9_:]*)"_s.arg(e.name));
        }
        if (e.name.startsWith(u"artemis_node_"_s)) {
            return bad(u"extract name '%1': names starting with artemis_node_ are Artemis' own "
                       "metrics"_s.arg(e.name));
        }
        if (names.contains(e.name + u"_info"_s)) {
            return bad(u"extracts '%1' and '%1_info' clash: a non-numeric value of '%1' is "
                       "served as %1_info"_s.arg(e.name));
        }
        if (const Result<JsonPath> path = parseJsonPath(e.path); !path) {
            return bad(
                u"extract '%1': bad path '%2': %3"_s.arg(e.name, e.path, path.error().message));
        }
    }
    if (names.size() != extracts.size()) {
        return bad(u"an extract name is given twice"_s);
    }
    return {};
}

Result<ExtractList> extractsFromJson(const QJsonValue &json)
{
    if (json.isUndefined() || json.isNull()) {
        return ExtractList{};
    }
    if (!json.isObject()) {
        return bad(u"'extract' must be an object of metric names to JSON paths, e.g. "
                   "{\"mem_used_bytes\": \"mem.used\"}"_s);
    }
    const QJsonObject object = json.toObject();
    ExtractList extracts;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!it.value().isString()) {
            return bad(u"extract '%1': the path must be a string"_s.arg(it.key()));
        }
        extracts.append({it.key(), it.value().toString()});
    }
    if (const Result<void> valid = validateExtracts(extracts); !valid) {
        return valid.error();
    }
    return extracts;
}

QJsonObject extractsToJson(const ExtractList &extracts)
{
    QJsonObject json;
    for (const Extract &e : extracts) {
        json.insert(e.name, e.path);
    }
    return json;
}

Result<ExtractList> parseExtractArguments(const QStringList &arguments)
{
    ExtractList extracts;
    for (const QString &argument : arguments) {
        const qsizetype eq = argument.indexOf(u'=');
        if (eq <= 0) {
            return bad(u"--extract must look like NAME=PATH (e.g. mem_used_bytes=mem.used), "
                       "not '%1'"_s.arg(argument));
        }
        extracts.append({argument.left(eq).trimmed(), argument.mid(eq + 1).trimmed()});
    }
    std::stable_sort(extracts.begin(), extracts.end(),
                     [](const Extract &a, const Extract &b) { return a.name < b.name; });
    if (const Result<void> valid = validateExtracts(extracts); !valid) {
        return valid.error();
    }
    return extracts;
}

} // namespace Artemis
