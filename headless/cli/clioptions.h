#pragma once

#include <initializer_list>
#include <memory>
#include <utility>

#include <QCommandLineParser>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>

#include "core/base/datadirlock.h"
#include "core/base/result.h"
#include "core/net/targetpolicy.h"
#include "headless/cli/optionsource.h"

namespace Artemis {

// What hunt and serve tell a user whose data dir another process holds (dataDirProblem).
inline DataDirAdvice cliDataDirAdvice()
{
    using namespace Qt::StringLiterals;
    return {u"Give another --data-dir"_s,
            u"POST %1/api/v1/hunts (or /fetch), or the GUI's remote mode with %1"_s};
}

// Reads a whole-number command line option: `current` when absent; an InvalidArgument error
// naming the flag, its range and the bad text when it is not a number in [min, max].
// `Options` is a QCommandLineParser or an OptionSource (flags and config file).
template <typename T, typename Options>
Result<T> numberOption(const Options &parser, const QString &name, T current, T min, T max)
{
    using namespace Qt::StringLiterals;
    if (!parser.isSet(name)) {
        return current;
    }
    bool ok = false;
    const qlonglong value = parser.value(name).toLongLong(&ok);
    if (!ok || value < qlonglong(min) || value > qlonglong(max)) {
        return makeError(ErrorCode::InvalidArgument,
                         u"--%1 must be a whole number from %2 to %3, not '%4'"_s.arg(name)
                             .arg(qlonglong(min))
                             .arg(qlonglong(max))
                             .arg(parser.value(name)));
    }
    return T(value);
}

// ADDR:PORT of a --listen-like option (127.0.0.1:5000, [::1]:5000, localhost:5000, *:5000).
inline Result<std::pair<QHostAddress, quint16>> parseListenAddress(const QString &option,
                                                                   const QString &text)
{
    using namespace Qt::StringLiterals;
    auto bad = [&](const QString &why) {
        return makeError(ErrorCode::InvalidArgument,
                         u"--%1 '%2': %3 (expected ADDR:PORT, e.g. 127.0.0.1:5000 or "
                         "[::1]:5000)"_s.arg(option, text, why));
    };
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0) {
        return bad(u"no port"_s);
    }
    QString host = text.left(colon);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535) {
        return bad(u"bad port"_s);
    }
    if (host.startsWith(u'[') && host.endsWith(u']')) {
        host = host.mid(1, host.size() - 2);
    }
    QHostAddress address;
    if (host == u"localhost"_s) {
        address = QHostAddress(QHostAddress::LocalHost);
    } else if (host == u"*"_s) {
        address = QHostAddress(QHostAddress::Any);
    } else if (!address.setAddress(host)) {
        return bad(u"'%1' is not an IP address"_s.arg(host));
    }
    return std::pair{address, quint16(port)};
}

// One whole-number option for readNumbers(): where its value goes and its range.
template <typename T> struct NumberOption
{
    QString name;
    T *value; // holds the default; not owned
    T min;
    T max;
};

// Reads each option of `numbers` (flag or config file) into its value; the first bad one is an
// error naming it (and its file and line).
template <typename T>
Result<void> readNumbers(const OptionSource &options,
                         std::initializer_list<NumberOption<T>> numbers)
{
    for (const NumberOption<T> &number : numbers) {
        const Result<T> read =
            numberOption<T>(options, number.name, *number.value, number.min, number.max);
        if (!read) {
            return options.locate(number.name, read.error());
        }
        *number.value = *read;
    }
    return {};
}

// ARTEMIS_TOKEN and ARTEMIS_DATA_DIR, for the settings parsers that read them (serve, values,
// results, diff): the parsers take a map so that tests can give their own.
inline QHash<QString, QString> artemisEnvironment()
{
    QHash<QString, QString> environment;
    for (const char *name : {"ARTEMIS_TOKEN", "ARTEMIS_DATA_DIR"}) {
        if (qEnvironmentVariableIsSet(name)) {
            environment.insert(QString::fromLatin1(name), qEnvironmentVariable(name));
        }
    }
    return environment;
}

// --allow and --deny, the same for every sub-command that fetches (serve, hunt).
inline QList<QCommandLineOption> targetPolicyOptions()
{
    using namespace Qt::StringLiterals;
    return {
        {u"allow"_s,
         u"Allow only targets matching CIDR, HOST pattern or address class (loopback, "
         "private, link-local, metadata) (repeatable); also lifts the default denial of "
         "link-local/metadata addresses it covers."_s,
         u"CIDR|HOST"_s},
        {u"deny"_s,
         u"Deny targets matching CIDR, HOST pattern or address class (loopback, private, "
         "link-local, metadata) (repeatable)."_s,
         u"CIDR|HOST"_s},
    };
}

// The default policy (core/net/targetpolicy.h) plus the --allow/--deny rules given (flags or config
// file); an error names a malformed rule, and its file and line when it came from the file.
inline Result<std::shared_ptr<TargetPolicy>> targetPolicyFrom(const OptionSource &options)
{
    using namespace Qt::StringLiterals;
    auto policy = std::make_shared<TargetPolicy>();
    for (const QString &name : {u"allow"_s, u"deny"_s}) {
        const QStringList rules = options.values(name);
        for (qsizetype i = 0; i < rules.size(); ++i) {
            const Result<void> added =
                name == u"allow"_s ? policy->allow(rules.at(i)) : policy->deny(rules.at(i));
            if (!added) {
                return options.locate(name, added.error(), i);
            }
        }
    }
    return policy;
}

} // namespace Artemis
