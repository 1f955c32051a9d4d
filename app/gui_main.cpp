// artemis: the desktop GUI. Only argument parsing and the object graph live here.
#include <cstdio>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "core/huntengine.h"
#include "core/localexecutor.h"
#include "core/logging.h"
#include "core/resultstore.h"
#include "core/scheduler.h"
#include "gui/demonodes.h"
#include "gui/huntform.h"
#include "gui/localbackend.h"
#include "gui/mainwindow.h"
#include "gui/remotebackend.h"
#include "gui/screenshotter.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {
constexpr int DemoNodeCount = 24;
constexpr int FetchThreads = 2;
} // namespace

int main(int argc, char *argv[])
{
    Artemis::installMessagePattern();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"Artemis"_s);
    QApplication::setApplicationName(u"artemis"_s);
    QApplication::setApplicationVersion(QStringLiteral(ARTEMIS_VERSION));
    qRegisterMetaType<Artemis::Outcome>();
    qRegisterMetaType<Artemis::HuntInfo>();
    qRegisterMetaType<Artemis::HuntProgress>();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Fetch a JSON path from many nodes at once; browse and compare the answers."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDirOption(
        u"data-dir"_s, u"Where local hunts are stored (default: the user data directory)."_s,
        u"DIR"_s);
    const QCommandLineOption screenshotOption(
        u"screenshot"_s,
        u"Run a demo hunt against built-in loopback nodes, save each main view to DIR/*.png "
        u"and exit (works with QT_QPA_PLATFORM=offscreen)."_s,
        u"DIR"_s);
    parser.addOption(dataDirOption);
    parser.addOption(screenshotOption);
    parser.process(app);

    const bool screenshot = parser.isSet(screenshotOption);
    QTemporaryDir demoDir; // screenshot mode: a throwaway store and settings
    QString dataDir = parser.value(dataDirOption);
    if (dataDir.isEmpty()) {
        dataDir = screenshot ? demoDir.path()
                             : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    }

    ResultStore store(dataDir);
    if (const Result<QStringList> opened = store.open(); !opened) {
        const QString message = u"Cannot open the data directory %1: %2"_s.arg(
            QDir::toNativeSeparators(dataDir), opened.error().message);
        std::fprintf(stderr, "artemis: %s\n", qPrintable(message));
        if (!screenshot) {
            QMessageBox::critical(nullptr, u"Artemis"_s, message);
        }
        return 1;
    }
    LocalExecutor executor(FetchThreads);
    HuntEngine engine(&store, &executor);
    // Local schedules ("Repeat every") run while the window is open and resume at the next
    // start on the same data directory.
    Scheduler scheduler(&engine);
    if (const Result<QStringList> loaded = scheduler.load(); !loaded) {
        std::fprintf(stderr, "artemis: cannot read the stored schedules: %s\n",
                     qPrintable(loaded.error().message));
    }
    Gui::LocalBackend local(&engine, &store, &scheduler);
    Gui::RemoteBackend remote;
    QSettings userSettings;
    QSettings demoSettings(demoDir.filePath(u"settings.ini"_s), QSettings::IniFormat);
    Gui::MainWindow window(&local, &remote, screenshot ? &demoSettings : &userSettings);

    int code = 0;
    if (screenshot) {
        Gui::DemoNodes demo;
        if (!demo.start(DemoNodeCount)) {
            std::fprintf(stderr, "artemis: cannot start the demo nodes\n");
            return 1;
        }
        FetchOptions options;
        options.timeoutMs = 3000;
        options.attempts = 2;
        options.backoffBaseMs = 50;
        window.form()->setOptions(options);
        window.setMode(Gui::MainWindow::Mode::Local);
        window.show();
        Gui::Screenshotter shooter(&window, demo.nodes(), parser.value(screenshotOption));
        QObject::connect(&shooter, &Gui::Screenshotter::finished, &app,
                         [&code](bool ok, const QString &message) {
                             std::fprintf(ok ? stdout : stderr, "artemis: %s%s\n",
                                          ok ? "wrote " : "screenshot failed: ",
                                          qPrintable(message));
                             code = ok ? 0 : 1;
                             QApplication::quit();
                         });
        shooter.run();
        QApplication::exec();
    } else {
        window.restoreSettings();
        window.show();
        code = QApplication::exec();
    }
    engine.shutdown();
    return code;
}
