#include "topology/PgBinaries.hpp"

#include "common/Errors.hpp"
#include "topology/ProcessRunner.hpp"
#include "common/Trimmed.hpp"

#include <cstdlib>
#include <string>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace pulse {

bool PgBinaries::isComplete(const fs::path& dir)
{
    std::error_code ec;
    for (const char* tool : {"initdb", "pg_ctl", "pg_basebackup", "postgres"}) {
        if (!fs::is_regular_file(dir / tool, ec))
            return false;
    }
    return true;
}

fs::path PgBinaries::find()
{
    if (const char* env = std::getenv("PULSE_PG_BINDIR"); env && *env) {
        if (isComplete(env))
            return env;
        throw SandboxError(std::string("PULSE_PG_BINDIR=") + env
            + " does not hold the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup, "
              "postgres): point it at their directory or unset it");
    }
    try {
        ProcessCommand command;
        command.argv = {"pg_config", "--bindir"};
        command.timeout = 10s;
        const ProcessResult result = ProcessRunner::run(command);
        fs::path dir = trimmed(result.out);
        if (result.ok() && !dir.empty() && isComplete(dir))
            return dir;
    } catch (const SandboxError&) {
        // No pg_config on PATH: fall back to Debian's layout below.
    }
    // Debian/Ubuntu install each major version side by side: take the newest.
    fs::path best;
    int bestVersion = -1;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const std::string name = entry.path().filename().string();
        char* end = nullptr;
        const long version = std::strtol(name.c_str(), &end, 10);
        if (end == name.c_str() || *end != '\0' || !isComplete(entry.path() / "bin"))
            continue;
        if (version > bestVersion) {
            bestVersion = static_cast<int>(version);
            best = entry.path() / "bin";
        }
    }
    if (!best.empty())
        return best;
    throw SandboxError("PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup, postgres) not found: "
                       "install postgresql (Debian/Ubuntu: apt-get install postgresql), or set PULSE_PG_BINDIR "
                       "to the directory that holds them");
}

} // namespace pulse
