#include "gui/exportdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

ExportDialog::ExportDialog(const QString &huntId, const QString &comparedPath, QWidget *parent)
    : QDialog(parent),
      m_fields(new QLineEdit(this)),
      m_format(new QComboBox(this)),
      m_outcome(new QLineEdit(u"all"_s, this)),
      m_file(new QLineEdit(this)),
      m_problem(new QLabel(this))
{
    setWindowTitle(u"Export results of hunt %1"_s.arg(huntId));
    QStringList fields{u"node"_s, u"outcome"_s, u"latencyMs"_s};
    if (!comparedPath.isEmpty()) {
        fields.append(comparedPath);
    }
    m_fields->setText(fields.join(u','));
    m_fields->setToolTip(u"node, outcome, httpStatus, latencyMs, attempts, bytes, fetchedAt, "
                         u"error, url, body, or any JSON path into the body (mem.used)"_s);
    m_format->addItem(u"CSV"_s, int(ExportFormat::Csv));
    m_format->addItem(u"NDJSON"_s, int(ExportFormat::Ndjson));
    m_format->addItem(u"JSON array"_s, int(ExportFormat::JsonArray));
    m_outcome->setToolTip(u"all, ok, failed (every outcome but ok), or a list: timeout,refused"_s);
    m_file->setText(u"%1.csv"_s.arg(huntId));
    m_problem->setStyleSheet(u"color:#b02020"_s);

    auto *browse = new QPushButton(u"Browse…"_s, this);
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(browse);
    auto *form = new QFormLayout;
    form->addRow(u"Fields:"_s, m_fields);
    form->addRow(u"Format:"_s, m_format);
    form->addRow(u"Outcomes:"_s, m_outcome);
    form->addRow(u"File:"_s, fileRow);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(u"Export"_s);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());

    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);
    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        static const QStringList Suffixes{u".csv"_s, u".ndjson"_s, u".json"_s};
        QString file = m_file->text();
        for (const QString &s : Suffixes) {
            if (file.endsWith(s)) {
                file.chop(s.size());
            }
        }
        m_file->setText(file + Suffixes[m_format->currentIndex()]);
    });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getSaveFileName(this, windowTitle(), m_file->text());
        if (!file.isEmpty()) {
            m_file->setText(file);
        }
    });
}

QStringList ExportDialog::fields() const
{
    QStringList out;
    for (const QString &f : m_fields->text().split(u',', Qt::SkipEmptyParts)) {
        if (!f.trimmed().isEmpty()) {
            out.append(f.trimmed());
        }
    }
    return out;
}

ExportFormat ExportDialog::format() const
{
    return ExportFormat(m_format->currentData().toInt());
}

OutcomeFilter ExportDialog::outcomes() const
{
    const Result<OutcomeFilter> filter = OutcomeFilter::parse(m_outcome->text().trimmed());
    return filter ? *filter : OutcomeFilter();
}

QString ExportDialog::filePath() const
{
    return m_file->text().trimmed();
}

void ExportDialog::accept()
{
    if (const Result<Projection> p = Projection::parse(fields()); !p) {
        m_problem->setText(p.error().message);
        return;
    }
    if (const Result<OutcomeFilter> f = OutcomeFilter::parse(m_outcome->text().trimmed()); !f) {
        m_problem->setText(f.error().message);
        return;
    }
    if (filePath().isEmpty()) {
        m_problem->setText(u"Choose a file"_s);
        return;
    }
    QDialog::accept();
}

} // namespace Artemis::Gui
