#include "headless/cli/optionsource.h"

#include "core/base/fileaccess.h"

using namespace Qt::StringLiterals;

namespace Artemis {

OptionSource::OptionSource(const QCommandLineParser &parser, ConfigFile file)
    : m_parser(parser), m_file(std::move(file))
{
}

QList<const ConfigEntry *> OptionSource::fromFile(const QString &name) const
{
    QList<const ConfigEntry *> entries;
    if (m_parser.isSet(name)) {
        return entries;
    }
    for (const ConfigEntry &entry : m_file.entries) {
        if (entry.key == name) {
            entries.append(&entry);
        }
    }
    return entries;
}

bool OptionSource::isSet(const QString &name) const
{
    return m_parser.isSet(name) || !fromFile(name).isEmpty();
}

QString OptionSource::value(const QString &name) const
{
    if (m_parser.isSet(name)) {
        return m_parser.value(name);
    }
    const QList<const ConfigEntry *> entries = fromFile(name);
    return entries.isEmpty() ? QString() : entries.constLast()->value;
}

QStringList OptionSource::values(const QString &name) const
{
    if (m_parser.isSet(name)) {
        return m_parser.values(name);
    }
    QStringList values;
    for (const ConfigEntry *entry : fromFile(name)) {
        values.append(entry->value);
    }
    return values;
}

Error OptionSource::locate(const QString &name, Error error, qsizetype index) const
{
    const QList<const ConfigEntry *> entries = fromFile(name);
    if (entries.isEmpty()) {
        return error;
    }
    const ConfigEntry *entry =
        index >= 0 && index < entries.size() ? entries.at(index) : entries.constLast();
    error.message.prepend(configLocation(m_file.path, entry->line, name));
    return error;
}

QCommandLineOption configOption()
{
    return {u"config"_s,
            u"Read options from FILE (key = value, the flags' names without '--'; "
            "see docs/operations.md). Flags given here win over the file."_s,
            u"FILE"_s};
}

Result<ConfigFile> parseWithConfig(QCommandLineParser &parser, const QStringList &arguments,
                                   const QList<QCommandLineOption> &options,
                                   const QStringList &repeatable, const QString &command)
{
    parser.addOptions(options);
    parser.addOption(configOption());
    parser.addHelpOption();
    if (!parser.parse(arguments)) {
        return makeError(ErrorCode::InvalidArgument, parser.errorText());
    }
    if (!parser.positionalArguments().isEmpty()) {
        return makeError(ErrorCode::InvalidArgument,
                         u"unexpected argument '%1'"_s.arg(parser.positionalArguments().first()));
    }
    if (!parser.isSet(u"config"_s)) {
        return ConfigFile{};
    }
    return readConfigFile(parser.value(u"config"_s), command, configKeys(options, repeatable));
}

QCommandLineOption strictPermissionsOption()
{
    return {u"strict-permissions"_s,
            u"Refuse to start when a token, password or secret file is readable by group or "
            "others (without it: a warning naming the file and its mode)."_s};
}

Result<QStringList> secretFileWarnings(const OptionSource &o, const QStringList &options,
                                       const QStringList &extraFiles)
{
    const bool strict = o.isSet(u"strict-permissions"_s);
    QStringList warnings;
    QList<std::pair<QString, QString>> files; // option (empty for extraFiles), path
    for (const QString &option : options) {
        if (o.isSet(option)) {
            files.append({option, o.value(option)});
        }
    }
    for (const QString &path : extraFiles) {
        files.append({QString(), path});
    }
    for (const auto &[option, path] : files) {
        const std::optional<QString> problem = FileAccess::permissionProblem(path);
        if (!problem) {
            continue;
        }
        const QString text = option.isEmpty() ? *problem : u"--%1: %2"_s.arg(option, *problem);
        if (strict) {
            const Error error{ErrorCode::InvalidArgument, text + u" (--strict-permissions)"_s};
            return option.isEmpty() ? error : o.locate(option, error);
        }
        warnings.append(text);
    }
    return warnings;
}

} // namespace Artemis
