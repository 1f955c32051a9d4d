#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <QDateTime>
#include <QPointer>

#include "core/watch/schedulerclock.h"

namespace Artemis::Test {

// A SchedulerClock the test moves by hand: now() stands still until advance(). Alarms whose
// time has come fire inside advance(), in time order (an alarm set to a time already passed
// fires from the event loop, as a 0 ms timer would). Put it in SchedulerConfig::clock and share
// it between "restarts" so that time carries on.
//
// Lives on the test's thread; the alarms' contexts must be on that thread too.
class ManualClock final : public SchedulerClock
{
public:
    explicit ManualClock(QDateTime start = QDateTime::currentDateTimeUtc());

    QDateTime now() const override { return m_now; }
    std::unique_ptr<SchedulerAlarm> createAlarm(QObject *context,
                                                std::function<void()> onDue) override;

    // Moves time forward by `ms` and fires every alarm that became due.
    void advance(qint64 ms);
    // Alarms currently armed (for "a completed schedule arms nothing").
    int armedCount() const;

private:
    struct Slot
    {
        QPointer<QObject> context;
        std::function<void()> onDue;
        QDateTime at; // invalid: not armed
    };
    class Alarm;
    void fireDue();

    QDateTime m_now;
    std::vector<std::shared_ptr<Slot>> m_slots; // weak ownership is the alarms'
};

} // namespace Artemis::Test
