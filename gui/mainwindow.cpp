#include "gui/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDesktopServices>
#include <QDialog>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QUrl>
#include <QVBoxLayout>

#include "core/base/duration.h"
#include "core/base/plural.h"
#include "gui/alertsview.h"
#include "gui/compareview.h"
#include "gui/diffview.h"
#include "gui/exportdialog.h"
#include "gui/historyview.h"
#include "gui/huntform.h"
#include "gui/huntlistmodel.h"
#include "gui/huntresultsmodel.h"
#include "gui/jsonview.h"
#include "gui/localbackend.h"
#include "gui/progresspanel.h"
#include "gui/remotebackend.h"
#include "gui/resultcolumns.h"
#include "gui/resultsbrowser.h"
#include "gui/tokenpolicy.h"
#include "gui/tokenstore.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {
const QString DocsUrl = u"https://github.com/artemis-hunt/artemis#readme"_s;
const QString KeyringService = u"Artemis"_s;

} // namespace

MainWindow::MainWindow(LocalBackend *local, RemoteBackend *remote, QSettings *settings,
                       TokenStore *tokens, QWidget *parent)
    : QMainWindow(parent),
      m_local(local),
      m_remote(remote),
      m_settings(settings),
      m_tokens(tokens ? tokens : new TokenStore(KeyringService, this))
{
    setWindowTitle(u"Artemis"_s);
    setObjectName(u"mainWindow"_s);
    // Dialogs parented to the window inherit it (QWidget::windowIcon() walks up the parents).
    setWindowIcon(QIcon(u":/artemis/artemis-256.png"_s));

    m_form = new HuntForm(this);
    m_progress = new ProgressPanel(this);
    m_results = new ResultsBrowser(local, this);
    m_compare = new CompareView(local, this);
    m_history = new HistoryView(local, this);
    m_diff = new DiffView(local, this);
    m_alerts = new AlertsView(local, this);

    auto *huntSplit = new QSplitter(Qt::Horizontal, this);
    huntSplit->addWidget(m_form);
    huntSplit->addWidget(m_progress);
    huntSplit->setStretchFactor(0, 2);
    huntSplit->setStretchFactor(1, 5);
    huntSplit->setSizes({420, 860});
    auto *huntPage = new QWidget(this);
    auto *huntLayout = new QHBoxLayout(huntPage);
    huntLayout->addWidget(huntSplit);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"mainTabs"_s);
    m_tabs->addTab(huntPage, u"&Hunt"_s);
    m_tabs->addTab(m_results, u"&Results"_s);
    m_tabs->addTab(m_compare, u"&Compare"_s);
    m_tabs->addTab(m_history, u"Hist&ory"_s);
    m_tabs->addTab(m_diff, u"&Diff"_s);
    m_tabs->addTab(m_alerts, u"&Alerts"_s);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->addWidget(buildConnectionBar());
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    m_backendLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_backendLabel);
    buildMenus();

    connect(m_form, &HuntForm::startRequested, this, [this] { startHunt(); });
    connect(m_form, &HuntForm::cancelRequested, this, &MainWindow::cancelHunt);
    connect(m_form, &HuntForm::message, this, [this](const QString &t) { status(t); });
    connect(m_results, &ResultsBrowser::message, this, [this](const QString &t) { status(t); });
    connect(m_compare, &CompareView::message, this, [this](const QString &t) { status(t); });
    connect(m_history, &HistoryView::message, this, [this](const QString &t) { status(t); });
    connect(m_alerts, &AlertsView::message, this, [this](const QString &t) { status(t); });
    connect(m_alerts, &AlertsView::historyRequested, this,
            [this](const QString &schedule, const QString &node) {
                showTab(HistoryTab);
                m_history->showHistory(schedule, node, m_history->pathEdit()->text());
            });
    connect(m_results, &ResultsBrowser::huntOpened, m_compare, &CompareView::setHunt);
    connect(m_results, &ResultsBrowser::huntOpened, m_diff, &DiffView::setHunt);
    connect(m_diff, &DiffView::message, this, [this](const QString &t) { status(t); });
    const auto showDiff = [this](const QString &node, const QString &against) {
        showTab(DiffTab);
        m_diff->showDiff(node, against);
    };
    connect(m_compare, &CompareView::diffRequested, this, showDiff);
    connect(m_results, &ResultsBrowser::diffRequested, this, showDiff);
    connect(m_progress->table(), &QTableView::doubleClicked, this,
            [this](const QModelIndex &index) { showLiveNode(index.data(NodeRole).toString()); });
    connect(m_results, &ResultsBrowser::comparePathRequested, this, [this](const QString &path) {
        showTab(CompareTab);
        m_compare->compare(path);
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (index == ResultsTab && m_results->huntModel()->rowCount() == 0) {
            m_results->refresh();
        }
        if (index == HistoryTab) {
            m_history->refreshSchedules();
        }
        if (index == AlertsTab) {
            m_alerts->refreshSchedules();
        }
    });
    connect(m_remote, &HuntBackend::problemChanged, this, [this](const QString &problem) {
        if (m_mode == Mode::Remote) {
            showProblem(problem);
        }
    });

    resize(1280, 800);
    if (m_local) {
        connectBackend(m_local);
    } else {
        // The data dir is held by another process: remote mode only.
        m_modeBox->setItemData(0, 0, Qt::UserRole - 1); // disables the "Local" entry
        m_mode = Mode::Remote;
        connectBackend(m_remote);
    }
}

