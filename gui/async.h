#pragma once

#include <utility>

#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>
#include <QThreadPool>

namespace Artemis::Gui {

// Runs `work()` on `pool` and then `done(result)` on the GUI thread, unless `context` has been
// destroyed meanwhile. (QFuture::then(context, ...) in Qt 6.4 asserts when the context dies
// before the future finishes, so it is not used for work whose requester may go away.)
// The hop back goes through the application object, which outlives every pool task.
template <typename Work, typename Done>
void runInPool(QThreadPool *pool, QObject *context, Work work, Done done)
{
    QPointer<QObject> guard(context);
    pool->start([work = std::move(work), done = std::move(done), guard]() mutable {
        auto result = work();
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [guard, done = std::move(done), result = std::move(result)]() mutable {
                if (guard) {
                    done(std::move(result));
                }
            },
            Qt::QueuedConnection);
    });
}

} // namespace Artemis::Gui
