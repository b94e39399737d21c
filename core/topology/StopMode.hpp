#pragma once
// How a sandbox node is stopped; the three shutdown modes of PostgreSQL.

#include <string_view>

namespace pulse {

enum class StopMode {
    Smart, // waits for every client session to end (a held pool blocks it)
    Fast, // disconnects clients, checkpoints: a clean shutdown
    Immediate // aborts without a checkpoint: the next start runs crash recovery
};

// The value of `pg_ctl stop -m`.
constexpr std::string_view stopModeName(StopMode mode) noexcept
{
    switch (mode) {
    case StopMode::Smart:
        return "smart";
    case StopMode::Fast:
        return "fast";
    case StopMode::Immediate:
        return "immediate";
    }
    return "fast";
}

} // namespace pulse
