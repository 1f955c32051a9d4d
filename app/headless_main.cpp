// artemis-headless: serve | hunt | worker | values | results | diff. Only argument dispatch lives
// here.
#include <cstdio>
#include <unistd.h>

#include <QCoreApplication>
#include <QTextStream>

#include "core/base/logging.h"
#include "headless/cli/filelimit.h"
#include "headless/cli/huntcommand.h"
#include "headless/cli/querycommand.h"
#include "headless/cli/servecommand.h"
#include "headless/cli/signalwatcher.h"
#include "headless/cli/workercommand.h"

using namespace Qt::StringLiterals;

namespace {

void printUsage(QTextStream &stream)
{
    stream << "Usage: artemis-headless COMMAND [options]\n\n"
              "Commands:\n"
              "  serve    run the REST service (POST /fetch, /api/v1/hunts, /metric, /metrics)\n"
              "  hunt     fetch a path from many nodes once and store the answers\n"
              "  worker   fetch jobs of a distributed coordinator (serve --broker)\n"
              "  values   groups, stats and outliers of one JSON path across a hunt's nodes\n"
              "  results  a hunt's results, whole or as chosen fields, as NDJSON or CSV\n"
              "  diff     where one node's answer differs from the majority (or a node, or its\n"
              "           previous round)\n"
              "  help     show this help ('artemis-headless COMMAND --help' for a command)\n"
              "  version  print the version\n";
    stream.flush();
}

} // namespace

int main(int argc, char *argv[])
{
    Artemis::installMessagePattern();
    Artemis::installSecretRedaction();
    QCoreApplication app(argc, argv);
    Artemis::raiseOpenFileLimit();
    QCoreApplication::setApplicationName(u"artemis-headless"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(ARTEMIS_VERSION));

    QTextStream out(stdout);
    QTextStream err(stderr);
    QStringList args = QCoreApplication::arguments();
    const QString command = args.size() > 1 ? args.at(1) : QString();
    if (command.isEmpty() || command == u"help"_s || command == u"--help"_s || command == u"-h"_s) {
        printUsage(command.isEmpty() ? err : out);
        return command.isEmpty() ? 2 : 0;
    }
    if (command == u"version"_s || command == u"--version"_s) {
        out << "artemis-headless " << ARTEMIS_VERSION << '\n';
        return 0;
    }
    args.removeAt(1);
    args[0] = u"artemis-headless "_s + command;
    // Every sub-command answers --version too (help2man asks the binary it documents).
    if (args.contains(u"--version"_s)) {
        out << "artemis-headless " << ARTEMIS_VERSION << '\n';
        return 0;
    }

    Artemis::SignalWatcher signals;
    if (command == u"hunt"_s) {
        Artemis::HuntCommand hunt(out, err, ::isatty(STDERR_FILENO) == 1);
        QObject::connect(&hunt, &Artemis::HuntCommand::finished, &app, &QCoreApplication::exit);
        QObject::connect(&signals, &Artemis::SignalWatcher::terminationRequested, &hunt,
                         [&hunt](int) { hunt.interrupt(); });
        hunt.start(args);
        return app.exec();
    }
    if (command == u"serve"_s) {
        Artemis::ServeCommand serve(out, err);
        QObject::connect(&serve, &Artemis::ServeCommand::finished, &app, &QCoreApplication::exit);
        QObject::connect(&signals, &Artemis::SignalWatcher::terminationRequested, &serve,
                         [&serve](int) { serve.interrupt(); });
        serve.start(args);
        return app.exec();
    }
    const std::optional<Artemis::QuerySettings::Kind> query =
        command == u"values"_s    ? std::optional(Artemis::QuerySettings::Kind::Values)
        : command == u"results"_s ? std::optional(Artemis::QuerySettings::Kind::Results)
        : command == u"diff"_s    ? std::optional(Artemis::QuerySettings::Kind::Diff)
                                  : std::nullopt;
    if (query) {
        Artemis::QueryCommand run(*query, out, err, ::isatty(STDOUT_FILENO) == 1);
        QObject::connect(&run, &Artemis::QueryCommand::finished, &app, &QCoreApplication::exit);
        run.start(args);
        return app.exec();
    }
    if (command == u"worker"_s) {
        Artemis::WorkerCommand worker(out, err);
        QObject::connect(&worker, &Artemis::WorkerCommand::finished, &app, &QCoreApplication::exit);
        QObject::connect(&signals, &Artemis::SignalWatcher::terminationRequested, &worker,
                         [&worker](int) { worker.interrupt(); });
        worker.start(args);
        return app.exec();
    }
    err << "artemis-headless: unknown command '" << command << "'\n";
    printUsage(err);
    return 2;
}
