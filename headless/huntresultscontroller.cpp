#include "headless/huntresultscontroller.h"

#include <QJsonArray>
#include <QUrlQuery>

#include "core/huntcatalog.h"
#include "core/resultstore.h"
#include "headless/httperrors.h"
#include "headless/ndjsonstream.h"
#include "headless/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

std::optional<int> intParam(const QUrlQuery &query, const QString &name, int fallback, int min,
                            int max)
{
    if (!query.hasQueryItem(name)) {
        return fallback;
    }
    bool ok = false;
    const int value = query.queryItemValue(name).toInt(&ok);
    if (!ok || value < min || value > max) {
        return std::nullopt;
    }
    return value;
}

} // namespace

HuntResultsController::HuntResultsController(HuntCatalog *catalog) : m_catalog(catalog) { }

bool HuntResultsController::registerRoutes(Router &router)
{
    const bool pages = router.addStreaming(
        Router::Method::Get, u"/api/v1/hunts/<arg>/results"_s, Router::Access::Token,
        [this](const QHttpServerRequest &request, const QStringList &args,
               QHttpServerResponder &responder) { return results(args[0], request, responder); });
    const bool one = router.add(Router::Method::Get, u"/api/v1/hunts/<arg>/results/<arg>"_s,
                                Router::Access::Token,
                                [this](const QHttpServerRequest &, const QStringList &args) {
                                    return result(args[0], args[1]);
                                });
    return pages && one;
}

std::optional<QHttpServerResponse>
HuntResultsController::results(const QString &id, const QHttpServerRequest &request,
                               QHttpServerResponder &responder)
{
    const Result<HuntInfo> hunt = m_catalog->find(id);
    if (!hunt) {
        return errorResponse(hunt.error());
    }
    const QUrlQuery query = request.query();
    ResultQuery rq;
    if (query.hasQueryItem(u"outcome"_s)) {
        const Result<OutcomeFilter> filter =
            OutcomeFilter::parse(query.queryItemValue(u"outcome"_s));
        if (!filter) {
            return errorResponse(filter.error());
        }
        rq.outcome = *filter;
    }
    if (request.value("Accept").contains("application/x-ndjson")) {
        auto *stream = new NdjsonStream(responder.socket(),
                                        m_catalog->store()->huntDir(id) + u"/results.ndjson"_s, rq.outcome);
        stream->start(); // a child of the socket from here on
        return std::nullopt;
    }
    const std::optional<int> offset =
        intParam(query, u"offset"_s, 0, 0, std::numeric_limits<int>::max());
    const std::optional<int> limit = intParam(query, u"limit"_s, DefaultLimit, 1, MaxLimit);
    if (!offset || !limit) {
        return errorResponse(400, u"'offset' must be >= 0 and 'limit' 1..%1"_s.arg(MaxLimit));
    }
    rq.offset = *offset;
    rq.limit = *limit;
    const Result<ResultPage> page = m_catalog->store()->readResults(id, rq);
    if (!page) {
        return errorResponse(page.error());
    }
    QJsonArray items;
    for (const Outcome &outcome : page->outcomes) {
        items.append(outcome.toJson());
    }
    QJsonObject body{
        {u"hunt"_s, id},
        {u"state"_s, huntStateName(hunt->state)},
        {u"total"_s, page->total},
        {u"offset"_s, page->offset},
        {u"limit"_s, rq.limit},
        {u"results"_s, items},
    };
    if (page->skippedLines > 0) {
        body.insert(u"skippedLines"_s, page->skippedLines);
    }
    if (page->offset + items.size() < page->total) {
        body.insert(u"next"_s,
                    u"/api/v1/hunts/%1/results?offset=%2&limit=%3%4"_s.arg(id)
                        .arg(page->offset + items.size())
                        .arg(rq.limit)
                        .arg(rq.outcome ? u"&outcome="_s + rq.outcome.toString() : QString()));
    }
    return jsonResponse(body);
}

QHttpServerResponse HuntResultsController::result(const QString &id, const QString &node)
{
    const Result<HuntInfo> hunt = m_catalog->find(id);
    if (!hunt) {
        return errorResponse(hunt.error());
    }
    const Result<Outcome> outcome = m_catalog->store()->findResult(id, node);
    if (!outcome) {
        if (outcome.error().code == ErrorCode::NotFound) {
            return errorResponse(404, u"hunt %1 has no result for node '%2'%3"_s.arg(
                                          id, node,
                                          isFinished(hunt->state) ? QString()
                                                                  : u" (yet)"_s));
        }
        return errorResponse(outcome.error());
    }
    return jsonResponse(outcome->toJson());
}

} // namespace Artemis
