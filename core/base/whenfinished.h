#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <utility>

namespace Artemis {

// Calls `done(result)` on `context`'s thread once `future` has finished, unless `context` is
// destroyed first: then never. QFuture::then(context, ...) of Qt 6.4 does not hold that
// promise: its continuation runs in the worker thread right after the future's waiters are
// woken, so an owner that waited for the future in its destructor and is gone by then trips
// Q_ASSERT(context) in qfuture_impl.h (and, without asserts, invokes on a dead object). A
// watcher owned by `context` dies with it and takes the delivery with it.
template <typename T, typename Done>
void whenFinished(const QFuture<T> &future, QObject *context, Done &&done)
{
    auto *watcher = new QFutureWatcher<T>(context); // owned by context; deleted once delivered
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, done = std::forward<Done>(done)]() mutable {
                         watcher->deleteLater();
                         done(watcher->future().result());
                     });
    watcher->setFuture(future);
}

} // namespace Artemis
