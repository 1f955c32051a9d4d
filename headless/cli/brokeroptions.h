#pragma once

#include <optional>

#include "core/base/result.h"
#include "core/broker/brokersecret.h"
#include "core/broker/redisurl.h"

namespace Artemis {

class OptionSource;

// The broker option group of `serve` (optional: distributed mode) and `worker` (required).
struct BrokerOptions
{
    std::optional<RedisUrl> url; // --broker (with --broker-password-file); none: not given
    BrokerSecretPtr secret;      // --broker-secret-file (null: none)
};

// Reads --broker, --broker-password-file and --broker-secret-file (flags or config file). The
// two files need --broker; an error names the option (and its file and line).
Result<BrokerOptions> brokerOptionsFrom(const OptionSource &options);

} // namespace Artemis
