#include "routing/ConsistencyToken.hpp"

#include "monitor/NodeObservation.hpp"

namespace pulse {

std::string ConsistencyToken::text() const
{
    return formatLsn(lsn);
}

std::optional<ConsistencyToken> ConsistencyToken::parse(std::string_view text)
{
    const auto lsn = parseLsn(text);
    if (!lsn)
        return std::nullopt;
    return ConsistencyToken{*lsn};
}

}  // namespace pulse
