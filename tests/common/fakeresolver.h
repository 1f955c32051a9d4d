#pragma once

// A Resolver the test feeds with names (core/net/resolver.h): tests/core/tst_pinning (answers that
// change between lookups), tst_outboundpolicy (names of denied addresses).

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QMetaObject>
#include <QMutex>
#include <QSet>
#include <QString>

#include "core/net/resolver.h"

namespace Artemis::Test {

// Answers each lookup of a name with the next of the answers the test gave it (the last one
// repeats; none: the lookup fails). Later, from the event loop, as Resolver promises.
class FakeResolver final : public Resolver
{
public:
    void setAnswers(const QString &host, QList<QList<QHostAddress>> answers)
    {
        const QMutexLocker lock(&m_mutex);
        m_answers.insert(host, std::move(answers));
    }
    void setSilent(const QString &host) // its lookups never answer
    {
        const QMutexLocker lock(&m_mutex);
        m_silent.insert(host);
    }
    int lookups(const QString &host) const
    {
        const QMutexLocker lock(&m_mutex);
        return m_lookups.value(host);
    }

    void lookup(const QString &host, QObject *context, Callback done) override
    {
        QList<QHostAddress> answer;
        {
            const QMutexLocker lock(&m_mutex);
            const int n = m_lookups[host]++;
            if (m_silent.contains(host)) {
                return;
            }
            const QList<QList<QHostAddress>> answers = m_answers.value(host);
            if (!answers.isEmpty()) {
                answer = answers.at(std::min<qsizetype>(n, answers.size() - 1));
            }
        }
        QMetaObject::invokeMethod(
            context,
            [done = std::move(done), answer] {
                done(answer,
                     answer.isEmpty() ? QStringLiteral("no such name (fake resolver)") : QString());
            },
            Qt::QueuedConnection);
    }

private:
    mutable QMutex m_mutex;
    QHash<QString, QList<QList<QHostAddress>>> m_answers;
    QHash<QString, int> m_lookups;
    QSet<QString> m_silent;
};

} // namespace Artemis::Test
