#include "gui/schedulebox.h"

#include <QComboBox>
#include <QSignalBlocker>

#include "core/duration.h"
#include "gui/huntbackend.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

void fillScheduleBox(QComboBox *box, const QList<Schedule> &schedules, const QString &keep)
{
    {
        // One currentIndexChanged at the end, not one per item.
        const QSignalBlocker blocker(box);
        box->clear();
        for (const Schedule &s : schedules) {
            box->addItem(u"%1 — %2 every %3, %4 round(s), %5 skipped"_s
                             .arg(s.id, s.spec.url, formatDurationMs(s.spec.everyMs))
                             .arg(s.roundsStarted)
                             .arg(s.skipped),
                         s.id);
        }
        box->setCurrentIndex(-1);
    }
    const int index = box->findData(keep);
    box->setCurrentIndex(index >= 0 ? index : box->count() - 1);
}

void listSchedulesInto(HuntBackend *backend, QComboBox *box, QObject *context,
                       std::function<bool()> current, std::function<void(Result<int>)> done)
{
    backend->listSchedules(context, [box, current = std::move(current),
                                     done = std::move(done)](Result<QList<Schedule>> list) {
        if (!current()) {
            return;
        }
        if (!list) {
            done(makeError(list.error().code,
                           u"Could not list schedules: %1"_s.arg(list.error().message)));
            return;
        }
        fillScheduleBox(box, *list, box->currentData().toString());
        done(int(list->size()));
    });
}

} // namespace Artemis::Gui
