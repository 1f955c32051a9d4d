#include "tests/common/storedhunt.h"

#include <QDateTime>
#include <QSet>
#include <QStringList>

#include "core/base/huntid.h"
#include "core/store/resultstore.h"

using namespace Qt::StringLiterals;

namespace Artemis::Test {

Outcome okAnswer(const QString &node, const QJsonObject &body)
{
    Outcome o;
    o.node = node;
    o.url = u"http://"_s + node + u"/metric"_s;
    o.outcome = OutcomeKind::Ok;
    o.httpStatus = 200;
    o.attempts = 1;
    o.fetchedAt = QDateTime::currentDateTimeUtc();
    o.body = body;
    return o;
}

HuntInfo huntManifest(int total)
{
    HuntInfo info;
    info.id = newHuntId();
    info.url = u"/metric"_s;
    info.createdAt = QDateTime::currentDateTimeUtc();
    info.total = total;
    return info;
}

Result<HuntInfo> storeDoneHunt(ResultStore &store, const QList<Outcome> &outcomes)
{
    HuntInfo info;
    info.id = newHuntId();
    info.url = u"/metric"_s;
    info.state = HuntState::Done;
    info.createdAt = QDateTime::currentDateTimeUtc();
    QStringList nodes;
    QSet<QString> seen;
    for (const Outcome &o : outcomes) {
        if (!seen.contains(o.node)) {
            seen.insert(o.node);
            nodes.append(o.node);
            info.counts.add(o.outcome);
        }
    }
    info.total = int(nodes.size());
    info.done = info.total;
    if (const Result<void> created = store.createHunt(info, nodes); !created) {
        return created.error();
    }
    if (const Result<void> appended = store.appendResults(info.id, outcomes); !appended) {
        return appended.error();
    }
    return info;
}

} // namespace Artemis::Test
