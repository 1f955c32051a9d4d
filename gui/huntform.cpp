#include "gui/huntform.h"

#include <algorithm>

#include <QCheckBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTextBlock>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <QSslCertificate>

#include "core/inventory/noderange.h"
#include "core/net/target.h"
#include "gui/async.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

namespace {
constexpr int MaxMarkedLines = 2000;    // red backgrounds in the editor
constexpr int MaxListedProblems = 1000; // entries in the problem list
constexpr qsizetype MaxSavedNodesChars = 1 << 20;
constexpr qint64 MaxCheckedNodes = 1000000; // a range line larger than this is not expanded
} // namespace

namespace {

// The 0-based editor line of each file_sd JSON target (core reads JSON without positions):
// the next occurrence of the target as a JSON string; -1 when not found (an escaped target).
QList<int> jsonTargetLines(const QString &text, const QStringList &targets)
{
    QList<int> lines;
    lines.reserve(targets.size());
    qsizetype from = 0;
    int line = 0;
    qsizetype counted = 0; // text before this has its newlines in `line`
    for (const QString &target : targets) {
        const qsizetype at = text.indexOf(u'"' + target + u'"', from);
        if (at < 0) {
            lines.append(-1);
            continue;
        }
        line += int(QStringView(text).sliced(counted, at - counted).count(u'\n'));
        counted = at;
        from = at + target.size() + 2;
        lines.append(line);
    }
    return lines;
}

} // namespace

QString nodesFileFilter()
{
    return u"Node files (*.txt *.json *.yaml *.yml *.list *.nodes);;"
           u"Prometheus file_sd (*.json *.yaml *.yml);;All files (*)"_s;
}

NodeCheck checkNodes(const QString &text, const QString &path, const QString &fileName)
{
    NodeCheck check;
    if (const Result<QString> normalized = normalizePath(path); !normalized) {
        check.pathError = normalized.error().message;
    }
    // core decides the format and what is blank or a comment, as for `hunt --nodes-file`.
    const QString name = fileName.isEmpty() ? u"the node list"_s : QFileInfo(fileName).fileName();
    Result<NodeFile> file = parseNodeFile(text.toUtf8(), name);
    if (!file) {
        check.fileError = file.error().message;
        return check;
    }
    check.format = file->format;
    check.nodes = std::move(file->nodes);
    bool labelled = false;
    for (const Labels &labels : std::as_const(file->labels)) {
        labelled = labelled || !labels.isEmpty();
    }
    if (labelled) {
        check.labels = std::move(file->labels);
    }
    QList<int> lineOf;
    if (check.format == NodeFile::Format::FileSdJson) {
        lineOf = jsonTargetLines(text, check.nodes);
    } else {
        for (const int line : std::as_const(file->lines)) {
            lineOf.append(line - 1);
        }
    }
    if (check.nodes.isEmpty()) {
        return check;
    }
    // Ranges ("node[01-20]:9100") are checked as the nodes they stand for
    // (core/inventory/noderange.h); a bad range, or one too large to check here, is a problem of
    // its line. The engine expands them again at submit, bounded by its own node limit.
    QStringList expanded;
    QList<int> expandedLine;
    for (int i = 0; i < check.nodes.size(); ++i) {
        const QString &node = check.nodes.at(i);
        const Result<qint64> count = nodeRangeCount(node, MaxCheckedNodes);
        if (!count || *count > MaxCheckedNodes) {
            check.problems.append({lineOf.value(i, -1), node,
                                   count ? u"expands to more than %1 nodes"_s.arg(MaxCheckedNodes)
                                         : count.error().message});
            continue;
        }
        const QStringList nodes = *count == 1 ? QStringList{node} : *expandNodeRange(node);
        expanded += nodes;
        expandedLine.insert(expandedLine.size(), nodes.size(), lineOf.value(i, -1));
    }
    lineOf = expandedLine;
    const QString probePath = check.pathError.isEmpty() ? path : QString();
    Result<TargetList> parsed =
        expanded.isEmpty() ? Result<TargetList>(TargetList{}) : parseTargets(expanded, probePath);
    if (!parsed && parsed.error().code == ErrorCode::InvalidNode) {
        QSet<int> bad;
        for (const QJsonValue &v : parsed.error().details.toArray()) {
            const QJsonObject o = v.toObject();
            const int index = o.value(u"index"_s).toInt();
            bad.insert(index);
            check.problems.append({lineOf.value(index, -1), o.value(u"node"_s).toString(),
                                   o.value(u"reason"_s).toString()});
        }
        QStringList good;
        for (int i = 0; i < expanded.size(); ++i) {
            if (!bad.contains(i)) {
                good.append(expanded[i]);
            }
        }
        parsed = good.isEmpty() ? Result<TargetList>(TargetList{}) : parseTargets(good, probePath);
    }
    if (parsed) {
        check.valid = int(parsed->targets.size());
        check.duplicates = int(parsed->duplicates.size());
    }
    std::stable_sort(
        check.problems.begin(), check.problems.end(),
        [](const NodeCheck::Problem &a, const NodeCheck::Problem &b) { return a.line < b.line; });
    return check;
}

