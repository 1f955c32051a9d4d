#pragma once

namespace Artemis {

class Router;

// GET /healthz -> 200 {"status": "ok"}. Open (no token); answers as long as the event loop runs.
class HealthController
{
public:
    [[nodiscard]] bool registerRoutes(Router &router);
};

} // namespace Artemis
