#pragma once
// Builds the effective Settings from layered sources. Precedence, lowest first:
//   default < sandbox < .env file < process environment < command line (--set)
// Either every value is valid and a complete Settings is returned, or a
// ConfigError lists every problem found (never only the first, never a
// partially valid Settings).

#include "config/SettingSource.hpp"
#include "config/Settings.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pulse {

// Values of one source, e.g. the ports of a running local sandbox.
struct SettingsLayer {
    SettingSource source;
    std::vector<std::pair<std::string, std::string>> values;
};

struct LoadOptions {
    // --env-file: must exist and be readable (an error otherwise).
    std::optional<std::filesystem::path> envFile;
    // Without envFile: read ./.env (current directory) if it exists.
    bool useDefaultEnvFile = true;
    // The process environment. The loader never reads it by itself, so tests
    // stay hermetic: applications pass SettingsLoader::currentEnvironment().
    std::map<std::string, std::string> environment;
    // --set KEY=VALUE, in command-line order (a later one wins).
    std::vector<std::pair<std::string, std::string>> commandLine;
    // Values of a running local sandbox; below the file, above the defaults.
    std::optional<SettingsLayer> sandbox;
};

// Stateless; safe to call from any thread (it reads files, nothing global).
class SettingsLoader {
public:
    // DB_POOL_RECYCLE / DB_REPLICA_POOL_RECYCLE = -1 (SQLAlchemy's "never
    // recycle") becomes this duration in PoolSettings::recycle: 100 years,
    // longer than any connection lives yet small enough that adding it to a
    // steady_clock time point cannot overflow. Pool code needs no special case.
    static constexpr std::chrono::seconds kNeverRecycle{100LL * 365 * 24 * 3600};

    // Throws ConfigError with every issue: unreadable or malformed .env lines,
    // a missing --env-file, unknown --set keys, and invalid effective values.
    static Settings load(const LoadOptions& options);

    // Snapshot of the process environment (environ).
    static std::map<std::string, std::string> currentEnvironment();
};

}  // namespace pulse
