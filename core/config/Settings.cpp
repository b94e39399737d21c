#include "config/Settings.hpp"

#include "config/SettingCatalog.hpp"

namespace pulse {

std::optional<std::string> Settings::displayValue(const std::string& key) const
{
    const SettingDefinition* definition = SettingCatalog::find(key);
    if (definition == nullptr)
        return std::nullopt;

    // A Settings built by hand (tests, defaults) has no `resolved` entries:
    // it then shows the catalogue default rather than nothing.
    const auto it = resolved.find(key);
    const std::string value = it != resolved.end() ? it->second.value : std::string(definition->defaultValue);
    const bool secret = definition->secret() || (it != resolved.end() && it->second.secret);
    if (!secret)
        return value;
    return value.empty() ? "(not set)" : "********";
}

}  // namespace pulse
