#pragma once
// The open-ended family of settings DRILL_COMMAND_<ACTION>_<NODE>: the shell
// command that performs one node action on one node of a real topology, e.g.
//   DRILL_COMMAND_STOP_REPLICA=docker compose -f docker-compose.db.yml stop postgres-replica
// <ACTION> is a NodeAction name in upper case (STOP, STOP_IMMEDIATE, KILL,
// PAUSE_REPLAY, ...), <NODE> a node name in upper case (PRIMARY, REPLICA,
// REPLICA2, ...). Node names never contain '_', so the last '_' splits the two.

#include "topology/NodeAction.hpp"

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace pulse {

struct DrillCommandKey {
    static constexpr std::string_view kPrefix = "DRILL_COMMAND_";

    NodeAction action = NodeAction::Stop;
    std::string node; // lower case, as the engine names nodes

    // "DRILL_COMMAND_STOP_REPLICA"
    std::string key() const;

    // The action and node of `key`, or std::nullopt with `problem` set to a
    // sentence saying what is wrong and what is expected. Only for keys that
    // start with kPrefix (and are not catalogue keys such as
    // DRILL_COMMAND_TIMEOUT_SECONDS).
    static std::optional<DrillCommandKey> parse(std::string_view key, std::string& problem);
    static bool hasPrefix(std::string_view key) { return key.starts_with(kPrefix); }

    friend auto operator<=>(const DrillCommandKey&, const DrillCommandKey&) = default;
    friend bool operator==(const DrillCommandKey&, const DrillCommandKey&) = default;
};

} // namespace pulse
