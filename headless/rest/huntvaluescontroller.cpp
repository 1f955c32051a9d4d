#include "headless/rest/huntvaluescontroller.h"

#include <limits>

#include <QUrlQuery>

#include "core/base/errorstatus.h"
#include "core/service/huntcatalog.h"
#include "headless/rest/deferredanswer.h"
#include "headless/rest/httperrors.h"
#include "headless/rest/queryparams.h"
#include "headless/rest/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

template <typename T, typename Render>
DeferredAnswer::Reply replyOf(const Result<T> &result, Render render)
{
    if (!result) {
        return {httpStatusFor(result.error().code), errorBody(result.error())};
    }
    return {200, render(*result)};
}

} // namespace

HuntValuesController::HuntValuesController(HuntCatalog *catalog) : m_catalog(catalog)
{
    // Each computation parses on the global pool too; two at once keep both cores busy.
    m_pool.setMaxThreadCount(2);
}

HuntValuesController::~HuntValuesController()
{
    m_pool.waitForDone(); // the work reads the store, which outlives this controller
}

bool HuntValuesController::registerRoutes(Router &router)
{
    const bool values = router.addStreaming(
        Router::Method::Get, u"/api/v1/hunts/<arg>/values"_s, Router::Access::Token,
        [this](const QHttpServerRequest &request, const QStringList &args,
               QHttpServerResponder &responder) {
            return this->values(args[0], request, responder);
        });
    const bool diff = router.addStreaming(
        Router::Method::Get, u"/api/v1/hunts/<arg>/diff"_s, Router::Access::Token,
        [this](const QHttpServerRequest &request, const QStringList &args,
               QHttpServerResponder &responder) {
            return this->diff(args[0], request, responder);
        });
    return values && diff;
}

std::optional<QHttpServerResponse> HuntValuesController::values(const QString &id,
                                                                const QHttpServerRequest &request,
                                                                QHttpServerResponder &responder)
{
    const QUrlQuery query = request.query();
    if (!query.hasQueryItem(u"path"_s)) {
        return errorResponse(400, u"'path' is required, e.g. ?path=version or ?path=mem.used"_s);
    }
    const QString path = query.queryItemValue(u"path"_s, QUrl::FullyDecoded);
    if (const Result<JsonPath> parsed = parseJsonPath(path); !parsed) {
        return errorResponse(400, u"bad path '%1': %2"_s.arg(path, parsed.error().message));
    }
    const std::optional<int> groups = intParam(query, u"groups"_s, DefaultGroups, 1, MaxGroups);
    const std::optional<int> nodes =
        intParam(query, u"nodes"_s, DefaultNodesPerGroup, 0, MaxNodesPerGroup);
    const std::optional<int> groupOffset =
        intParam(query, u"groupOffset"_s, 0, 0, std::numeric_limits<int>::max());
    if (!groupOffset) {
        return errorResponse(400, u"'groupOffset' must be a group index, 0 or more"_s);
    }
    if (!groups || !nodes) {
        return errorResponse(400, u"'groups' must be 1..%1 and 'nodes' 0..%2"_s.arg(MaxGroups).arg(
                                      MaxNodesPerGroup));
    }
    // groupBy=label:dc,label:rack, or the parameter repeated: the same list.
    const Result<QStringList> groupBy =
        parseLabelGroupBy(query.allQueryItemValues(u"groupBy"_s, QUrl::FullyDecoded));
    if (!groupBy) {
        return errorResponse(groupBy.error());
    }
    const Result<HuntInfo> hunt = m_catalog->find(id); // "latest" too
    if (!hunt) {
        return errorResponse(hunt.error());
    }
    FleetValuesOptions options;
    options.maxGroups = *groups;
    options.maxNodesPerGroup = *nodes;
    options.groupOffset = *groupOffset;
    options.groupByLabels = *groupBy;
    const HuntCatalog *catalog = m_catalog;
    DeferredAnswer::start(responder.socket(), &m_pool, [catalog, info = *hunt, path, options] {
        return replyOf(catalog->values(info.id, path, options),
                       [&](const FleetValues &v) { return info.withCoverage(toJson(v, options)); });
    });
    return std::nullopt;
}

std::optional<QHttpServerResponse> HuntValuesController::diff(const QString &id,
                                                              const QHttpServerRequest &request,
                                                              QHttpServerResponder &responder)
{
    const QUrlQuery query = request.query();
    const QString node = query.queryItemValue(u"node"_s, QUrl::FullyDecoded);
    if (node.isEmpty()) {
        return errorResponse(400, u"'node' is required: the node to compare"_s);
    }
    QString against = query.queryItemValue(u"against"_s, QUrl::FullyDecoded);
    if (against.isEmpty()) {
        against = u"majority"_s;
    }
    const Result<HuntInfo> hunt = m_catalog->find(id); // "latest" too
    if (!hunt) {
        return errorResponse(hunt.error());
    }
    const HuntCatalog *catalog = m_catalog;
    DeferredAnswer::start(responder.socket(), &m_pool, [catalog, info = *hunt, node, against] {
        return replyOf(catalog->diff(info.id, node, against),
                       [&](const NodeDiff &d) { return info.withCoverage(toJson(d)); });
    });
    return std::nullopt;
}

} // namespace Artemis
