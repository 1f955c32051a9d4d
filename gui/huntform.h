#pragma once

#include <QList>
#include <QString>
#include <QWidget>

#include "core/engine/huntengine.h"
#include "core/inventory/nodefile.h"

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSettings;
class QSpinBox;
class QTimer;

namespace Artemis::Gui {

// The result of checking the nodes editor against core's parser (off the GUI thread).
struct NodeCheck
{
    struct Problem
    {
        int line = 0; // 0-based line in the editor; -1 when not known
        QString node;
        QString reason;
    };
    NodeFile::Format format = NodeFile::Format::Plain;
    QStringList nodes;    // the nodes as given (plain lines trimmed, file_sd targets)
    QList<Labels> labels; // one per entry of `nodes` (file_sd), or empty (no labels)
    int valid = 0;        // unique valid nodes
    int duplicates = 0;
    QList<Problem> problems; // invalid nodes
    QString fileError;       // the text is a file_sd file that does not parse (core's message)
    QString pathError;       // the URL path is invalid
};
// Reads the editor text as core reads a nodes file (parseNodeFile: plain lines, Prometheus
// file_sd JSON or YAML, told apart by content; `fileName`, the file it was loaded from, breaks
// ties) and checks every node with parseTargets, keeping line numbers.
NodeCheck checkNodes(const QString &text, const QString &path, const QString &fileName = {});

// The file dialog's filter for nodes files: plain lists and file_sd JSON/YAML.
QString nodesFileFilter();

// The hunt form: nodes editor (one per line, paste-friendly; or a Prometheus file_sd JSON/YAML
// file whose labels go with the hunt; load from file), invalid lines marked with their reason
// before start, the URL path, options, Start and Cancel.
// It only collects input; MainWindow hands the request to the backend. Lives on the GUI thread.
class HuntForm final : public QWidget
{
    Q_OBJECT
public:
    explicit HuntForm(QWidget *parent = nullptr);

    HuntRequest request() const;
    // The "Repeat every" field: empty = run once; else a duration ("30s", "5m").
    QString repeatEvery() const;
    void setNodesText(const QString &text);
    void setPath(const QString &path);
    void setOptions(const FetchOptions &options);
    void setRunning(bool running);
    // Reads the file off the GUI thread into the editor (refused when it is not text); its
    // name then breaks ties of the format (checkNodes) until other text is set.
    void loadNodesFile(const QString &fileName);
    void loadSettings(const QSettings &settings);
    void saveSettings(QSettings &settings) const;

    const NodeCheck &lastCheck() const { return m_check; }
    bool isChecking() const { return m_checking || m_recheck; }

    QPlainTextEdit *nodesEdit() const { return m_nodes; }
    QLineEdit *pathEdit() const { return m_path; }
    QLineEdit *repeatEdit() const { return m_every; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *cancelButton() const { return m_cancel; }
    QListWidget *problemList() const { return m_problems; }
    QLabel *summaryLabel() const { return m_summary; }

Q_SIGNALS:
    void startRequested(const Artemis::HuntRequest &request);
    void cancelRequested();
    void checked(); // lastCheck() is up to date with the editor
    void message(const QString &text);

private:
    void scheduleCheck();
    void runCheck();
    void showCheck();
    void removeInvalidLines();
    void chooseFile();
    void loadCaFile(); // reads m_caFile's path off the GUI thread

    QPlainTextEdit *m_nodes;
    QLabel *m_summary;
    QListWidget *m_problems;
    QPushButton *m_removeInvalid;
    QLineEdit *m_path;
    QSpinBox *m_timeout;
    QSpinBox *m_attempts;
    QSpinBox *m_concurrency;
    // Request settings (hidden until asked for). Secrets (header values, the password) are
    // never saved in the settings.
    QWidget *m_advanced;
    QPlainTextEdit *m_headers;
    QLineEdit *m_user;
    QLineEdit *m_password;
    QLineEdit *m_caFile;
    QLabel *m_caStatus;
    QCheckBox *m_insecure;
    QCheckBox *m_followRedirects;
    QString m_caLoadedFile; // absolute path of what m_caPem holds
    QByteArray m_caPem;
    QString m_caError; // the CA file cannot be used: Start stays disabled
    bool m_caLoading = false;
    QLineEdit *m_every;
    QPushButton *m_start;
    QPushButton *m_cancel;
    QTimer *m_checkTimer;
    QString m_fileName; // what the editor was loaded from; empty once other text is set
    NodeCheck m_check;
    bool m_checking = false;
    bool m_recheck = false;
    bool m_running = false;
};

} // namespace Artemis::Gui

Q_DECLARE_METATYPE(Artemis::Gui::NodeCheck)
