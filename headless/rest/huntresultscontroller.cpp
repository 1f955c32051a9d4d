#include "headless/rest/huntresultscontroller.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QUrlQuery>

#include "core/base/errorstatus.h"
#include "core/service/huntcatalog.h"
#include "core/store/resultstore.h"
#include "headless/rest/deferredanswer.h"
#include "headless/rest/exportstream.h"
#include "headless/rest/httperrors.h"
#include "headless/rest/queryparams.h"
#include "headless/rest/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

HuntResultsController::HuntResultsController(HuntCatalog *catalog) : m_catalog(catalog)
{
    m_pool.setMaxThreadCount(2);
}

HuntResultsController::~HuntResultsController()
{
    m_pool.waitForDone(); // sorts read the store, which outlives this controller
}

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

std::optional<QHttpServerResponse> HuntResultsController::results(const QString &requested,
                                                                  const QHttpServerRequest &request,
                                                                  QHttpServerResponder &responder)
{
    const Result<HuntInfo> hunt = m_catalog->find(requested); // "latest" too
    if (!hunt) {
        return errorResponse(hunt.error());
    }
    const QString id = hunt->id;
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
    if (query.hasQueryItem(u"sort"_s)) {
        Result<ResultSort> sort =
            ResultSort::parse(query.queryItemValue(u"sort"_s, QUrl::FullyDecoded));
        if (!sort) {
            return errorResponse(sort.error());
        }
        rq.sort = std::move(sort).value();
    }
    rq.nodeContains = query.queryItemValue(u"search"_s, QUrl::FullyDecoded);
    std::optional<Projection> projection;
    const bool numbers = query.queryItemValue(u"numbers"_s) == u"true"_s;
    if (query.hasQueryItem(u"fields"_s)) {
        const QStringList fields =
            query.queryItemValue(u"fields"_s, QUrl::FullyDecoded).split(u',', Qt::SkipEmptyParts);
        Result<Projection> parsed = Projection::parse(fields, numbers);
        if (!parsed) {
            return errorResponse(parsed.error());
        }
        projection = std::move(parsed).value();
    }
    // The format: ?format= wins over Accept; JSON pages are the default.
    QString format = query.queryItemValue(u"format"_s);
    if (format.isEmpty()) {
        const QByteArray accept = request.value("Accept");
        format = accept.contains("application/x-ndjson") ? u"ndjson"_s
                 : accept.contains("text/csv")           ? u"csv"_s
                                                         : u"json"_s;
    }
    if (format != u"json"_s) {
        const Result<ExportFormat> exportFormat = exportFormatFromName(format);
        if (!exportFormat || *exportFormat == ExportFormat::JsonArray) {
            return errorResponse(400, u"unknown format '%1' (json, ndjson or csv)"_s.arg(format));
        }
        // raw=1: CSV cells exactly as stored, for pipelines; otherwise safe to open in a
        // spreadsheet (CsvCells).
        const QString raw = query.queryItemValue(u"raw"_s);
        if (!raw.isEmpty() && raw != u"0"_s && raw != u"1"_s && raw != u"true"_s
            && raw != u"false"_s) {
            return errorResponse(400, u"'raw' must be 1 or 0, not '%1'"_s.arg(raw.left(40)));
        }
        const CsvCells cells = raw == u"1"_s || raw == u"true"_s ? CsvCells::Raw : CsvCells::Safe;
        return stream(*hunt, rq, std::move(projection), *exportFormat, cells, responder);
    }
    const std::optional<int> offset =
        intParam(query, u"offset"_s, 0, 0, std::numeric_limits<int>::max());
    const std::optional<int> limit = intParam(query, u"limit"_s, DefaultLimit, 1, MaxLimit);
    if (!offset || !limit) {
        return errorResponse(400, u"'offset' must be >= 0 and 'limit' 1..%1"_s.arg(MaxLimit));
    }
    rq.offset = *offset;
    rq.limit = *limit;
    // What the page covers: `total` counts the matching results, so the hunt's node count is
    // `huntTotal` here (HuntInfo::coverage).
    const QString state = huntStateName(hunt->state);
    const int done = hunt->done;
    const int huntTotal = hunt->total;
    auto render = [id, rq, state, done, huntTotal,
                   projection](const Result<ResultPage> &page) -> DeferredAnswer::Reply {
        if (!page) {
            return {httpStatusFor(page.error().code), errorBody(page.error())};
        }
        QJsonArray items;
        for (const Outcome &outcome : page->outcomes) {
            items.append(projection ? projection->toJson(outcome) : outcome.toJson());
        }
        QJsonObject body{
            {u"hunt"_s, id},           {u"state"_s, state},
            {u"total"_s, page->total}, {u"offset"_s, page->offset},
            {u"limit"_s, rq.limit},    {u"results"_s, items},
            {u"done"_s, done},         {u"huntTotal"_s, huntTotal},
        };
        if (projection) {
            body.insert(u"fields"_s, QJsonArray::fromStringList(projection->fields()));
        }
        if (page->skippedLines > 0) {
            body.insert(u"skippedLines"_s, page->skippedLines);
        }
        if (page->offset + items.size() < page->total) {
            QUrlQuery next;
            next.addQueryItem(u"offset"_s, QString::number(page->offset + items.size()));
            next.addQueryItem(u"limit"_s, QString::number(rq.limit));
            if (rq.outcome) {
                next.addQueryItem(u"outcome"_s, rq.outcome.toString());
            }
            if (!rq.nodeContains.isEmpty()) {
                next.addQueryItem(u"search"_s,
                                  QString::fromUtf8(QUrl::toPercentEncoding(rq.nodeContains)));
            }
            if (!rq.sort.isFileOrder()) {
                next.addQueryItem(u"sort"_s, rq.sort.toString());
            }
            if (projection) {
                next.addQueryItem(u"fields"_s, projection->fields().join(u','));
            }
            body.insert(u"next"_s, u"/api/v1/hunts/%1/results?%2"_s.arg(
                                       id, next.toString(QUrl::FullyEncoded)));
        }
        return {200, body};
    };
    const HuntCatalog *catalog = m_catalog;
    if (rq.readsEveryLine()) {
        // A sorted or searched page reads every line: off the server's thread.
        DeferredAnswer::start(responder.socket(), &m_pool, [catalog, id, rq, render] {
            return render(catalog->readResults(id, rq));
        });
        return std::nullopt;
    }
    const DeferredAnswer::Reply reply = render(catalog->readResults(id, rq));
    return jsonResponse(reply.body, reply.status);
}

