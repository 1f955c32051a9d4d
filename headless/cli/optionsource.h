#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include "core/base/result.h"
#include "headless/cli/configfile.h"

namespace Artemis {

// A command's options as given: its command line and, with --config FILE, the file's entries
// for it. A flag given on the command line replaces the file's value (a repeatable flag
// replaces all the file's lines for it). The settings parsers read through this, so that a
// value from the file is checked by the same code as the flag, and locate() prefixes an error
// about it with "FILE:LINE: key 'NAME': ". Environment variables sit between the two: the
// parsers that read one ask onCommandLine() first. Borrows the parser, which must outlive it.
class OptionSource
{
public:
    explicit OptionSource(const QCommandLineParser &parser, ConfigFile file = {});

    bool isSet(const QString &name) const;
    bool onCommandLine(const QString &name) const { return m_parser.isSet(name); }
    QString value(const QString &name) const;      // the last one given
    QStringList values(const QString &name) const; // every one, in order
    // `error` about `name` (its index-th value for a list) prefixed with the file and line
    // when that value came from the config file; unchanged when it came from a flag.
    Error locate(const QString &name, Error error, qsizetype index = -1) const;
    const ConfigFile &file() const { return m_file; }

private:
    QList<const ConfigEntry *> fromFile(const QString &name) const;

    const QCommandLineParser &m_parser; // not owned
    ConfigFile m_file;
};

// The --config option every command that reads a config file has.
QCommandLineOption configOption();

// --strict-permissions, for the commands that read secret files (serve, worker, hunt).
QCommandLineOption strictPermissionsOption();

// The files named by `options` (the token, password and secret files given) that group or
// others can read: one warning each, "--OPTION: FILE is readable by group and others (mode
// 0644)". With --strict-permissions set, the first one is an InvalidArgument error instead.
// `extraFiles` are checked too (the auth file's password files), named by their own text.
Result<QStringList> secretFileWarnings(const OptionSource &o, const QStringList &options,
                                       const QStringList &extraFiles = {});

// Parses `arguments` with `parser` (set up with `options`, configOption() and --help) and, when
// --config is given, reads that file's keys for `command`. Errors: the parser's, or the file's.
Result<ConfigFile> parseWithConfig(QCommandLineParser &parser, const QStringList &arguments,
                                   const QList<QCommandLineOption> &options,
                                   const QStringList &repeatable, const QString &command);

} // namespace Artemis
