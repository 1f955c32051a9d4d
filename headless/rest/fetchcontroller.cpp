#include "headless/rest/fetchcontroller.h"

#include "core/engine/huntengine.h"
#include "core/hunt/fetchform.h"
#include "headless/rest/httperrors.h"
#include "headless/rest/huntsubmission.h"
#include "headless/rest/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

FetchController::FetchController(HuntEngine *engine) : m_engine(engine) {}

bool FetchController::registerRoutes(Router &router)
{
    bool ok = router.add(
        Router::Method::Post, u"/fetch"_s, Router::Access::Token,
        [this](const QHttpServerRequest &request, const QStringList &) { return fetch(request); });
    ok = router.add(Router::Method::Get, u"/fetch"_s, Router::Access::Token,
                    [](const QHttpServerRequest &, const QStringList &) { return usage(); })
         && ok;
    return ok;
}

QHttpServerResponse FetchController::usage()
{
    QHttpServerResponse response = errorResponse(
        405, QJsonObject{
                 {u"message"_s, u"/fetch takes a POST with form fields: node (repeat it, or give a "
                                "comma-separated list) and url (the path fetched on every node)"_s},
                 {u"example"_s, u"curl -d \"node=localhost:5000&node=127.0.0.1:5000&url=metric\" "
                                "http://localhost:5000/fetch"_s},
                 {u"api"_s, u"/api/v1/openapi.json"_s},
             });
    response.setHeader("Allow", "POST");
    return response;
}

QHttpServerResponse FetchController::fetch(const QHttpServerRequest &request)
{
    FetchForm form = parseFetchForm(request.body());
    if (!form.hasFields) {
        // The old tool also read the fields from the query string.
        form = parseFetchForm(request.url().query(QUrl::FullyEncoded).toUtf8());
    }
    QStringList &nodes = form.nodes;
    const QString &url = form.url;
    QStringList missing;
    if (nodes.isEmpty()) {
        missing.append(u"node"_s);
    }
    if (url.isEmpty()) {
        missing.append(u"url"_s);
    }
    if (!missing.isEmpty()) {
        return errorResponse(
            400,
            u"missing form field(s): %1; send node=HOST[:PORT] (repeatable) and url=PATH"_s.arg(
                missing.join(u", "_s)));
    }
    HuntRequest hunt;
    hunt.nodes = std::move(nodes);
    hunt.url = url;
    hunt.origin = u"fetch"_s;
    return submitHunt(*m_engine, hunt);
}

} // namespace Artemis
