#pragma once

#include <functional>

#include <QList>
#include <QString>

#include "core/rules/schedule.h"

class QComboBox;
class QLabel;
class QObject;

namespace Artemis::Gui {

// What to tell about a schedule besides its rounds, one line each: its warnings
// (Schedule::warnings: a round's worst case past its deadline, ...) and, when rounds were
// skipped, how many, the last one's time and reason. Empty when there is nothing to tell.
QStringList scheduleNotes(const Schedule &schedule);

// The item role holding scheduleNotes() joined by newlines (also the item's tooltip).
inline constexpr int ScheduleNotesRole = Qt::UserRole + 1;

// Fills a schedule picker (History, Alerts): one entry per schedule, "ID — URL every N, R
// round(s), S skipped[, W warning(s)]", its id as the item data and its notes as tooltip and
// ScheduleNotesRole. Keeps `keep` selected when it is still listed, else selects the newest.
void fillScheduleBox(QComboBox *box, const QList<Schedule> &schedules, const QString &keep);

// Keeps `label` showing the notes of the schedule selected in `box` (hidden when none).
void showScheduleNotes(QComboBox *box, QLabel *label);

class HuntBackend;

// Asks `backend` for its schedules and fills `box` with them (keeping the selection as it is
// when the answer arrives). `done` gets how many there are, or the error with a message for
// the user. Nothing happens when `context` is gone or `current()` says the answer is stale.
void listSchedulesInto(HuntBackend *backend, QComboBox *box, QObject *context,
                       std::function<bool()> current, std::function<void(Result<int>)> done);

} // namespace Artemis::Gui
