#pragma once

#include <functional>

#include <QTest>

namespace Artemis::Test {

// The one polling helper: spins the event loop (QTest::qWaitFor, which also delivers deferred
// deletes) until `condition` holds or `timeoutMs` pass. Returns whether it held. For use in
// helpers that return values; in a test function prefer QTRY_VERIFY_WITH_TIMEOUT, which names
// the condition when it fails.
inline bool waitUntil(const std::function<bool()> &condition, int timeoutMs = 10000)
{
    return QTest::qWaitFor(condition, timeoutMs);
}

} // namespace Artemis::Test
