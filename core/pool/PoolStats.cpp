#include "pool/PoolStats.hpp"

#include <fmt/format.h>

namespace pulse {

std::string PoolStats::statusLine() const
{
    // SQLAlchemy's "Current Overflow" counts from -pool_size upwards.
    return fmt::format("Pool size: {}  Connections in pool: {} Current Overflow: {} Current Checked out connections: {}",
                       size, idle, open - size, checkedOut);
}

}  // namespace pulse
