#include "headless/huntsubmission.h"

#include <QJsonArray>

#include "headless/httperrors.h"

using namespace Qt::StringLiterals;

namespace Artemis {

QHttpServerResponse submitHunt(HuntEngine &engine, const HuntRequest &request)
{
    const Result<HuntInfo> submitted = engine.submit(request);
    if (!submitted) {
        return errorResponse(submitted.error());
    }
    const QString status = u"/api/v1/hunts/"_s + submitted->id;
    QJsonObject body{
        {u"success"_s, u"Request is being processed"_s},
        {u"hunt"_s, submitted->id},
        {u"status"_s, status},
        {u"results"_s, QString(status + u"/results"_s)},
        {u"total"_s, submitted->total},
    };
    if (!submitted->duplicates.isEmpty()) {
        body.insert(u"duplicates"_s, QJsonArray::fromStringList(submitted->duplicates));
    }
    QHttpServerResponse response = jsonResponse(body, 202);
    response.setHeader("Location", status.toUtf8());
    return response;
}

QJsonObject huntJson(const HuntInfo &info)
{
    QJsonObject json = info.toJson();
    const QString self = u"/api/v1/hunts/"_s + info.id;
    json.insert(u"progress"_s,
                QJsonObject{{u"done"_s, info.done},
                            {u"total"_s, info.total},
                            {u"percent"_s, info.total > 0 ? qRound(1000.0 * info.done / info.total)
                                                                / 10.0
                                                          : 100.0}});
    json.insert(u"links"_s, QJsonObject{{u"self"_s, self},
                                        {u"results"_s, QString(self + u"/results"_s)},
                                        {u"cancel"_s, QString(self + u"/cancel"_s)}});
    return json;
}

} // namespace Artemis
