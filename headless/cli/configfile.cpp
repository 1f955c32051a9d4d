#include "headless/cli/configfile.h"

#include <algorithm>
#include <optional>

#include <QFile>

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

// The sections a file may have: one per command that reads a config file.
const QStringList KnownSections = {u"serve"_s, u"worker"_s};

bool isKeyCharacter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'-';
}

// The value after '=': quoted (escapes \" and \\, nothing but a comment after the closing
// quote) or bare (up to a '#' that follows a space). `error` says what is wrong when it is not
// well formed.
QString parseValue(QStringView text, QString &error)
{
    text = text.trimmed();
    if (!text.startsWith(u'"')) {
        for (qsizetype i = 1; i < text.size(); ++i) {
            if (text.at(i) == u'#' && text.at(i - 1).isSpace()) {
                text = text.left(i).trimmed();
                break;
            }
        }
        if (text.startsWith(u'#')) {
            text = {};
        }
        if (text.isEmpty()) {
            error = u"no value (write \"\" for an empty one)"_s;
        }
        return text.toString();
    }
    QString value;
    for (qsizetype i = 1; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == u'\\') {
            if (i + 1 < text.size() && (text.at(i + 1) == u'"' || text.at(i + 1) == u'\\')) {
                value.append(text.at(++i));
                continue;
            }
            error = u"unknown escape in a quoted value (only \\\" and \\\\)"_s;
            return {};
        }
        if (c == u'"') {
            const QStringView rest = text.mid(i + 1).trimmed();
            if (!rest.isEmpty() && !rest.startsWith(u'#')) {
                error = u"text after the closing quote"_s;
            }
            return value;
        }
        value.append(c);
    }
    error = u"no closing quote"_s;
    return {};
}

std::optional<bool> parseSwitch(const QString &value)
{
    const QString v = value.toLower();
    if (v == u"true"_s || v == u"yes"_s || v == u"on"_s) {
        return true;
    }
    if (v == u"false"_s || v == u"no"_s || v == u"off"_s) {
        return false;
    }
    return std::nullopt;
}

} // namespace

QString configLocation(const QString &path, int line, const QString &key)
{
    return u"%1:%2: key '%3': "_s.arg(path).arg(line).arg(key);
}

QHash<QString, OptionKind> configKeys(const QList<QCommandLineOption> &options,
                                      const QStringList &repeatable)
{
    QHash<QString, OptionKind> keys;
    for (const QCommandLineOption &option : options) {
        const QString name = option.names().constLast(); // the long name
        keys.insert(name, option.valueName().isEmpty() ? OptionKind::Switch
                          : repeatable.contains(name)  ? OptionKind::List
                                                       : OptionKind::Value);
    }
    return keys;
}

Result<ConfigFile> parseConfigText(const QString &path, QByteArrayView text, const QString &command,
                                   const QHash<QString, OptionKind> &keys)
{
    ConfigFile file;
    file.path = path;
    QHash<QString, int> firstLine; // single-value keys seen, for "given twice"
    bool ours = true;              // the current section applies to `command`
    const QStringList lines = QString::fromUtf8(text).split(u'\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const int number = int(i + 1);
        const QStringView line = QStringView(lines.at(i)).trimmed();
        auto fail = [&](const QString &why) {
            return makeError(ErrorCode::InvalidArgument,
                             u"%1:%2: %3"_s.arg(path).arg(number).arg(why));
        };
        if (line.isEmpty() || line.startsWith(u'#')) {
            continue;
        }
        if (line.startsWith(u'[')) {
            const qsizetype close = line.indexOf(u']');
            const QStringView rest = close < 0 ? QStringView() : line.mid(close + 1).trimmed();
            if (close < 0 || (!rest.isEmpty() && !rest.startsWith(u'#'))) {
                return fail(u"a section is written [name]"_s);
            }
            const QString section = line.mid(1, close - 1).trimmed().toString();
            if (!KnownSections.contains(section)) {
                return fail(u"unknown section [%1] (expected [%2])"_s.arg(
                    section, KnownSections.join(u"] or ["_s)));
            }
            ours = section == command;
            continue;
        }
        const qsizetype equals = line.indexOf(u'=');
        if (equals < 0) {
            return fail(u"expected 'key = value', not '%1'"_s.arg(line.toString()));
        }
        const QString key = line.left(equals).trimmed().toString();
        if (key.isEmpty() || key.front() < u'a' || key.front() > u'z'
            || !std::all_of(key.cbegin(), key.cend(), isKeyCharacter)) {
            return fail(u"'%1' is not a key (the option's name without '--', e.g. "
                        "listen)"_s.arg(key));
        }
        if (!ours) {
            continue; // the other command checks its own section
        }
        const auto kind = keys.constFind(key);
        if (kind == keys.constEnd()) {
            return fail(u"unknown key '%1' ('artemis-headless %2 --help' lists the options)"_s.arg(
                key, command));
        }
        QString error;
        QString value = parseValue(line.mid(equals + 1), error);
        if (!error.isEmpty()) {
            return makeError(ErrorCode::InvalidArgument, configLocation(path, number, key) + error);
        }
        if (*kind != OptionKind::List) {
            if (firstLine.contains(key)) {
                return makeError(
                    ErrorCode::InvalidArgument,
                    configLocation(path, number, key)
                        + u"given twice (first on line %1)"_s.arg(firstLine.value(key)));
            }
            firstLine.insert(key, number);
        }
        if (*kind == OptionKind::Switch) {
            const std::optional<bool> on = parseSwitch(value);
            if (!on) {
                return makeError(ErrorCode::InvalidArgument,
                                 configLocation(path, number, key)
                                     + u"expected true or false, not '%1'"_s.arg(value));
            }
            if (!*on) {
                continue;
            }
            value = u"true"_s;
        }
        file.entries.append(ConfigEntry{key, value, number});
    }
    return file;
}

Result<ConfigFile> readConfigFile(const QString &path, const QString &command,
                                  const QHash<QString, OptionKind> &keys)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(ErrorCode::InvalidArgument,
                         u"cannot read --config '%1': %2"_s.arg(path, file.errorString()));
    }
    return parseConfigText(path, file.readAll(), command, keys);
}

} // namespace Artemis
