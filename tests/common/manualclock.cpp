#include "tests/common/manualclock.h"

#include <algorithm>

#include <QMetaObject>
#include <QObject>

namespace Artemis::Test {

class ManualClock::Alarm final : public SchedulerAlarm
{
public:
    Alarm(ManualClock *clock, std::shared_ptr<Slot> slot) : m_clock(clock), m_slot(std::move(slot))
    {
    }
    ~Alarm() override
    {
        m_slot->at = {};
        m_slot->onDue = nullptr;
    }
    void set(const QDateTime &at) override
    {
        m_slot->at = at;
        if (at <= m_clock->now() && m_slot->context) {
            // Due already: from the event loop, never inside set() (like QTimer::start(0)).
            QMetaObject::invokeMethod(
                m_slot->context, [clock = m_clock] { clock->fireDue(); }, Qt::QueuedConnection);
        }
    }
    void cancel() override { m_slot->at = {}; }

private:
    ManualClock *m_clock; // must outlive the alarm
    std::shared_ptr<Slot> m_slot;
};

ManualClock::ManualClock(QDateTime start) : m_now(start.toUTC()) {}

std::unique_ptr<SchedulerAlarm> ManualClock::createAlarm(QObject *context,
                                                         std::function<void()> onDue)
{
    auto slot = std::make_shared<Slot>(Slot{context, std::move(onDue), {}});
    m_slots.push_back(slot);
    return std::make_unique<Alarm>(this, std::move(slot));
}

void ManualClock::advance(qint64 ms)
{
    m_now = m_now.addMSecs(ms);
    fireDue();
}

int ManualClock::armedCount() const
{
    return int(std::count_if(m_slots.cbegin(), m_slots.cend(), [](const auto &slot) {
        return slot->at.isValid() && slot->onDue && slot->context;
    }));
}

void ManualClock::fireDue()
{
    // Drop alarms that are gone.
    std::erase_if(m_slots, [](const auto &slot) { return !slot->onDue || !slot->context; });
    for (;;) {
        std::shared_ptr<Slot> next;
        for (const auto &slot : m_slots) {
            if (slot->onDue && slot->context && slot->at.isValid() && slot->at <= m_now
                && (!next || slot->at < next->at)) {
                next = slot;
            }
        }
        if (!next) {
            return;
        }
        next->at = {}; // one shot; onDue may set it again
        const std::function<void()> onDue = next->onDue;
        onDue();
    }
}

} // namespace Artemis::Test