MainWindow::~MainWindow() = default;

QWidget *MainWindow::buildConnectionBar()
{
    auto *bar = new QWidget(this);
    auto *lines = new QVBoxLayout(bar);
    lines->setContentsMargins(0, 0, 0, 0);
    auto *row = new QHBoxLayout;
    lines->addLayout(row);
    m_modeBox = new QComboBox(bar);
    m_modeBox->setObjectName(u"modeBox"_s);
    m_modeBox->addItem(u"Local (this computer)"_s);
    m_modeBox->addItem(u"Remote server"_s);
    m_server = new QLineEdit(bar);
    m_server->setObjectName(u"serverEdit"_s);
    m_server->setPlaceholderText(u"http://127.0.0.1:5000"_s); // serve's default --listen
    m_token = new QLineEdit(bar);
    m_token->setObjectName(u"tokenEdit"_s);
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(u"API token"_s);
    m_rememberToken = new QCheckBox(u"Remember token"_s, bar);
    m_rememberToken->setObjectName(u"rememberTokenBox"_s);
    m_rememberToken->setToolTip(u"Keeps the token of this server in the desktop keyring (GNOME "
                                u"Keyring, KWallet, …), never in a file"_s);
    m_tokenNote = new QLabel(bar);
    m_tokenNote->setObjectName(u"tokenNoteLabel"_s);
    m_tokenNote->setTextFormat(Qt::PlainText);
    m_tokenNote->setStyleSheet(u"color:#b02020"_s);
    m_tokenNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A line of its own below the fields, wrapped: a long keyring message never squeezes the
    // server field nor widens the window (Ignored: its width comes from the bar, not its text).
    m_tokenNote->setWordWrap(true);
    m_tokenNote->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_tokenNote->hide();
    m_caFile = new QLineEdit(bar);
    m_caFile->setObjectName(u"caFileEdit"_s);
    m_caFile->setPlaceholderText(u"CA file (https)"_s);
    m_caFile->setToolTip(u"PEM file with the CA that signed an https:// server's certificate "
                         "(when it is not one the system trusts)"_s);
    m_caButton = new QPushButton(u"CA file…"_s, bar);
    m_caButton->setObjectName(u"caFileButton"_s);
    m_connect = new QPushButton(u"Connect"_s, bar);
    m_connect->setObjectName(u"connectButton"_s);
    m_connection = new QLabel(bar);
    m_connection->setObjectName(u"connectionLabel"_s);
    m_connection->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Long states ("Connecting to https://…") get the space left (clipped), never taking the
    // server field's: that one keeps room for a whole URL.
    m_connection->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_server->setMinimumWidth(m_server->fontMetrics().horizontalAdvance(u"https://127.0.0.1:5000"_s)
                              + 16);

    row->addWidget(new QLabel(u"Mode:"_s, bar));
    row->addWidget(m_modeBox);
    row->addSpacing(12);
    row->addWidget(new QLabel(u"Server:"_s, bar));
    row->addWidget(m_server, 2);
    row->addWidget(m_token, 1);
    row->addWidget(m_rememberToken);
    row->addWidget(m_caFile, 1);
    row->addWidget(m_caButton);
    row->addWidget(m_connect);
    row->addWidget(m_connection, 3);
    lines->addWidget(m_tokenNote);

    const auto updateEnabled = [this] {
        const bool remote = m_modeBox->currentIndex() == 1;
        for (QWidget *w : std::initializer_list<QWidget *>{m_server, m_token, m_rememberToken,
                                                           m_caFile, m_caButton, m_connect}) {
            w->setEnabled(remote);
        }
    };
    connect(m_modeBox, &QComboBox::currentIndexChanged, this, [this, updateEnabled](int index) {
        updateEnabled();
        setMode(index == 1 ? Mode::Remote : Mode::Local);
    });
    connect(m_connect, &QPushButton::clicked, this, [this] { setMode(Mode::Remote); });
    connect(m_server, &QLineEdit::returnPressed, this, [this] { setMode(Mode::Remote); });
    connect(m_token, &QLineEdit::returnPressed, this, [this] { setMode(Mode::Remote); });
    connect(m_caFile, &QLineEdit::returnPressed, this, [this] { setMode(Mode::Remote); });
    // Programmatic changes (restoring, a refused write) block the box's signals: only the user's
    // own toggles write or delete keyring entries here.
    connect(m_rememberToken, &QCheckBox::toggled, this, [this](bool on) {
        if (!on) {
            m_tokenPolicy->forget(serverUrl());
        } else if (m_mode == Mode::Remote) {
            m_tokenPolicy->remember(serverUrl());
        }
    });
    connect(m_caButton, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, u"CA certificate of the server"_s, m_caFile->text(),
                                         u"PEM certificates (*.pem *.crt *.cer);;All files (*)"_s);
        if (!path.isEmpty()) {
            m_caFile->setText(path);
            setMode(Mode::Remote);
        }
    });
    m_tokenPolicy = new TokenPolicy(m_tokens, m_token, m_rememberToken, m_tokenNote, this);
    connect(m_tokenPolicy, &TokenPolicy::status, this, &MainWindow::status);
    connect(m_tokenPolicy, &TokenPolicy::answered, this, &MainWindow::tokenKeyringAnswered);
    updateEnabled();
    return bar;
}

