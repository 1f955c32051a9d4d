#pragma once

#include <QMessageBox>
#include <QString>

#include "core/base/result.h"

class QPushButton;

namespace Artemis::Gui {

// Shown when the GUI's local data dir is held by another process (core/base/datadirlock.h): names
// the holder (pid, command) and offers what to do instead: connect to the service that holds
// the directory (remote mode, when it is a `serve`), pick another directory, or quit.
//
// Lives on the GUI thread. Use exec() (or open() in tests) and then choice().
class DataDirLockedDialog final : public QMessageBox
{
    Q_OBJECT
public:
    enum class Choice { Quit, ConnectToService, OtherDirectory };

    // `error`: the ErrorCode::Locked error from LocalStack::open (its details name the holder).
    DataDirLockedDialog(const QString &dataDir, const Error &error, QWidget *parent = nullptr);

    Choice choice() const;
    QString serviceUrl() const { return m_serviceUrl; } // empty when the holder serves none

    QPushButton *connectButton() const { return m_connect; } // null without a service URL
    QPushButton *otherDirectoryButton() const { return m_other; }
    QPushButton *quitButton() const { return m_quit; }

private:
    QString m_serviceUrl;
    QPushButton *m_connect = nullptr; // children of the box
    QPushButton *m_other = nullptr;
    QPushButton *m_quit = nullptr;
};

} // namespace Artemis::Gui
