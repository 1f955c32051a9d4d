#pragma once

#include <functional>
#include <memory>

#include <QDateTime>

class QObject;

namespace Artemis {

// Where the Scheduler (core/watch/scheduler.h) gets its time from: now() and one-shot alarms that
// call back at a wall-clock time. The default, systemSchedulerClock(), is the UTC system clock
// with QTimers; tests inject a manual clock (tests/common/manualclock.h) that they advance by
// hand, so that rounds come without waiting for the interval.
//
// An alarm calls `onDue` on the thread of the `context` it was made with, at or after the time
// it was set to (never before, measured by now()), at most once per set(); set() again
// replaces the time, cancel() disarms. Destroying the alarm disarms it.
class SchedulerAlarm
{
public:
    virtual ~SchedulerAlarm() = default;
    virtual void set(const QDateTime &at) = 0;
    virtual void cancel() = 0;
};

class SchedulerClock
{
public:
    virtual ~SchedulerClock() = default;
    virtual QDateTime now() const = 0; // UTC
    // `context` must outlive the alarm (the Scheduler passes itself).
    virtual std::unique_ptr<SchedulerAlarm> createAlarm(QObject *context,
                                                        std::function<void()> onDue) = 0;
};

// The real clock: QDateTime::currentDateTimeUtc() and a precise single-shot QTimer per alarm
// (re-armed when a wait longer than a QTimer's int range ends early). Shared; thread-safe.
std::shared_ptr<SchedulerClock> systemSchedulerClock();

} // namespace Artemis
