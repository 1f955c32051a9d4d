#pragma once

#include <functional>

#include <QObject>
#include <QStringList>

namespace Artemis::Gui {

class CompareView;

class MainWindow;

// Drives a MainWindow through a demo (type nodes, run the hunt, open it in Results, show one
// node's JSON, compare a path) and saves each main view to DIR/*.png with QWidget::grab().
// Every step waits on a signal (with a timeout), never on a fixed sleep.
// Lives on the GUI thread; `window` is not owned and must outlive it.
class Screenshotter final : public QObject
{
    Q_OBJECT
public:
    Screenshotter(MainWindow *window, QStringList nodes, QString outDir, QObject *parent = nullptr);

    void run();
    QStringList written() const { return m_written; }

Q_SIGNALS:
    void finished(bool ok, const QString &message);

private:
    void openResults();
    void showCompare();
    void showDiff(CompareView *compare);
    void grab(const QString &name);
    // Calls `next` once `ready()` holds, checking on every event-loop pass for up to 20 s.
    void waitFor(std::function<bool()> ready, std::function<void()> next, const QString &what);
    void fail(const QString &message);

    MainWindow *m_window; // not owned
    QStringList m_nodes;
    QString m_outDir;
    QString m_huntId;
    QStringList m_written;
    bool m_failed = false;
};

} // namespace Artemis::Gui