HuntForm::HuntForm(QWidget *parent)
    : QWidget(parent),
      m_nodes(new QPlainTextEdit(this)),
      m_summary(new QLabel(this)),
      m_problems(new QListWidget(this)),
      m_removeInvalid(new QPushButton(u"Remove invalid lines"_s, this)),
      m_path(new QLineEdit(u"metric"_s, this)),
      m_timeout(new QSpinBox(this)),
      m_attempts(new QSpinBox(this)),
      m_concurrency(new QSpinBox(this)),
      m_advanced(new QWidget(this)),
      m_headers(new QPlainTextEdit(m_advanced)),
      m_user(new QLineEdit(m_advanced)),
      m_password(new QLineEdit(m_advanced)),
      m_caFile(new QLineEdit(m_advanced)),
      m_caStatus(new QLabel(m_advanced)),
      m_insecure(new QCheckBox(u"Accept any certificate (insecure)"_s, m_advanced)),
      m_followRedirects(new QCheckBox(
          u"Follow redirects (at most %1)"_s.arg(FetchOptions::MaxRedirects), m_advanced)),
      m_every(new QLineEdit(this)),
      m_start(new QPushButton(u"Start hunt"_s, this)),
      m_cancel(new QPushButton(u"Cancel"_s, this)),
      m_checkTimer(new QTimer(this))
{
    m_nodes->setObjectName(u"nodesEdit"_s);
    m_nodes->setPlaceholderText(u"One node per line, e.g.\n10.0.0.1:9100\nnode-2.example\n"
                                u"https://node3:8443\n# comments and blank lines are ignored"_s);
    m_nodes->setLineWrapMode(QPlainTextEdit::NoWrap);
    // Tab moves on to the path field (a node list has no use for tab characters).
    m_nodes->setTabChangesFocus(true);
    m_nodes->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_summary->setObjectName(u"nodesSummary"_s);
    m_summary->setWordWrap(true);
    m_problems->setObjectName(u"problemList"_s);
    m_problems->setMaximumHeight(110);
    m_problems->setWordWrap(true);
    m_problems->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_problems->hide();
    m_removeInvalid->hide();
    m_path->setObjectName(u"pathEdit"_s);
    m_path->setPlaceholderText(u"metric"_s);
    m_timeout->setRange(100, FetchOptions::MaxTimeoutMs);
    m_timeout->setSingleStep(500);
    m_timeout->setSuffix(u" ms"_s);
    m_timeout->setValue(FetchOptions{}.timeoutMs);
    m_attempts->setRange(1, FetchOptions::MaxAttempts);
    m_attempts->setValue(FetchOptions{}.attempts);
    m_concurrency->setRange(1, FetchOptions::MaxConcurrency);
    m_concurrency->setValue(FetchOptions{}.concurrency);
    m_every->setObjectName(u"repeatEdit"_s);
    m_every->setPlaceholderText(u"once (or e.g. 30s, 5m, 1h)"_s);
    m_every->setToolTip(u"Repeat the hunt on this schedule: round 1 starts now, then one round "
                        "per interval; a round still running when the next is due is skipped. "
                        "Follow a node over the rounds in the History tab."_s);
    m_start->setObjectName(u"startButton"_s);
    m_start->setToolTip(u"Start the hunt (Ctrl+Return)"_s);
    m_start->setDefault(true);
    m_cancel->setObjectName(u"cancelButton"_s);
    m_cancel->setToolTip(u"Cancel the running hunt (Esc or Ctrl+.)"_s);
    m_cancel->setEnabled(false);

    auto *loadButton = new QPushButton(u"Load from file…"_s, this);
    auto *nodesBox = new QGroupBox(u"Nodes"_s, this);
    auto *nodesLayout = new QVBoxLayout(nodesBox);
    nodesLayout->addWidget(m_nodes, 1);
    auto *nodesBar = new QHBoxLayout;
    nodesBar->addWidget(m_summary, 1);
    nodesBar->addWidget(loadButton);
    nodesLayout->addLayout(nodesBar);
    nodesLayout->addWidget(m_problems);
    nodesLayout->addWidget(m_removeInvalid, 0, Qt::AlignRight);

    auto *options = new QGroupBox(u"Request"_s, this);
    auto *form = new QFormLayout(options);
    form->addRow(u"URL path:"_s, m_path);
    form->addRow(u"Timeout:"_s, m_timeout);
    form->addRow(u"Attempts:"_s, m_attempts);
    form->addRow(u"Concurrency:"_s, m_concurrency);
    form->addRow(u"Repeat every:"_s, m_every);

    m_headers->setObjectName(u"headersEdit"_s);
    m_headers->setPlaceholderText(u"Name: value, one per line"_s);
    m_headers->setToolTip(u"Extra request headers. Values are never stored."_s);
    m_headers->setMaximumHeight(60);
    m_user->setObjectName(u"userEdit"_s);
    m_user->setPlaceholderText(u"basic auth user (optional)"_s);
    m_password->setObjectName(u"passwordEdit"_s);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(u"password (never stored)"_s);
    m_caFile->setObjectName(u"caFileEdit"_s);
    m_caFile->setPlaceholderText(u"PEM file of the CA for https nodes (optional)"_s);
    m_caStatus->setObjectName(u"caStatus"_s);
    m_caStatus->setWordWrap(true);
    m_insecure->setObjectName(u"insecureCheck"_s);
    m_followRedirects->setObjectName(u"followRedirectsCheck"_s);
    auto *caBrowse = new QPushButton(u"…"_s, m_advanced);
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_caFile, 1);
    caRow->addWidget(caBrowse);
    auto *authRow = new QHBoxLayout;
    authRow->addWidget(m_user, 1);
    authRow->addWidget(m_password, 1);
    auto *advancedForm = new QFormLayout(m_advanced);
    advancedForm->setContentsMargins(0, 0, 0, 0);
    advancedForm->addRow(u"Headers:"_s, m_headers);
    advancedForm->addRow(u"Basic auth:"_s, authRow);
    advancedForm->addRow(u"CA file:"_s, caRow);
    advancedForm->addRow(QString(), m_caStatus);
    advancedForm->addRow(QString(), m_insecure);
    advancedForm->addRow(QString(), m_followRedirects);
    m_advanced->hide();
    auto *advancedToggle = new QToolButton(this);
    advancedToggle->setObjectName(u"requestSettingsToggle"_s);
    advancedToggle->setText(u"Request settings"_s);
    advancedToggle->setCheckable(true);
    advancedToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    advancedToggle->setArrowType(Qt::RightArrow);
    form->addRow(advancedToggle);
    form->addRow(m_advanced);
    connect(advancedToggle, &QToolButton::toggled, this, [this, advancedToggle](bool on) {
        advancedToggle->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
        m_advanced->setVisible(on);
    });
    connect(m_caFile, &QLineEdit::editingFinished, this, &HuntForm::loadCaFile);
    connect(caBrowse, &QPushButton::clicked, this, [this] {
        const QString file =
            QFileDialog::getOpenFileName(this, u"CA certificate"_s, QString(),
                                         u"PEM certificates (*.pem *.crt);;All files (*)"_s);
        if (!file.isEmpty()) {
            m_caFile->setText(file);
            loadCaFile();
        }
    });

    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_start);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(nodesBox, 1);
    layout->addWidget(options);
    layout->addLayout(buttons);

    m_checkTimer->setSingleShot(true);
    m_checkTimer->setInterval(200);
    connect(m_checkTimer, &QTimer::timeout, this, &HuntForm::runCheck);
    connect(m_nodes, &QPlainTextEdit::textChanged, this, &HuntForm::scheduleCheck);
    connect(m_path, &QLineEdit::textChanged, this, &HuntForm::scheduleCheck);
    connect(loadButton, &QPushButton::clicked, this, &HuntForm::chooseFile);
    connect(m_removeInvalid, &QPushButton::clicked, this, &HuntForm::removeInvalidLines);
    connect(m_start, &QPushButton::clicked, this, [this] {
        if (m_start->isEnabled()) {
            Q_EMIT startRequested(request());
        }
    });
    // Enter in the path field starts the hunt, as the button would (the same checks apply).
    connect(m_path, &QLineEdit::returnPressed, m_start, &QPushButton::click);
    connect(m_cancel, &QPushButton::clicked, this, &HuntForm::cancelRequested);
    connect(m_problems, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const QTextBlock block =
            m_nodes->document()->findBlockByNumber(item->data(Qt::UserRole).toInt());
        QTextCursor cursor(block);
        m_nodes->setTextCursor(cursor);
        m_nodes->setFocus();
    });
    scheduleCheck();
}