void MainWindow::exportResults()
{
    const QString hunt = m_results->currentHunt();
    if (hunt.isEmpty()) {
        status(u"Open a hunt in Results first."_s);
        return;
    }
    ExportDialog dialog(hunt, m_compare->huntId() == hunt ? m_compare->comparedPath() : QString(),
                        this);
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    const QString file = dialog.filePath();
    status(u"Exporting hunt %1 to %2…"_s.arg(hunt, file), 0);
    backend()->exportResults(hunt, dialog.fields(), dialog.format(), dialog.outcomes(), file, this,
                             [this, file](Result<qint64> bytes) {
                                 status(bytes ? u"Saved %1 (%2 bytes)"_s.arg(file).arg(*bytes)
                                              : bytes.error().message);
                             });
}

void MainWindow::showLiveNode(const QString &node)
{
    const QString hunt = m_progress->huntId();
    if (node.isEmpty() || hunt.isEmpty()) {
        return;
    }
    backend()->nodeOutcome(hunt, node, this, [this, node](Result<Outcome> outcome) {
        if (!outcome) {
            status(u"%1: %2"_s.arg(node, outcome.error().message));
            return;
        }
        auto *dialog = new QDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setObjectName(u"liveNodeDialog"_s);
        dialog->setWindowTitle(node);
        auto *json = new JsonView(dialog);
        auto *layout = new QVBoxLayout(dialog);
        layout->addWidget(json);
        const QString title =
            u"<b>%1</b> — %2, %3 ms"_s.arg(node.toHtmlEscaped(), outcomeName(outcome->outcome))
                .arg(outcome->latencyMs);
        if (outcome->body.isUndefined() || outcome->body.isNull()) {
            json->setMessage(title + u"<br>(no body) "_s + outcome->error.toHtmlEscaped());
        } else {
            json->setDocument(title, outcome->body);
        }
        dialog->resize(640, 560);
        dialog->show();
    });
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(u"&File"_s);
    QAction *open = file->addAction(u"&Open nodes file…"_s, this, [this] {
        const QString name = QFileDialog::getOpenFileName(this, u"Open nodes file"_s);
        if (!name.isEmpty()) {
            showTab(HuntTab);
            m_form->loadNodesFile(name);
        }
    });
    open->setShortcut(QKeySequence::Open);
    file->addSeparator();
    file->addAction(u"Export &compare table as CSV…"_s, this, [this] {
        showTab(CompareTab);
        m_compare->exportCsvDialog();
    });
    QAction *exportAction =
        file->addAction(u"&Export hunt results…"_s, this, &MainWindow::exportResults);
    exportAction->setShortcut(QKeySequence(u"Ctrl+E"_s));
    file->addSeparator();
    QAction *quit = file->addAction(u"&Quit"_s, this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *hunt = menuBar()->addMenu(u"H&unt"_s);
    m_startAction = hunt->addAction(u"&Start"_s, this, &MainWindow::startHunt);
    m_startAction->setObjectName(u"startAction"_s);
    m_startAction->setShortcuts({QKeySequence(u"Ctrl+Return"_s), QKeySequence(u"Ctrl+Enter"_s)});
    m_cancelAction = hunt->addAction(u"&Cancel"_s, this, &MainWindow::cancelHunt);
    m_cancelAction->setObjectName(u"cancelAction"_s);
    m_cancelAction->setShortcuts({QKeySequence(u"Ctrl+."_s), QKeySequence(Qt::Key_Escape)});
    hunt->addSeparator();
    QAction *search = hunt->addAction(u"&Find"_s, this, &MainWindow::focusSearch);
    search->setShortcut(QKeySequence::Find);
    QAction *refresh =
        hunt->addAction(u"&Refresh saved hunts"_s, this, [this] { m_results->refresh(); });
    refresh->setShortcut(QKeySequence::Refresh);

    QMenu *help = menuBar()->addMenu(u"&Help"_s);
    help->addAction(u"&Documentation"_s, this, &MainWindow::showDocs);
    help->addAction(u"&About Artemis"_s, this, &MainWindow::showAbout);
    help->addAction(u"About &Qt"_s, qApp, &QApplication::aboutQt);
}

HuntBackend *MainWindow::backend() const
{
    return m_mode == Mode::Remote ? static_cast<HuntBackend *>(m_remote)
                                  : static_cast<HuntBackend *>(m_local);
}

void MainWindow::connectBackend(HuntBackend *backend)
{
    for (const QMetaObject::Connection &c : std::as_const(m_backendConnections)) {
        disconnect(c);
    }
    m_backendConnections.clear();
    m_backendConnections.append(
        connect(backend, &HuntBackend::huntProgress, this, &MainWindow::onProgress));
    m_backendConnections.append(
        connect(backend, &HuntBackend::huntFinished, this, &MainWindow::onFinished));
    m_results->setBackend(backend);
    m_compare->setBackend(backend);
    m_history->setBackend(backend);
    m_diff->setBackend(backend);
    m_alerts->setBackend(backend);
    m_backendLabel->setText(backend->description());
    m_runningHunt.clear();
    m_form->setRunning(false);
}

void MainWindow::setServer(const QString &url)
{
    m_server->setText(url);
}

void MainWindow::setMode(Mode mode)
{
    if (!m_local) {
        mode = Mode::Remote;
    }
    m_mode = mode;
    m_connectAfterTokenRead = false;
    {
        const QSignalBlocker block(m_modeBox);
        m_modeBox->setCurrentIndex(mode == Mode::Remote ? 1 : 0);
    }
    for (QWidget *w : std::initializer_list<QWidget *>{m_server, m_token, m_rememberToken, m_caFile,
                                                       m_caButton, m_connect}) {
        w->setEnabled(mode == Mode::Remote);
    }
    if (mode == Mode::Local) {
        connectBackend(m_local);
        m_connection->setText(u"<span style='color:#1b7f3b'>Hunts run on this computer.</span>"_s);
        m_results->refresh();
        return;
    }
    const QString text = serverUrl();
    m_remote->setServer(QUrl(text), m_token->text().trimmed());
    if (m_rememberToken->isChecked()) {
        m_tokenPolicy->remember(serverUrl());
    }
    // A bad CA file becomes the backend's problem, which checkConnection() reports below.
    (void)m_remote->setCaFile(m_caFile->text().trimmed());
    connectBackend(m_remote);
    m_connection->setText(u"Connecting to %1…"_s.arg(text.toHtmlEscaped()));
    m_remote->checkConnection(this, [this, text](Result<bool> ok) {
        if (m_mode != Mode::Remote) {
            return;
        }
        if (!ok) {
            showProblem(ok.error().message);
            Q_EMIT connectionChecked(false);
            return;
        }
        m_connection->setText(
            u"<span style='color:#1b7f3b'>Connected to %1.</span>"_s.arg(text.toHtmlEscaped()));
        status(u"Connected to %1"_s.arg(text));
        m_results->refresh();
        Q_EMIT connectionChecked(true);
    });
}

QString MainWindow::serverUrl() const
{
    QString text = m_server->text().trimmed();
    if (!text.isEmpty() && !text.contains(u"://"_s)) {
        text = u"http://"_s + text;
    }
    return text;
}

void MainWindow::showProblem(const QString &problem)
{
    if (problem.isEmpty()) {
        return;
    }
    m_connection->setText(
        u"<span style='color:#b02020'><b>%1</b></span>"_s.arg(problem.toHtmlEscaped()));
    m_connection->setToolTip(problem);
    status(problem, 15000);
}

void MainWindow::startHunt()
{
    if (!m_runningHunt.isEmpty()) {
        status(u"A hunt is already running; cancel it first (Esc)."_s);
        return;
    }
    if (!m_form->startButton()->isEnabled()) {
        status(u"Nothing to start: enter valid nodes and a path."_s);
        return;
    }
    const HuntRequest request = m_form->request();
    qint64 everyMs = 0;
    if (const QString every = m_form->repeatEvery(); !every.isEmpty()) {
        const Result<qint64> parsed = parseDurationMs(every);
        if (!parsed) {
            status(u"Repeat every: %1"_s.arg(parsed.error().message), 15000);
            return;
        }
        everyMs = *parsed;
    }
    saveSettings();
    m_form->setRunning(true);
    if (everyMs > 0) {
        startSchedule(request, everyMs);
        return;
    }
    HuntBackend *target = backend();
    target->submit(request, this, [this, target, request](Result<HuntInfo> info) {
        if (target != backend()) {
            return;
        }
        if (!info) {
            m_form->setRunning(false);
            status(u"Could not start the hunt: %1"_s.arg(info.error().message), 15000);
            return;
        }
        followStartedHunt(*info, request.nodes);
        status(u"Hunt %1 started: %2 nodes"_s.arg(info->id).arg(info->total));
    });
}

void MainWindow::startSchedule(const HuntRequest &request, qint64 everyMs)
{
    const ScheduleSpec spec = ScheduleSpec::forRequest(request, everyMs);
    HuntBackend *target = backend();
    target->createSchedule(spec, this, [this, target, request](Result<Schedule> schedule) {
        if (target != backend()) {
            return;
        }
        if (!schedule || schedule->rounds.isEmpty()) {
            m_form->setRunning(false);
            status(u"Could not start the schedule: %1"_s.arg(schedule ? u"no round started"_s
                                                                      : schedule.error().message),
                   15000);
            return;
        }
        // Round 1 is followed live like a hunt; later rounds show in Results and History.
        HuntInfo first;
        first.id = schedule->rounds.first().hunt;
        first.url = request.url;
        first.options = request.options;
        first.total = int(request.nodes.size());
        first.schedule = schedule->id;
        first.round = 1;
        first.createdAt = schedule->createdAt;
        followStartedHunt(first, request.nodes);
        // Told before the rounds go wrong: e.g. a node's worst case past the round deadline.
        const QStringList warnings = schedule->warnings();
        QStringList notice;
        for (const QString &warning : warnings) {
            notice.append(u"Schedule %1: warning: %2"_s.arg(schedule->id, warning));
        }
        m_progress->setNotice(notice.join(u'\n'));
        status(u"Schedule %1 started: every %2; round 1 is hunt %3%4"_s.arg(
                   schedule->id, formatDurationMs(schedule->spec.everyMs), first.id,
                   warnings.isEmpty()
                       ? QString()
                       : u" (%1: see the Hunt tab)"_s.arg(countOf(warnings.size(), u"warning"))),
               warnings.isEmpty() ? 6000 : 30000);
    });
}

void MainWindow::followStartedHunt(const HuntInfo &info, const QStringList &nodes)
{
    m_runningHunt = info.id;
    m_progress->start(info, nodes);
    showTab(HuntTab);
    Q_EMIT huntStarted(info.id);
}

void MainWindow::cancelHunt()
{
    if (m_runningHunt.isEmpty()) {
        return;
    }
    const QString id = m_runningHunt;
    backend()->cancel(id, this, [this, id](Result<bool> ok) {
        status(ok ? u"Cancelling hunt %1…"_s.arg(id)
                  : u"Could not cancel %1: %2"_s.arg(id, ok.error().message));
    });
}

void MainWindow::onProgress(const HuntProgress &progress)
{
    m_progress->applyProgress(progress);
}

void MainWindow::onFinished(const HuntInfo &info)
{
    m_progress->finish(info);
    if (m_compare->huntId() == info.id) {
        m_compare->setHunt(info.id, huntDescription(info)); // no longer "running"
    }
    if (info.id != m_runningHunt) {
        return;
    }
    m_runningHunt.clear();
    m_form->setRunning(false);
    status(u"Hunt %1 %2: %3 ok, %4 failed"_s.arg(info.id, huntStateName(info.state))
               .arg(info.counts.count(OutcomeKind::Ok))
               .arg(info.counts.failed()),
           0);
    Q_EMIT huntFinished(info);
}

void MainWindow::showTab(Tab tab)
{
    m_tabs->setCurrentIndex(tab);
}

void MainWindow::focusSearch()
{
    switch (m_tabs->currentIndex()) {
    case HuntTab:
        m_progress->textFilter()->setFocus();
        m_progress->textFilter()->selectAll();
        break;
    case ResultsTab:
        m_results->jsonView()->focusSearch();
        break;
    case HistoryTab:
        m_history->pathEdit()->setFocus();
        break;
    case DiffTab:
        break;
    case AlertsTab:
        m_alerts->textFilter()->setFocus();
        m_alerts->textFilter()->selectAll();
        break;
    case CompareTab:
        m_compare->pathEdit()->setFocus();
        m_compare->pathEdit()->selectAll();
        break;
    }
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, u"About Artemis"_s,
                       u"<h3>Artemis %1</h3><p>Fetches a JSON path from many nodes at once, stores "
                       u"every answer, and lets you browse and compare them.</p>"
                       u"<p>Qt %2 · %3</p>"_s.arg(QStringLiteral(ARTEMIS_VERSION),
                                                  QString::fromLatin1(qVersion()),
                                                  backend()->description().toHtmlEscaped()));
}

