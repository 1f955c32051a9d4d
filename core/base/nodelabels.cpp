#include "core/base/nodelabels.h"

using namespace Qt::StringLiterals;

namespace Artemis {

bool isValidLabelName(QStringView name)
{
    if (name.isEmpty() || name.startsWith(u"__")) {
        return false;
    }
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name.at(i).unicode();
        const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
        const bool digit = c >= u'0' && c <= u'9';
        if (!letter && !(digit && i > 0)) {
            return false;
        }
    }
    return true;
}

Result<Labels> labelsFromJson(const QJsonValue &json)
{
    if (json.isUndefined() || json.isNull()) {
        return Labels{};
    }
    if (!json.isObject()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"'labels' must be an object of label names to strings"_s);
    }
    Labels labels;
    const QJsonObject object = json.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!isValidLabelName(it.key())) {
            return makeError(ErrorCode::InvalidArgument,
                             u"invalid label name '%1' (want [a-zA-Z_][a-zA-Z0-9_]*, not "
                             u"starting with __)"_s.arg(it.key()));
        }
        if (!it.value().isString()) {
            return makeError(ErrorCode::InvalidArgument,
                             u"label '%1' must have a string value"_s.arg(it.key()));
        }
        labels.insert(it.key(), it.value().toString());
    }
    return labels;
}

QJsonObject labelsToJson(const Labels &labels)
{
    QJsonObject object;
    for (auto it = labels.begin(); it != labels.end(); ++it) {
        object.insert(it.key(), it.value());
    }
    return object;
}

Result<QPair<QString, QString>> parseLabelAssignment(QStringView text)
{
    const qsizetype eq = text.indexOf(u'=');
    const QStringView name = eq < 0 ? text : text.left(eq).trimmed();
    if (eq < 0 || !isValidLabelName(name)) {
        return makeError(ErrorCode::InvalidArgument,
                         u"bad label '%1': want NAME=VALUE with NAME like [a-zA-Z_][a-zA-Z0-9_]* "
                         u"(not starting with __)"_s.arg(text.toString()));
    }
    return QPair<QString, QString>{name.toString(), text.mid(eq + 1).toString()};
}

Result<QStringList> parseLabelGroupBy(const QStringList &texts)
{
    QStringList names;
    for (const QString &text : texts) {
        if (text.isEmpty()) {
            continue;
        }
        for (const QStringView item : QStringView(text).split(u',')) {
            const QStringView trimmed = item.trimmed();
            if (!trimmed.startsWith(u"label:") || !isValidLabelName(trimmed.mid(6))) {
                return makeError(
                    ErrorCode::InvalidArgument,
                    u"bad groupBy '%1': want label:NAME (a node label, e.g. label:dc; "
                    u"several comma-separated: label:dc,label:rack)"_s.arg(trimmed.toString()));
            }
            const QString name = trimmed.mid(6).toString();
            if (names.contains(name)) {
                return makeError(ErrorCode::InvalidArgument,
                                 u"groupBy names label:%1 twice"_s.arg(name));
            }
            names.append(name);
        }
    }
    if (names.size() > MaxGroupByLabels) {
        return makeError(
            ErrorCode::InvalidArgument,
            u"groupBy names %1 labels; at most %2"_s.arg(names.size()).arg(MaxGroupByLabels));
    }
    return names;
}

QString labelGroupByText(const QStringList &names)
{
    QStringList parts;
    parts.reserve(names.size());
    for (const QString &name : names) {
        parts.append(u"label:"_s + name);
    }
    return parts.join(u',');
}

Labels withDefaults(Labels labels, const Labels &defaults)
{
    for (auto it = defaults.begin(); it != defaults.end(); ++it) {
        if (!labels.contains(it.key())) {
            labels.insert(it.key(), it.value());
        }
    }
    return labels;
}

} // namespace Artemis