HuntRequest HuntForm::request() const
{
    HuntRequest request;
    request.nodes = m_check.nodes;
    request.labels = m_check.labels; // a file_sd file's, one per node
    request.url = m_path->text().trimmed();
    request.options.timeoutMs = m_timeout->value();
    request.options.attempts = m_attempts->value();
    request.options.concurrency = m_concurrency->value();
    for (const QString &line : m_headers->toPlainText().split(u'\n')) {
        const qsizetype colon = line.indexOf(u':');
        if (colon > 0) {
            request.options.headers.append(
                {line.left(colon).trimmed().toLatin1(), line.mid(colon + 1).trimmed().toUtf8()});
        }
    }
    if (!m_user->text().trimmed().isEmpty()) {
        request.options.basicAuth =
            FetchOptions::BasicAuth{m_user->text().trimmed(), m_password->text()};
    }
    if (!m_caFile->text().trimmed().isEmpty()) {
        request.options.caFile = m_caLoadedFile;
        request.options.caPem = m_caPem;
    }
    request.options.insecureSkipVerify = m_insecure->isChecked();
    request.options.followRedirects = m_followRedirects->isChecked();
    request.origin = u"gui"_s;
    return request;
}

void HuntForm::loadCaFile()
{
    const QString path = m_caFile->text().trimmed();
    if (path == m_caLoadedFile && m_caError.isEmpty() && !m_caLoading) {
        return;
    }
    m_caPem.clear();
    m_caLoadedFile.clear();
    m_caError.clear();
    m_caStatus->clear();
    if (path.isEmpty()) {
        showCheck();
        return;
    }
    m_caLoading = true;
    m_caStatus->setText(u"Reading…"_s);
    showCheck();
    runInPool(
        QThreadPool::globalInstance(), this,
        [path] {
            FetchOptions options;
            const Result<void> loaded = options.loadCaFile(path, FileAccess::unrestricted());
            return loaded ? Result<FetchOptions>(options) : Result<FetchOptions>(loaded.error());
        },
        [this, path](const Result<FetchOptions> &loaded) {
            if (path != m_caFile->text().trimmed()) {
                loadCaFile(); // edited meanwhile
                return;
            }
            m_caLoading = false;
            if (loaded) {
                m_caPem = loaded->caPem;
                m_caLoadedFile = loaded->caFile;
                m_caStatus->setText(u"%1 certificate(s) trusted instead of the system's"_s.arg(
                    QSslCertificate::fromData(m_caPem).size()));
            } else {
                m_caError = loaded.error().message;
                m_caStatus->setText(
                    u"<span style='color:#b02020'>%1</span>"_s.arg(m_caError.toHtmlEscaped()));
            }
            showCheck();
        });
}

