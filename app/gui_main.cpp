// artemis: the desktop GUI. Only argument parsing and the object graph live here.
#include <cstdio>
#include <cstring>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileDialog>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "core/base/datadirlock.h"
#include "core/base/logging.h"
#include "core/service/localstack.h"
#include "core/watch/scheduler.h"
#include "gui/datadirlockeddialog.h"
#include "gui/demonodes.h"
#include "gui/huntform.h"
#include "gui/localbackend.h"
#include "gui/mainwindow.h"
#include "gui/remotebackend.h"
#include "gui/screenshotter.h"

using namespace Qt::StringLiterals;
using namespace Artemis;

namespace {
// The GUI's words for a data dir another process holds (printed before the dialog that offers
// the same: another directory, or the holder's service in remote mode).
const DataDirAdvice guiDataDirAdvice{
    u"Give another --data-dir"_s,
    u"POST %1/api/v1/hunts (or /fetch), or the GUI's remote mode with %1"_s};
constexpr int DemoNodeCount = 2000; // the trial's fleet size
constexpr int FetchThreads = 2;
} // namespace

int main(int argc, char *argv[])
{
    Artemis::installMessagePattern();
    Artemis::installSecretRedaction();
    // Before QApplication, which needs a display: `artemis --version` works on a server too.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::printf("artemis %s\n", ARTEMIS_VERSION);
            return 0;
        }
    }
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

    // The data dir's lock first: a second process on the same directory would run its
    // schedules twice and mark its running hunts interrupted.
    std::unique_ptr<LocalStack> stack;
    QString serviceUrl; // when the directory's holder serves it and the user connects there
    while (!stack) {
        LocalStackConfig config;
        config.dataDir = dataDir;
        config.command = u"artemis"_s;
        config.threads = FetchThreads;
        Result<std::unique_ptr<LocalStack>> opened = LocalStack::open(std::move(config));
        if (opened) {
            stack = std::move(opened).value();
            break;
        }
        std::fprintf(stderr, "artemis: %s\n",
                     qPrintable(dataDirProblem(dataDir, opened.error(), guiDataDirAdvice)));
        if (screenshot) {
            return 2;
        }
        if (opened.error().code != ErrorCode::Locked) {
            QMessageBox::critical(nullptr, u"Artemis"_s,
                                  u"Cannot open the data directory %1: %2"_s.arg(
                                      QDir::toNativeSeparators(dataDir), opened.error().message));
            return 2;
        }
        Gui::DataDirLockedDialog dialog(dataDir, opened.error());
        dialog.exec();
        const Gui::DataDirLockedDialog::Choice choice = dialog.choice();
        if (choice == Gui::DataDirLockedDialog::Choice::ConnectToService) {
            serviceUrl = dialog.serviceUrl();
            break;
        }
        if (choice == Gui::DataDirLockedDialog::Choice::Quit) {
            return 2;
        }
        const QString other = QFileDialog::getExistingDirectory(
            nullptr, u"Artemis: choose a data directory"_s, dataDir);
        if (other.isEmpty()) {
            return 2;
        }
        dataDir = other;
    }
    // Local schedules ("Repeat every") run while the window is open and resume at the next
    // start on the same data directory.
    if (stack) {
        if (const Result<QStringList> loaded = stack->scheduler()->load(); !loaded) {
            std::fprintf(stderr, "artemis: cannot read the stored schedules: %s\n",
                         qPrintable(loaded.error().message));
        }
    }
    std::unique_ptr<Gui::LocalBackend> local;
    if (stack) {
        local = std::make_unique<Gui::LocalBackend>(stack.get());
    }
    Gui::RemoteBackend remote;
    QSettings userSettings;
    QSettings demoSettings(demoDir.filePath(u"settings.ini"_s), QSettings::IniFormat);
    Gui::MainWindow window(local.get(), &remote, screenshot ? &demoSettings : &userSettings);

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
                             std::fprintf(
                                 ok ? stdout : stderr, "artemis: %s%s\n",
                                 ok ? "wrote " : "screenshot failed: ", qPrintable(message));
                             code = ok ? 0 : 1;
                             QApplication::quit();
                         });
        shooter.run();
        QApplication::exec();
    } else {
        window.restoreSettings();
        if (!serviceUrl.isEmpty()) {
            window.setServer(serviceUrl);
            window.setMode(Gui::MainWindow::Mode::Remote);
        }
        window.show();
        code = QApplication::exec();
    }
    if (stack) {
        stack->shutdown();
    }
    return code;
}
