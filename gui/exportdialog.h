#pragma once

#include <QDialog>
#include <QStringList>

#include "core/fetch/outcome.h"
#include "core/fleet/projection.h"

class QComboBox;
class QLabel;
class QLineEdit;

namespace Artemis::Gui {

// Asks what to export of a hunt's results: the fields (a comma list, prefilled with
// node,outcome,latencyMs and the compared path), the format, an outcome filter ("all", "ok",
// "failed", "timeout,refused", ...) and the file. Checks the input with core's parsers
// (Projection::parse, OutcomeFilter::parse) and does no I/O itself. Lives on the GUI thread.
class ExportDialog final : public QDialog
{
    Q_OBJECT
public:
    ExportDialog(const QString &huntId, const QString &comparedPath, QWidget *parent = nullptr);

    QStringList fields() const;
    ExportFormat format() const;
    OutcomeFilter outcomes() const; // valid once accepted
    QString filePath() const;

    QLineEdit *fieldsEdit() const { return m_fields; }
    QLineEdit *outcomeEdit() const { return m_outcome; }
    QLineEdit *fileEdit() const { return m_file; }

    void accept() override;

private:
    QLineEdit *m_fields;
    QComboBox *m_format;
    QLineEdit *m_outcome;
    QLineEdit *m_file;
    QLabel *m_problem;
};

} // namespace Artemis::Gui
