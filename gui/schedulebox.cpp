#include "gui/schedulebox.h"

#include <QComboBox>
#include <QLabel>
#include <QSignalBlocker>

#include "core/base/duration.h"
#include "core/base/plural.h"
#include "gui/huntbackend.h"

using namespace Qt::StringLiterals;

namespace Artemis::Gui {

QStringList scheduleNotes(const Schedule &schedule)
{
    QStringList notes;
    for (const QString &warning : schedule.warnings()) {
        notes.append(u"Warning: "_s + warning);
    }
    if (schedule.skipped > 0) {
        QString skipped = u"%1 skipped"_s.arg(countOf(schedule.skipped, u"round"));
        if (schedule.lastSkippedAt.isValid()) {
            skipped += u", the last at %1"_s.arg(
                schedule.lastSkippedAt.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s));
        }
        if (!schedule.lastSkipReason.isEmpty()) {
            skipped += u": "_s + schedule.lastSkipReason;
        }
        notes.append(skipped);
    }
    if (!schedule.lastError.isEmpty()) {
        notes.append(u"The last round could not start: "_s + schedule.lastError);
    }
    return notes;
}

void fillScheduleBox(QComboBox *box, const QList<Schedule> &schedules, const QString &keep)
{
    {
        // One currentIndexChanged at the end, not one per item.
        const QSignalBlocker blocker(box);
        box->clear();
        for (const Schedule &s : schedules) {
            QString text = u"%1 — %2 every %3, %4, %5 skipped"_s
                               .arg(s.id, s.spec.url, formatDurationMs(s.spec.everyMs),
                                    countOf(s.roundsStarted, u"round"))
                               .arg(s.skipped);
            const QStringList warnings = s.warnings();
            if (!warnings.isEmpty()) {
                text += u", "_s + countOf(warnings.size(), u"warning");
            }
            box->addItem(text, s.id);
            const QString notes = scheduleNotes(s).join(u'\n');
            box->setItemData(box->count() - 1, notes, ScheduleNotesRole);
            box->setItemData(box->count() - 1, notes, Qt::ToolTipRole);
        }
        box->setCurrentIndex(-1);
    }
    const int index = box->findData(keep);
    box->setCurrentIndex(index >= 0 ? index : box->count() - 1);
}

void showScheduleNotes(QComboBox *box, QLabel *label)
{
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setStyleSheet(
        u"QLabel { background: #fff3cd; color: #664d03; padding: 4px; border-radius: 3px; }"_s);
    label->hide();
    const auto update = [box, label] {
        const QString notes = box->currentData(ScheduleNotesRole).toString();
        label->setText(notes);
        label->setVisible(!notes.isEmpty());
    };
    QObject::connect(box, &QComboBox::currentIndexChanged, label, update);
    // A refill that keeps the index (the same schedule, a new skip) changes the data only.
    QObject::connect(box->model(), &QAbstractItemModel::dataChanged, label, update);
    QObject::connect(box->model(), &QAbstractItemModel::modelReset, label, update);
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
