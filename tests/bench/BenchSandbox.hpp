#pragma once
// What every database benchmark starts with: a private primary + replica
// under /tmp (removed even if the benchmark is killed) and the settings that
// point an Engine at it, with the benchmark's own overrides.
#include "config/SettingsLoader.hpp"
#include "topology/Sandbox.hpp"

#include <cstdlib>
#include <iostream>

inline std::unique_ptr<pulse::Sandbox> startBenchSandbox()
{
    char pattern[] = "/tmp/pulse-bench-XXXXXX";
    pulse::SandboxOptions options;
    options.baseDir = ::mkdtemp(pattern);
    options.guardOwnerProcess = true;
    std::cerr << "starting a sandbox primary + replica ...\n";
    return pulse::Sandbox::create(options);
}

inline pulse::Settings benchSettings(const pulse::Sandbox& sandbox,
                                     std::vector<std::pair<std::string, std::string>> overrides)
{
    pulse::LoadOptions load;
    load.useDefaultEnvFile = false;
    load.sandbox = pulse::SettingsLayer{{pulse::SourceKind::Sandbox, "sandbox"}, sandbox.settingsValues()};
    load.commandLine = std::move(overrides);
    return pulse::SettingsLoader::load(load);
}
