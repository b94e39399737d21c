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
    const auto shown = resolved.settings.shown();
    for (const auto group : pulse::SettingCatalog::groups()) {
        std::cout << "\n[" << group << "]\n";
        TextTable table({"KEY", "VALUE", "SOURCE", "MEANING"});
        for (const auto& s : shown)
            if (s.group == group)
                table.addRow({s.key, s.value, s.source, s.meaning});
        table.print(std::cout);
    }
    return pulse::exitcode::ok;
}

}  // namespace pulsectl
