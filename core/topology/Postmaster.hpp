#pragma once
// The postmaster of a data directory, seen from outside. `pg_ctl status` and
// `pg_ctl stop` only look at postmaster.pid, so whoever must be sure a server
// is gone (teardown before removing its directory, the integration tests)
// checks the process itself.

#include <filesystem>
#include <optional>
#include <sys/types.h>

namespace pulse {

// The pid recorded in <dataDir>/postmaster.pid; std::nullopt when there is
// no pid file or it does not start with a positive number.
std::optional<pid_t> postmasterPid(const std::filesystem::path& dataDir);

// Alive and not a zombie: init may be slow to reap, or in a container not
// reap at all, so kill(pid, 0) alone would report a dead server as running.
bool processAlive(pid_t pid);

// SIGQUIT (the postmaster's own "immediate shutdown"), up to 5 s for it to
// exit, then SIGKILL. True when the process is gone afterwards.
bool killPostmaster(pid_t pid);

} // namespace pulse
