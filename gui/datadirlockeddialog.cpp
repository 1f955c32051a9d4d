#include "gui/datadirlockeddialog.h"

#include <QDir>
#include <QJsonObject>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

DataDirLockedDialog::DataDirLockedDialog(const QString &dataDir, const Error &error,
                                         QWidget *parent)
    : QMessageBox(parent)
{
    const QJsonObject holder = error.details.toObject();
    m_serviceUrl = holder.value(u"serviceUrl"_s).toString();
    setIcon(QMessageBox::Warning);
    setWindowTitle(u"Artemis: data directory in use"_s);
    setText(u"The data directory %1 is already in use."_s.arg(QDir::toNativeSeparators(dataDir)));
    QString info = u"%1\n\nOnly one program may use a data directory at a time, so that no "
                   u"schedule runs twice and no running hunt is disturbed."_s.arg(error.message);
    if (!m_serviceUrl.isEmpty()) {
        info += u"\n\nThat process serves its hunts at %1: connect to it to see and start "
                u"hunts there, or pick another directory."_s.arg(m_serviceUrl);
    } else {
        info += u"\n\nPick another directory, or close that program first."_s;
    }
    setInformativeText(info);
    if (!m_serviceUrl.isEmpty()) {
        m_connect = addButton(u"Connect to %1"_s.arg(m_serviceUrl), QMessageBox::AcceptRole);
    }
    m_other = addButton(u"Choose another directory…"_s, QMessageBox::ActionRole);
    m_quit = addButton(u"Quit"_s, QMessageBox::RejectRole);
    setDefaultButton(m_connect ? m_connect : m_other);
    setEscapeButton(m_quit);
}

DataDirLockedDialog::Choice DataDirLockedDialog::choice() const
{
    const QAbstractButton *clicked = clickedButton();
    if (clicked && clicked == m_connect) {
        return Choice::ConnectToService;
    }
    if (clicked && clicked == m_other) {
        return Choice::OtherDirectory;
    }
    return Choice::Quit;
}

} // namespace Artemis::Gui