std::optional<QHttpServerResponse>
HuntResultsController::stream(const HuntInfo &hunt, const ResultQuery &query,
                              std::optional<Projection> projection, ExportFormat format,
                              CsvCells cells, QHttpServerResponder &responder)
{
    if (format == ExportFormat::Csv && !projection) {
        projection = *Projection::parse(Projection::defaultCsvFields());
    }
    ExportStream::Settings settings;
    const QString id = hunt.id;
    settings.file = m_catalog->resultsFile(id);
    settings.coverage = hunt.coverage();
    settings.filter = query.outcome;
    settings.projection = std::move(projection);
    settings.format = format;
    settings.cells = cells;
    if (!query.readsEveryLine()) {
        (new ExportStream(responder.socket(), std::move(settings)))->start(); // socket's child
        return std::nullopt;
    }
    // Sorted or searched: the lines and their order are computed on the pool (it reads every
    // line), then streamed.
    const HuntCatalog *catalog = m_catalog;
    QPointer<QTcpSocket> socket = responder.socket();
    runThenOnSocket(
        socket, &m_pool, [catalog, id, query] { return catalog->selectLines(id, query); },
        [socket, settings](Result<QList<LineRef>> order) mutable {
            if (!socket || socket->state() != QAbstractSocket::ConnectedState) {
                return;
            }
            if (!order) {
                // The error's own status and reason phrase, CORS header included.
                if (const QPointer<DeferredAnswer> answer = DeferredAnswer::pending(socket)) {
                    answer->answer({httpStatusFor(order.error().code), errorBody(order.error())});
                }
                return;
            }
            settings.order = std::move(order).value();
            (new ExportStream(socket, std::move(settings)))->start();
        });
    return std::nullopt;
}

QHttpServerResponse HuntResultsController::result(const QString &requested, const QString &node)
{
    const Result<HuntInfo> hunt = m_catalog->find(requested); // "latest" too
    if (!hunt) {
        return errorResponse(hunt.error());
    }
    const QString id = hunt->id;
    const Result<Outcome> outcome = m_catalog->findResult(id, node);
    if (!outcome) {
        if (outcome.error().code == ErrorCode::NotFound) {
            return errorResponse(404,
                                 u"hunt %1 has no result for node '%2'%3"_s.arg(
                                     id, node, isFinished(hunt->state) ? QString() : u" (yet)"_s));
        }
        return errorResponse(outcome.error());
    }
    return jsonResponse(outcome->toJson());
}

} // namespace Artemis
