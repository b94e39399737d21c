#pragma once
// Node names as the engine gives them (Settings::replicas(), the pools, the
// monitor): "primary", "replica" for the first replica, then "replica2",
// "replica3", ... Node controllers, drill files and DRILL_COMMAND_* keys use
// the same names, so one word means one server everywhere.

#include <string_view>

namespace pulse {

constexpr bool isNodeName(std::string_view name) noexcept
{
    if (name == "primary" || name == "replica")
        return true;
    constexpr std::string_view prefix = "replica";
    if (!name.starts_with(prefix) || name.size() == prefix.size())
        return false;
    const std::string_view number = name.substr(prefix.size());
    // "replica1" is never a name (the first is "replica"), nor "replica02".
    if (number.front() == '0' || number == "1")
        return false;
    for (const char c : number) {
        if (c < '0' || c > '9')
            return false;
    }
    return number.size() <= 4;
}

} // namespace pulse
