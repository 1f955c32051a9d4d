#include "headless/rest/indexcontroller.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QHash>

#include "headless/rest/httperrors.h"
#include "headless/rest/router.h"

using namespace Qt::StringLiterals;

namespace Artemis {

namespace {

struct WebFile
{
    QByteArray type;
    QByteArray body;
    QByteArray etag;
};

QByteArray contentTypeFor(const QString &name)
{
    if (name.endsWith(u".html"_s)) {
        return "text/html; charset=utf-8";
    }
    if (name.endsWith(u".js"_s)) {
        return "text/javascript; charset=utf-8"; // module scripts need a JavaScript type
    }
    if (name.endsWith(u".css"_s)) {
        return "text/css; charset=utf-8";
    }
    if (name.endsWith(u".svg"_s)) {
        return "image/svg+xml";
    }
    return {};
}

// Every file under :/artemis/web, read once: they are compiled in (resources/CMakeLists.txt).
const QHash<QString, WebFile> &webFiles()
{
    static const QHash<QString, WebFile> files = [] {
        QHash<QString, WebFile> all;
        // The list of files is resources/CMakeLists.txt's; an unknown extension is a build bug.
        const QDir dir(u":/artemis/web"_s);
        for (const QString &name : dir.entryList(QDir::Files)) {
            QFile file(dir.filePath(name));
            [[maybe_unused]] const bool opened = file.open(QIODevice::ReadOnly);
            Q_ASSERT(opened);
            WebFile web{contentTypeFor(name), file.readAll(), {}};
            Q_ASSERT_X(!web.type.isEmpty(), "webFiles", "a web file of unknown type");
            web.etag =
                '"'
                + QCryptographicHash::hash(web.body, QCryptographicHash::Sha256).toHex().left(20)
                + '"';
            all.insert(name, web);
        }
        return all;
    }();
    return files;
}

QHttpServerResponse webAnswer(const QHttpServerRequest &request, const QString &name)
{
    const auto found = webFiles().constFind(name);
    if (found == webFiles().cend()) {
        return errorResponse(404, u"no such file of the web page: %1"_s.arg(name));
    }
    const bool fresh = request.value("If-None-Match") == found->etag;
    QHttpServerResponse response =
        fresh ? QHttpServerResponse(QHttpServerResponse::StatusCode::NotModified)
              : QHttpServerResponse(found->type, found->body);
    response.setHeader("ETag", found->etag);
    // Revalidate every time: an upgraded service must not run with yesterday's modules.
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("Content-Security-Policy", IndexController::contentSecurityPolicy());
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "no-referrer");
    return response;
}

} // namespace

QByteArray IndexController::contentSecurityPolicy()
{
    // Nothing from elsewhere, no inline script or style (so injected markup cannot run), no
    // plugins, no framing by other sites (clickjacking), forms post only here.
    return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
           "frame-ancestors 'none'";
}

bool IndexController::registerRoutes(Router &router)
{
    const bool index = router.add(Router::Method::Get, u"/"_s, Router::Access::Open,
                                  [](const QHttpServerRequest &request, const QStringList &) {
                                      return webAnswer(request, u"index.html"_s);
                                  });
    const bool web = router.add(Router::Method::Get, u"/web/<arg>"_s, Router::Access::Open,
                                [](const QHttpServerRequest &request, const QStringList &args) {
                                    return webAnswer(request, args.value(0));
                                });
    const bool spec =
        router.add(Router::Method::Get, u"/api/v1/openapi.json"_s, Router::Access::Token,
                   [](const QHttpServerRequest &, const QStringList &) {
                       return QHttpServerResponse("application/json", openApiJson());
                   });
    return index && web && spec;
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

} // namespace Artemis
