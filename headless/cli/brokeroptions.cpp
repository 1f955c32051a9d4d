#include "headless/cli/brokeroptions.h"

#include "headless/cli/optionsource.h"

using namespace Qt::StringLiterals;

namespace Artemis {

Result<BrokerOptions> brokerOptionsFrom(const OptionSource &o)
{
    BrokerOptions broker;
    if (o.isSet(u"broker-password-file"_s) && !o.isSet(u"broker"_s)) {
        return o.locate(
            u"broker-password-file"_s,
            makeError(ErrorCode::InvalidArgument, u"--broker-password-file needs --broker"_s));
    }
    if (o.isSet(u"broker"_s)) {
        Result<RedisUrl> url =
            RedisUrl::parse(o.value(u"broker"_s), o.value(u"broker-password-file"_s));
        if (!url) {
            return o.locate(u"broker"_s, url.error());
        }
        broker.url = std::move(url).value();
    }
    if (o.isSet(u"broker-secret-file"_s)) {
        if (!o.isSet(u"broker"_s)) {
            return o.locate(
                u"broker-secret-file"_s,
                makeError(ErrorCode::InvalidArgument, u"--broker-secret-file needs --broker"_s));
        }
        Result<BrokerSecretPtr> secret = BrokerSecret::fromFile(o.value(u"broker-secret-file"_s));
        if (!secret) {
            return o.locate(u"broker-secret-file"_s, secret.error());
        }
        broker.secret = std::move(secret).value();
    }
    return broker;
}

} // namespace Artemis
