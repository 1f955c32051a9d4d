#pragma once

#include <QByteArrayView>
#include <QCommandLineOption>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include "core/base/result.h"

namespace Artemis {

// How a command line option reads in a config file: one value (`listen = 127.0.0.1:5000`), a
// list (`allow = ...` on as many lines as wanted) or a switch (`insecure-no-auth = true`).
enum class OptionKind { Value, List, Switch };

// One `key = value` line of a config file that applies to the command reading it.
struct ConfigEntry
{
    QString key;
    QString value; // unquoted; a switch's is "true" (switches set to false are left out)
    int line = 0;
};

// A config file as read for one command: its path (for messages) and the entries in order.
struct ConfigFile
{
    QString path;
    QList<ConfigEntry> entries;
};

// The config file's keys for a command: the long names of `options` (switches are the options
// without a value name) and which of them may repeat. Pure.
QHash<QString, OptionKind> configKeys(const QList<QCommandLineOption> &options,
                                      const QStringList &repeatable);

// Parses the text of a config file for `command` ("serve", "worker"). The format:
//   # a comment                         (a line starting with '#'; also after a value, " # ...")
//   listen = 127.0.0.1:5000             (the option's long name, as the flag without "--")
//   data-dir = "/var/lib/artemis"       (double quotes keep spaces and '#'; \" and \\ escape)
//   [serve]                             (the keys below apply to serve only; [worker] likewise)
// Keys before any section apply to every command. Keys of another command's section are left
// for it to check. An unknown key or section, a line without '=', an empty value, a switch that
// is not true/false (yes/no, on/off), or a single-value key given twice is an InvalidArgument
// error "PATH:LINE: ..." naming the key. Values themselves are checked by the command, with the
// same code as its flags (see OptionSource). Pure; thread-safe.
Result<ConfigFile> parseConfigText(const QString &path, QByteArrayView text, const QString &command,
                                   const QHash<QString, OptionKind> &keys);

// Reads `path` and parses it as above; an error names the file when it cannot be read.
Result<ConfigFile> readConfigFile(const QString &path, const QString &command,
                                  const QHash<QString, OptionKind> &keys);

// "PATH:LINE: key 'KEY': " — the prefix of every error about a value from a config file.
QString configLocation(const QString &path, int line, const QString &key);

} // namespace Artemis
