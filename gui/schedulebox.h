#pragma once

#include <functional>

#include <QList>
#include <QString>

#include "core/schedule.h"

class QComboBox;
class QObject;

namespace Artemis::Gui {

// Fills a schedule picker (History, Alerts): one entry per schedule, "ID — URL every N, R
// round(s), S skipped", its id as the item data. Keeps `keep` selected when it is still
// listed, else selects the newest.
void fillScheduleBox(QComboBox *box, const QList<Schedule> &schedules, const QString &keep);

class HuntBackend;

// Asks `backend` for its schedules and fills `box` with them (keeping the selection as it is
// when the answer arrives). `done` gets how many there are, or the error with a message for
// the user. Nothing happens when `context` is gone or `current()` says the answer is stale.
void listSchedulesInto(HuntBackend *backend, QComboBox *box, QObject *context,
                       std::function<bool()> current, std::function<void(Result<int>)> done);

} // namespace Artemis::Gui