QString HuntForm::repeatEvery() const
{
    return m_every->text().trimmed();
}

void HuntForm::setNodesText(const QString &text)
{
    m_fileName.clear();
    m_nodes->setPlainText(text);
}

void HuntForm::setPath(const QString &path)
{
    m_path->setText(path);
}

void HuntForm::setOptions(const FetchOptions &options)
{
    m_timeout->setValue(options.timeoutMs);
    m_attempts->setValue(options.attempts);
    m_concurrency->setValue(options.concurrency);
    // Secrets are not in stored options: header values and the password stay to be typed.
    m_user->setText(options.basicAuth ? options.basicAuth->username : QString());
    m_password->clear();
    m_insecure->setChecked(options.insecureSkipVerify);
    m_followRedirects->setChecked(options.followRedirects);
    m_caFile->setText(options.caFile);
    m_caLoadedFile = options.caFile;
    m_caPem = options.caPem;
    m_caError.clear();
    m_caStatus->clear();
}

void HuntForm::setRunning(bool running)
{
    m_running = running;
    m_cancel->setEnabled(running);
    showCheck();
}

void HuntForm::scheduleCheck()
{
    m_start->setEnabled(false); // until the editor's content has been checked
    m_checkTimer->start();
}

void HuntForm::runCheck()
{
    if (m_checking) {
        m_recheck = true;
        return;
    }
    m_checking = true;
    m_recheck = false;
    runInPool(
        QThreadPool::globalInstance(), this,
        [text = m_nodes->toPlainText(), path = m_path->text().trimmed(), name = m_fileName] {
            return checkNodes(text, path, name);
        },
        [this](const NodeCheck &check) {
            m_checking = false;
            if (m_recheck) {
                runCheck();
                return;
            }
            m_check = check;
            showCheck();
            Q_EMIT checked();
        });
}

