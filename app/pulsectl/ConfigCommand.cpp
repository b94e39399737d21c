#include "Commands.hpp"
#include "TextTable.hpp"

#include "common/ExitCodes.hpp"
#include "config/SettingCatalog.hpp"
#include "engine/JsonExport.hpp"

#include <iostream>

namespace pulsectl {

int runConfig(const CliContext& context)
{
    const auto resolved = context.resolve();
    if (context.json) {
        nlohmann::json j = {{"configuration", resolved.origin},
                            {"settings", pulse::settingsToJson(resolved.settings)}};
        std::cout << j.dump(2) << '\n';
        return pulse::exitcode::ok;
    }
    std::cout << "configuration: " << resolved.origin << "\n"
              << "precedence: command line (--set) > environment > .env file > sandbox > default\n";
    for (const auto group : pulse::SettingCatalog::groups()) {
        std::cout << "\n[" << group << "]\n";
        TextTable table({"KEY", "VALUE", "SOURCE", "MEANING"});
        for (const auto& def : pulse::SettingCatalog::all()) {
            if (def.group != group)
                continue;
            const std::string key(def.key);
            const auto it = resolved.settings.resolved.find(key);
            table.addRow({key, resolved.settings.displayValue(key).value_or(""),
                          it != resolved.settings.resolved.end() ? it->second.source.describe() : "default",
                          std::string(def.meaning)});
        }
        table.print(std::cout);
    }
    return pulse::exitcode::ok;
}

}  // namespace pulsectl
