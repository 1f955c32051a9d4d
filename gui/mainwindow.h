#pragma once

#include <QMainWindow>

#include "core/engine/huntengine.h"

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;
class QTabWidget;

namespace Artemis::Gui {

class AlertsView;
class CompareView;
class DiffView;
class HistoryView;
class HuntBackend;
class HuntForm;
class LocalBackend;
class ProgressPanel;
class RemoteBackend;
class ResultsBrowser;
class TokenPolicy;
class TokenStore;

// The main window: connection bar (local / remote server + token + CA file), and four tabs: Hunt
// (form
// + live progress), Results (saved hunts -> nodes -> JSON), Compare (one path across nodes),
// History (one node of a schedule across its rounds), Diff (one node against the majority),
// Alerts (each node's failing conditions in a schedule).
// It wires views to the active backend; it holds no rules of its own.
//
// "Remember token" keeps the token of the server in the desktop keyring (TokenStore), never in
// the settings file; without a keyring the token is not remembered and the window says so.
//
// Lives on the GUI thread. The backends, the settings and a given token store are not owned and
// must outlive it.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    enum class Mode { Local, Remote };
    enum Tab { HuntTab, ResultsTab, CompareTab, HistoryTab, DiffTab, AlertsTab };

    // `local` null: remote mode only (the data dir is held by another process). `tokens` null: a
    // store of its own, under the keyring service "Artemis".
    MainWindow(LocalBackend *local, RemoteBackend *remote, QSettings *settings,
               TokenStore *tokens = nullptr, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Also moves a clear-text token left in the settings by an older version into the keyring
    // (or deletes it), and reads the remembered server's token from the keyring; remote mode
    // connects once that read has answered.
    void restoreSettings();
    void saveSettings();
    void setMode(Mode mode);            // Remote: (re)connects with the URL and token in the bar
    void setServer(const QString &url); // the remote URL in the bar (setMode connects)
    Mode mode() const { return m_mode; }
    HuntBackend *backend() const;
    QString runningHunt() const { return m_runningHunt; }

    void startHunt();
    void cancelHunt();
    void showTab(Tab tab);

    HuntForm *form() const { return m_form; }
    ProgressPanel *progress() const { return m_progress; }
    ResultsBrowser *results() const { return m_results; }
    CompareView *compare() const { return m_compare; }
    HistoryView *history() const { return m_history; }
    DiffView *diff() const { return m_diff; }
    AlertsView *alerts() const { return m_alerts; }
    QTabWidget *tabs() const { return m_tabs; }
    QComboBox *modeBox() const { return m_modeBox; }
    QLineEdit *serverEdit() const { return m_server; }
    QLineEdit *tokenEdit() const { return m_token; }
    QCheckBox *rememberTokenBox() const { return m_rememberToken; }
    QLabel *tokenNoteLabel() const { return m_tokenNote; } // why a token is not remembered
    QLineEdit *caFileEdit() const { return m_caFile; }     // PEM CA for an https:// server
    QLabel *connectionLabel() const { return m_connection; }

Q_SIGNALS:
    void huntStarted(const QString &id);
    void huntFinished(const Artemis::HuntInfo &info);
    void connectionChecked(bool ok);
    // A keyring job of the window has answered (read at start, remember, forget).
    void tokenKeyringAnswered(bool ok);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    QWidget *buildConnectionBar();
    void connectBackend(HuntBackend *backend);
    void startSchedule(const HuntRequest &request, qint64 everyMs);
    void followStartedHunt(const HuntInfo &info, const QStringList &nodes);
    void onProgress(const HuntProgress &progress);
    void onFinished(const HuntInfo &info);
    void showProblem(const QString &problem);
    void focusSearch();
    void showAbout();
    void exportResults();
    void showLiveNode(const QString &node);
    void showDocs();
    void status(const QString &text, int timeoutMs = 6000);
    QString serverUrl() const; // the bar's server, with http:// when no scheme was typed

    LocalBackend *m_local;                // not owned
    RemoteBackend *m_remote;              // not owned
    QSettings *m_settings;                // not owned
    TokenStore *m_tokens;                 // not owned when given; else a child
    TokenPolicy *m_tokenPolicy = nullptr; // child; keyring use of the connection bar
    bool m_connectAfterTokenRead = false; // restoreSettings() waits for the keyring to connect
    Mode m_mode = Mode::Local;
    QString m_runningHunt;
    QStringList m_runningNodes;
    QList<QMetaObject::Connection> m_backendConnections;

    QComboBox *m_modeBox = nullptr;
    QLineEdit *m_server = nullptr;
    QLineEdit *m_token = nullptr;
    QCheckBox *m_rememberToken = nullptr;
    QLabel *m_tokenNote = nullptr;
    QLineEdit *m_caFile = nullptr;
    QPushButton *m_caButton = nullptr;
    QPushButton *m_connect = nullptr;
    QLabel *m_connection = nullptr;
    QLabel *m_backendLabel = nullptr;
    QTabWidget *m_tabs = nullptr;
    HuntForm *m_form = nullptr;
    ProgressPanel *m_progress = nullptr;
    ResultsBrowser *m_results = nullptr;
    CompareView *m_compare = nullptr;
    HistoryView *m_history = nullptr;
    DiffView *m_diff = nullptr;
    AlertsView *m_alerts = nullptr;
    QAction *m_startAction = nullptr;
    QAction *m_cancelAction = nullptr;
};

} // namespace Artemis::Gui
