#pragma once
// Description of one configuration key: its type, default, accepted range and
// meaning. The catalogue of all keys (SettingCatalog) drives validation in
// SettingsLoader, `pulsectl config` and the documentation in .env.example.

#include <cstdint>
#include <string>
#include <string_view>

namespace pulse {

enum class SettingType {
    String,        // any text; empty = libpq's own default applies (PGUSER, ...)
    Host,          // host name, address or socket directory; no whitespace
    Port,          // 1..65535
    Integer,       // whole number within [minimum, maximum]; the unit is in `unit`
    Seconds,       // seconds within [minimum, maximum]; decimals only if allowFraction
    Bool,          // true/false, 1/0, yes/no, on/off (any case)
    Secret,        // any text, never shown: masked as ******** everywhere
    HostList,      // "host[:port],host[:port]"; empty allowed (see HostList.hpp)
};

struct SettingDefinition {
    std::string_view key{};
    SettingType type = SettingType::String;
    std::string_view defaultValue{};  // as it would be written in a .env file
    std::string_view group{};         // display group, see SettingCatalog::groups()
    std::string_view meaning{};       // one line for `pulsectl config` and .env.example
    std::int64_t minimum = 0;         // Integer / Seconds only (in seconds for Seconds)
    std::int64_t maximum = 0;
    std::string_view unit{};          // Integer: "milliseconds"; empty for plain counts
    bool allowFraction = false;       // Seconds: "0.5" and "30.00" accepted
    bool allowEmpty = true;           // Host: false unless empty has a meaning
    std::string_view note{};          // meaning of special values ("-1 = never recycle")

    bool secret() const noexcept { return type == SettingType::Secret; }

    // The accepted form, as used in error messages after "expected ...":
    // "an integer from 1 to 1000", "a port number from 1 to 65535", ...
    std::string expectedForm() const
    {
        const std::string range = "from " + std::to_string(minimum) + " to " + std::to_string(maximum);
        std::string text;
        switch (type) {
        case SettingType::String:
        case SettingType::Secret:
            text = "any text";
            break;
        case SettingType::Host:
            text = allowEmpty ? "a host name or address without spaces, or empty"
                              : "a host name or address (not empty, no spaces)";
            break;
        case SettingType::Port:
            text = "a port number from 1 to 65535";
            break;
        case SettingType::Integer:
            text = unit.empty() ? "an integer " + range : "an integer number of " + std::string(unit) + " " + range;
            break;
        case SettingType::Seconds:
            text = allowFraction ? "a number of seconds " + range + " (decimals allowed, e.g. 0.5)"
                                 : "a whole number of seconds " + range;
            break;
        case SettingType::Bool:
            return "true or false (also 1/0, yes/no, on/off)";
        case SettingType::HostList:
            text = "a comma-separated list of host or host:port (port from 1 to 65535), or empty";
            break;
        }
        if (!note.empty())
            text += " (" + std::string(note) + ")";
        return text;
    }
};

}  // namespace pulse
