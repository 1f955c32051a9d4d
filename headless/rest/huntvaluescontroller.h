#pragma once

#include <optional>

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QThreadPool>

namespace Artemis {

class HuntCatalog;
class Router;

// What a hunt's answers mean (core/fleet/fleetvalues.h, core/fleet/nodediff.h):
//   GET /api/v1/hunts/{id}/values?path=P&groups=N&nodes=N   groups of identical values, stats,
//       outliers and minority values of one path across the hunt's nodes
//   GET /api/v1/hunts/{id}/diff?node=N&against=majority|previous|NODE   every leaf path where
//       the node differs from the majority (or the other node, or its previous round)
// Both read the whole results file, so they are computed on a pool of their own and answered
// when ready (headless/rest/deferredanswer.h); bad parameters are answered at once.
// Lives on the server's thread; borrows the catalog. Waits for running work on destruction.
class HuntValuesController
{
public:
    explicit HuntValuesController(HuntCatalog *catalog); // not owned
    ~HuntValuesController();
    HuntValuesController(const HuntValuesController &) = delete;
    HuntValuesController &operator=(const HuntValuesController &) = delete;

    [[nodiscard]] bool registerRoutes(Router &router);

    static constexpr int DefaultGroups = 20;
    static constexpr int MaxGroups = 10000;
    static constexpr int DefaultNodesPerGroup = 100;
    static constexpr int MaxNodesPerGroup = 100000;

private:
    std::optional<QHttpServerResponse> values(const QString &id, const QHttpServerRequest &request,
                                              QHttpServerResponder &responder);
    std::optional<QHttpServerResponse> diff(const QString &id, const QHttpServerRequest &request,
                                            QHttpServerResponder &responder);

    HuntCatalog *m_catalog; // not owned
    QThreadPool m_pool;     // one or two computations at a time; the rest wait their turn
};

} // namespace Artemis