void MainWindow::showDocs()
{
    // A source checkout has the docs next to the build; otherwise point at the README online.
    const QString local = QStringLiteral(ARTEMIS_SOURCE_DIR "/docs/gui.md");
    if (QFileInfo::exists(local) && QDesktopServices::openUrl(QUrl::fromLocalFile(local))) {
        return;
    }
    QMessageBox::information(
        this, u"Documentation"_s,
        u"The user guide is README.md and docs/gui.md in the Artemis sources:"
        u"<br><a href='%1'>%1</a><br>%2"_s.arg(DocsUrl, local.toHtmlEscaped()));
}

void MainWindow::status(const QString &text, int timeoutMs)
{
    statusBar()->showMessage(text, timeoutMs);
}

void MainWindow::restoreSettings()
{
    m_form->loadSettings(*m_settings);
    m_server->setText(m_settings->value(u"remote/url"_s).toString());
    m_caFile->setText(m_settings->value(u"remote/caFile"_s).toString());
    const bool remember = m_settings->value(u"remote/rememberToken"_s, false).toBool();
    {
        const QSignalBlocker block(m_rememberToken);
        m_rememberToken->setChecked(remember);
    }
    restoreGeometry(m_settings->value(u"window/geometry"_s).toByteArray());
    restoreState(m_settings->value(u"window/state"_s).toByteArray());
    m_tabs->setCurrentIndex(m_settings->value(u"window/tab"_s, 0).toInt());
    const bool remote = !m_local || m_settings->value(u"mode"_s).toString() == u"remote"_s;
    const Mode mode = remote ? Mode::Remote : Mode::Local;
    const QString server = serverUrl();
    if (m_settings->contains(u"remote/token"_s)) {
        m_tokenPolicy->migrateClearText(*m_settings, server);
        setMode(mode);
        return;
    }
    if (!remember || server.isEmpty()) {
        setMode(mode);
        return;
    }
    if (remote) {
        // Connecting now would go without the token; the keyring may first ask to be unlocked.
        {
            const QSignalBlocker block(m_modeBox);
            m_modeBox->setCurrentIndex(1);
        }
        for (QWidget *w : std::initializer_list<QWidget *>{m_server, m_token, m_rememberToken,
                                                           m_caFile, m_caButton, m_connect}) {
            w->setEnabled(true);
        }
        m_connection->setText(
            u"Reading the token of %1 from the desktop keyring…"_s.arg(server.toHtmlEscaped()));
    } else {
        setMode(mode);
    }
    m_connectAfterTokenRead = remote;
    m_tokenPolicy->readRemembered(
        server, [this] { return serverUrl(); },
        [this] {
            if (m_connectAfterTokenRead) {
                setMode(Mode::Remote);
            }
        });
}

void MainWindow::saveSettings()
{
    m_form->saveSettings(*m_settings);
    if (m_local) { // remote-only for a locked data dir is not a choice to remember
        m_settings->setValue(u"mode"_s, m_mode == Mode::Remote ? u"remote"_s : u"local"_s);
    }
    m_settings->setValue(u"remote/url"_s, m_server->text().trimmed());
    m_settings->setValue(u"remote/caFile"_s, m_caFile->text().trimmed());
    // The token itself lives in the keyring only (TokenStore), never here.
    m_settings->setValue(u"remote/rememberToken"_s, m_rememberToken->isChecked());
    m_settings->remove(u"remote/token"_s);
    m_settings->setValue(u"window/geometry"_s, saveGeometry());
    m_settings->setValue(u"window/state"_s, saveState());
    m_settings->setValue(u"window/tab"_s, m_tabs->currentIndex());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

} // namespace Artemis::Gui
