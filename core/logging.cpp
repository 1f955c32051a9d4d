#include "core/logging.h"

#include <QtGlobal>

namespace Artemis {

// QtInfoMsg: info and above are shown by default, debug only when a rule enables it.
Q_LOGGING_CATEGORY(lcFetch, "artemis.fetch", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "artemis.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRest, "artemis.rest", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSched, "artemis.sched", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRedis, "artemis.redis", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGui, "artemis.gui", QtInfoMsg)

const char *defaultMessagePattern()
{
    // "default: " for an uncategorised qWarning() would say nothing; leave it out.
    return "%{time yyyy-MM-ddThh:mm:ss.zzz} "
           "%{if-debug}D%{endif}%{if-info}I%{endif}%{if-warning}W%{endif}"
           "%{if-critical}E%{endif}%{if-fatal}F%{endif} "
           "%{if-category}%{category}: %{endif}%{message}";
}

void installMessagePattern()
{
    // Qt lets QT_MESSAGE_PATTERN win over qSetMessagePattern() already; checking here as well
    // keeps that promise independent of Qt's internals.
    if (qEnvironmentVariableIsSet("QT_MESSAGE_PATTERN")) {
        return;
    }
    qSetMessagePattern(QString::fromLatin1(defaultMessagePattern()));
}

} // namespace Artemis
