#include "headless/indexcontroller.h"

#include <QFile>

#include "core/resultstore.h"
#include "headless/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {
constexpr int RecentHunts = 20;
} // namespace

IndexController::IndexController(ResultStore *store, bool showHunts)
    : m_store(store), m_showHunts(showHunts)
{
}

bool IndexController::registerRoutes(Router &router)
{
    const bool index =
        router.add(Router::Method::Get, u"/"_s, Router::Access::Open,
                   [this](const QHttpServerRequest &, const QStringList &) {
                       return QHttpServerResponse("text/html; charset=utf-8", page());
                   });
    const bool spec =
        router.add(Router::Method::Get, u"/api/v1/openapi.json"_s, Router::Access::Token,
                   [](const QHttpServerRequest &, const QStringList &) {
                       return QHttpServerResponse("application/json", openApiJson());
                   });
    return index && spec;
}

QByteArray IndexController::openApiJson()
{
    // Read once: the document is compiled in (resources/CMakeLists.txt) and never changes.
    // tst_restserver checks that it parses and names every registered route.
    static const QByteArray spec = [] {
        QFile file(u":/artemis/openapi.json"_s);
        [[maybe_unused]] const bool opened = file.open(QIODevice::ReadOnly);
        Q_ASSERT(opened); // missing from the binary: a build bug, not a runtime condition
        return file.readAll();
    }();
    return spec;
}

QByteArray IndexController::page() const
{
    QString html =
        u"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Artemis</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;"
        "text-align:left}</style></head><body>\n<h1>Artemis</h1>\n"
        "<p>Fetches <code>http://NODE/PATH</code> from many nodes and stores every "
        "JSON answer.</p>\n<ul>\n"
        "<li><a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (the API)</li>\n"
        "<li><a href=\"/api/v1/hunts\">/api/v1/hunts</a> (hunts, newest first)</li>\n"
        "<li><a href=\"/metric\">/metric</a> (this host's metrics)</li>\n"
        "<li><a href=\"/metrics\">/metrics</a> (Prometheus)</li>\n"
        "<li><a href=\"/healthz\">/healthz</a>, <a href=\"/readyz\">/readyz</a></li>\n</ul>\n"
        "<p>Start a hunt: <code>curl -d \"node=HOST:PORT&amp;node=...&amp;url=metric\" "
        "http://THIS-HOST/fetch</code></p>\n"_s;
    if (m_showHunts) {
        html += u"<h2>Recent hunts</h2>\n"_s;
        const Result<QList<HuntInfo>> hunts = m_store->listHunts(RecentHunts);
        if (!hunts || hunts->isEmpty()) {
            html += u"<p>None yet.</p>\n"_s;
        } else {
            html += u"<table><tr><th>id</th><th>state</th><th>url</th><th>done</th>"
                    "<th>ok</th><th>created</th></tr>\n"_s;
            for (const HuntInfo &h : *hunts) {
                html += u"<tr><td><a href=\"/api/v1/hunts/%1\">%1</a></td><td>%2</td>"
                        "<td>%3</td><td>%4/%5</td><td>%6</td><td>%7</td></tr>\n"_s.arg(
                            h.id, huntStateName(h.state), h.url.toHtmlEscaped(),
                            QString::number(h.done), QString::number(h.total),
                            QString::number(h.counts.count(OutcomeKind::Ok)),
                            h.createdAt.toString(Qt::ISODate));
            }
            html += u"</table>\n"_s;
        }
    } else {
        html += u"<p>Hunts are listed by the API (a token is required).</p>\n"_s;
    }
    html += u"</body></html>\n"_s;
    return html.toUtf8();
}

} // namespace Artemis
