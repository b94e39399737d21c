#pragma once
// The list of every configuration key Pulse understands, in display order
// (grouped). Keys outside this list are ignored in .env files and the
// environment (they hold other applications' keys too) but refused on the
// command line. One family of keys is open-ended and not listed:
// DRILL_COMMAND_<ACTION>_<NODE> (DrillCommandKey.hpp); Pulse owns that
// prefix, so a malformed key in it is an error in every source.

#include "config/SettingDefinition.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pulse {

// Immutable static data; safe to use from any thread.
class SettingCatalog {
public:
    // Every definition, grouped in the order of groups().
    static std::span<const SettingDefinition> all() noexcept;

    // Display groups in order: Primary, Replica, Pool (primary), Pool (replica),
    // Routing flags, Timeouts, Monitoring, Routing that follows the topology,
    // Alerts, ETL loads and dashboard readers, Drills.
    static std::span<const std::string_view> groups() noexcept;

    // nullptr for an unknown key. Keys are case-sensitive, like the environment.
    static const SettingDefinition* find(std::string_view key) noexcept;

    // The known key an unknown one was probably meant to be (a typo or the wrong
    // case), for "did you mean ...?"; std::nullopt when nothing is close.
    static std::optional<std::string> closestKey(std::string_view unknown);
};

}  // namespace pulse