void HuntForm::showCheck()
{
    const QLocale locale;
    const NodeCheck &c = m_check;
    QString text =
        u"<b>%1</b> valid node%2"_s.arg(locale.toString(c.valid), c.valid == 1 ? u""_s : u"s"_s);
    if (c.format != NodeFile::Format::Plain) {
        text +=
            c.format == NodeFile::Format::FileSdJson ? u" (file_sd JSON"_s : u" (file_sd YAML"_s;
        QSet<QString> names;
        for (const Labels &labels : c.labels) {
            for (auto it = labels.cbegin(); it != labels.cend(); ++it) {
                names.insert(it.key());
            }
        }
        QStringList sorted(names.cbegin(), names.cend());
        sorted.sort();
        text += sorted.isEmpty() ? u", no labels)"_s
                                 : u", labels %1)"_s.arg(sorted.join(u", "_s).toHtmlEscaped());
    }
    if (c.duplicates > 0) {
        text += u", %1 duplicate%2 (fetched once)"_s.arg(c.duplicates)
                    .arg(c.duplicates == 1 ? u""_s : u"s"_s);
    }
    if (!c.problems.isEmpty()) {
        text += u", <span style='color:#b02020'><b>%1 invalid line%2</b></span>"_s.arg(
            locale.toString(int(c.problems.size())), c.problems.size() == 1 ? u""_s : u"s"_s);
    }
    if (!c.fileError.isEmpty()) {
        text = u"<span style='color:#b02020'><b>%1</b></span>"_s.arg(c.fileError.toHtmlEscaped());
    }
    if (!c.pathError.isEmpty()) {
        text += u"<br><span style='color:#b02020'>%1</span>"_s.arg(c.pathError.toHtmlEscaped());
    }
    m_summary->setText(text);

    m_problems->clear();
    QList<QTextEdit::ExtraSelection> marks;
    QTextCharFormat bad;
    bad.setBackground(QColor(0xff, 0xd6, 0xd6));
    bad.setProperty(QTextFormat::FullWidthSelection, true);
    for (const NodeCheck::Problem &p : c.problems) {
        if (m_problems->count() < MaxListedProblems) {
            auto *item = new QListWidgetItem(
                p.line >= 0 ? u"line %1: %2 — %3"_s.arg(p.line + 1).arg(p.node, p.reason)
                            : u"%1 — %2"_s.arg(p.node, p.reason),
                m_problems);
            item->setData(Qt::UserRole, p.line);
            item->setForeground(QColor(0xb0, 0x20, 0x20));
        }
        if (p.line >= 0 && marks.size() < MaxMarkedLines) {
            QTextEdit::ExtraSelection mark;
            mark.cursor = QTextCursor(m_nodes->document()->findBlockByNumber(p.line));
            mark.format = bad;
            mark.format.setToolTip(p.reason);
            marks.append(mark);
        }
    }
    m_nodes->setExtraSelections(marks);
    m_problems->setVisible(!c.problems.isEmpty());
    // Lines of a JSON or YAML file cannot be dropped one by one without breaking it.
    m_removeInvalid->setVisible(!c.problems.isEmpty() && c.format == NodeFile::Format::Plain);

    const bool ready =
        c.valid > 0 && c.problems.isEmpty() && c.pathError.isEmpty() && c.fileError.isEmpty();
    const bool caReady = m_caError.isEmpty() && !m_caLoading;
    m_start->setEnabled(ready && caReady && !m_running && !m_checkTimer->isActive() && !m_checking);
    m_start->setToolTip(!c.fileError.isEmpty() ? u"Fix the nodes file first"_s
                        : !ready               ? u"Fix or remove the invalid lines first"_s
                        : !caReady             ? u"Choose a readable CA file or clear it"_s
                                               : u"Start the hunt (Ctrl+Return)"_s);
}

