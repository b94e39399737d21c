#include "config/Settings.hpp"

#include "common/MaskedCommand.hpp"
#include "config/HostList.hpp"
#include "config/SettingCatalog.hpp"

namespace pulse {

std::vector<ReplicaEndpoint> Settings::replicas() const
{
    std::vector<ReplicaEndpoint> out;
    const auto list = parseHostList(replicaHosts);  // validated by the loader
    if (list && !list->empty()) {
        for (size_t i = 0; i < list->size(); ++i) {
            const auto& entry = (*list)[i];
            out.push_back({i == 0 ? "replica" : "replica" + std::to_string(i + 1), entry.host,
                           entry.port.value_or(replicaPort)});
        }
        return out;
    }
    if (!replicaHost.empty())
        out.push_back({"replica", replicaHost, replicaPort});
    return out;
}

std::vector<Settings::Shown> Settings::shown() const
{
    std::vector<Shown> out;
    const auto sourceOf = [this](const std::string& key) {
        const auto it = resolved.find(key);
        return it != resolved.end() ? it->second.source.describe() : std::string("default");
    };
    for (const auto& def : SettingCatalog::all()) {
        const std::string key(def.key);
        out.push_back({key, displayValue(key).value_or(""), sourceOf(key), std::string(def.group),
                       std::string(def.meaning), def.secret()});
    }
    // The commands belong with the drill settings in every listing.
    const std::string group(SettingCatalog::find("DRILL_ALLOW_DESTRUCTIVE")->group);
    for (const auto& [command, text] : drillCommands) {
        const std::string key = command.key();
        out.push_back({key, displayValue(key).value_or(""), sourceOf(key), group,
                       "the command that runs " + std::string(nodeActionName(command.action)) + " on the " +
                           command.node + " in this environment",
                       false});
    }
    return out;
}

std::optional<std::string> Settings::drillCommand(NodeAction action, const std::string& node) const
{
    const auto it = drillCommands.find(DrillCommandKey{action, node});
    if (it == drillCommands.end() || it->second.empty())
        return std::nullopt;
    return it->second;
}

std::optional<std::string> Settings::displayValue(const std::string& key) const
{
    const SettingDefinition* definition = SettingCatalog::find(key);
    if (definition == nullptr) {
        // Operator-written commands: not secrets, but one may hold a password inline.
        const auto it = resolved.find(key);
        if (DrillCommandKey::hasPrefix(key) && it != resolved.end())
            return maskCommandSecrets(it->second.value);
        return std::nullopt;
    }

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
