#pragma once

#include <QObject>
#include <QSocketNotifier>

#include <memory>

namespace Artemis {

// Turns SIGINT/SIGTERM into a Qt signal on the thread that created it (self-pipe trick: the
// handler only writes one byte to a socketpair). Create at most one; lives on the main thread.
class SignalWatcher final : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace Artemis