void HuntForm::removeInvalidLines()
{
    QSet<int> bad;
    for (const NodeCheck::Problem &p : std::as_const(m_check.problems)) {
        bad.insert(p.line);
    }
    QStringList lines = m_nodes->toPlainText().split(u'\n');
    QStringList kept;
    for (int i = 0; i < lines.size(); ++i) {
        if (!bad.contains(i)) {
            kept.append(lines[i]);
        }
    }
    m_nodes->setPlainText(kept.join(u'\n'));
}

void HuntForm::chooseFile()
{
    const QString file =
        QFileDialog::getOpenFileName(this, u"Open nodes file"_s, QString(), nodesFileFilter());
    if (!file.isEmpty()) {
        loadNodesFile(file);
    }
}

void HuntForm::loadNodesFile(const QString &fileName)
{
    runInPool(
        QThreadPool::globalInstance(), this,
        [fileName]() -> QPair<bool, QString> {
            QFile file(fileName);
            if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
                return {false, file.errorString()};
            }
            const QByteArray bytes = file.readAll();
            if (const qsizetype nul = bytes.indexOf('\0'); nul >= 0) {
                // A binary file chosen by mistake: said by position, never shown in the editor.
                return {false, u"not a text file (NUL byte at byte %1)"_s.arg(nul)};
            }
            return {true, QString::fromUtf8(bytes)};
        },
        [this, fileName](const QPair<bool, QString> &read) {
            if (!read.first) {
                Q_EMIT message(u"Cannot read %1: %2"_s.arg(fileName, read.second));
                return;
            }
            m_fileName = fileName;
            m_nodes->setPlainText(read.second);
            Q_EMIT message(u"Loaded %1"_s.arg(fileName));
        });
}

void HuntForm::loadSettings(const QSettings &settings)
{
    m_nodes->setPlainText(settings.value(u"form/nodes"_s).toString());
    m_path->setText(settings.value(u"form/path"_s, u"metric"_s).toString());
    const FetchOptions defaults;
    m_timeout->setValue(settings.value(u"form/timeoutMs"_s, defaults.timeoutMs).toInt());
    m_attempts->setValue(settings.value(u"form/attempts"_s, defaults.attempts).toInt());
    m_concurrency->setValue(settings.value(u"form/concurrency"_s, defaults.concurrency).toInt());
    m_user->setText(settings.value(u"form/basicAuthUser"_s).toString());
    m_insecure->setChecked(settings.value(u"form/insecureSkipVerify"_s, false).toBool());
    m_followRedirects->setChecked(settings.value(u"form/followRedirects"_s, false).toBool());
    m_caFile->setText(settings.value(u"form/caFile"_s).toString());
    loadCaFile();
    m_every->setText(settings.value(u"form/every"_s).toString());
}

void HuntForm::saveSettings(QSettings &settings) const
{
    const QString nodes = m_nodes->toPlainText();
    settings.setValue(u"form/nodes"_s, nodes.size() <= MaxSavedNodesChars ? nodes : QString());
    settings.setValue(u"form/path"_s, m_path->text());
    settings.setValue(u"form/timeoutMs"_s, m_timeout->value());
    settings.setValue(u"form/attempts"_s, m_attempts->value());
    settings.setValue(u"form/concurrency"_s, m_concurrency->value());
    // Not the headers (their values may be secrets) and never the password.
    settings.setValue(u"form/basicAuthUser"_s, m_user->text());
    settings.setValue(u"form/insecureSkipVerify"_s, m_insecure->isChecked());
    settings.setValue(u"form/followRedirects"_s, m_followRedirects->isChecked());
    settings.setValue(u"form/caFile"_s, m_caFile->text());
    settings.setValue(u"form/every"_s, m_every->text());
}

} // namespace Artemis::Gui
