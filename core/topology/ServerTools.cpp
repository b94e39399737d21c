#include "topology/ServerTools.hpp"

#include "common/Logging.hpp"

#include <spdlog/spdlog.h>

namespace fs = std::filesystem;

namespace pulse {
namespace {

// libpq reads these from the environment; a developer's PGHOST or PGSSLMODE
// must not redirect or break the sandbox's own tools.
const std::vector<std::string> kLibpqEnvironment {"PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGPASSWORD",
    "PGPASSFILE", "PGDATABASE", "PGSERVICE", "PGSERVICEFILE", "PGOPTIONS", "PGAPPNAME", "PGSSLMODE", "PGREQUIRESSL",
    "PGSSLCERT", "PGSSLKEY", "PGSSLROOTCERT", "PGSSLCRL", "PGGSSENCMODE", "PGCHANNELBINDING", "PGTARGETSESSIONATTRS",
    "PGCONNECT_TIMEOUT", "PGCLIENTENCODING", "PGDATA", "PGTZ", "PGDATESTYLE"};

} // namespace

ServerTools::ServerTools(const detail::SandboxState& state)
    : m_state(state)
{ }

fs::path ServerTools::path(std::string_view tool) const
{
    return m_state.binDir / tool;
}

ProcessResult ServerTools::run(std::string_view tool, const std::vector<std::string>& args, Environment env,
    std::chrono::milliseconds timeout) const
{
    ProcessCommand command;
    if (m_state.account)
        command.argv = m_state.account->commandPrefix();
    command.argv.push_back(path(tool).string());
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.extraEnv = std::move(env);
    // Untranslated messages: they are matched by the callers and read by whoever gets the error.
    command.extraEnv.emplace_back("LC_ALL", "C");
    command.unsetEnv = kLibpqEnvironment;
    // runuser keeps the working directory, which the server user must be
    // able to read (from /root pg_ctl fails with "could not change directory").
    std::error_code ec;
    command.cwd = fs::is_directory(m_state.baseDir, ec) ? m_state.baseDir : fs::path("/");
    command.timeout = timeout;
    logger("sandbox")->debug("$ {}", ProcessRunner::describe(command.argv));
    return ProcessRunner::run(command);
}

} // namespace pulse
