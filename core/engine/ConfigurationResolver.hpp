#pragma once
// Decides which configuration an application runs with, the way a CLI picks
// its current context: explicit configuration wins; when none is given at all
// (no --env-file, no ./.env, no POSTGRES_* variable, no --set) and a local
// sandbox exists, the sandbox is used. Shared by pulsectl and pulse-console.

#include "config/Settings.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pulse {

struct ConfigurationRequest {
    std::optional<std::filesystem::path> envFile;                   // --env-file
    std::vector<std::pair<std::string, std::string>> commandLine;   // --set KEY=VALUE
    std::map<std::string, std::string> environment;                 // the process environment
    std::optional<std::filesystem::path> sandboxDir;                // --sandbox-dir (default: Sandbox::defaultBaseDir())
    bool forceSandbox = false;                                      // --sandbox
    bool allowImplicitSandbox = true;
};

struct ResolvedConfiguration {
    Settings settings;
    std::optional<std::filesystem::path> sandboxDir;  // set when the sandbox layer is in use
    std::string origin;  // one line: "sandbox /tmp/pulse-sandbox-0", ".env", "environment and defaults"
};

class ConfigurationResolver {
public:
    // Throws ConfigError (invalid values, every problem listed) or
    // SandboxError (--sandbox given but no sandbox there).
    static ResolvedConfiguration resolve(const ConfigurationRequest& request);

    // True when the request names no configuration of its own.
    static bool nothingGiven(const ConfigurationRequest& request);
    // --set arguments "KEY=VALUE" -> pairs; a missing '=' is a ConfigError.
    static std::vector<std::pair<std::string, std::string>> parseAssignments(const std::vector<std::string>& args);
};

}  // namespace pulse
