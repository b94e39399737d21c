#pragma once
// What every pulsectl command shares: the global options and the way they
// turn into a configuration (see ConfigurationResolver for the rule that
// picks a running sandbox when nothing else is given).

#include "engine/ConfigurationResolver.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pulsectl {

struct CliContext {
    std::string envFile;                 // --env-file
    std::vector<std::string> sets;       // --set KEY=VALUE
    std::string sandboxDir;              // --sandbox-dir
    bool json = false;                   // --json (where supported)

    pulse::ConfigurationRequest request() const;
    pulse::ResolvedConfiguration resolve() const;
    std::filesystem::path sandboxPath() const;
};

}  // namespace pulsectl
