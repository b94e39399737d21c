#pragma once
// The postmaster of a data directory, seen from outside. `pg_ctl status` and
// `pg_ctl stop` only look at postmaster.pid, so whoever must be sure a server
// is gone (teardown before removing its directory, the integration tests)
// checks the process itself.

#include <chrono>
#include <filesystem>
#include <optional>
#include <sys/types.h>
#include <vector>

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

// Processes whose parent is `parent` (from /proc). Backends call setsid(), so
// the postmaster's process group does not find them; their parent does.
std::vector<pid_t> childProcesses(pid_t parent);

// Freezes the server of `dataDir`: SIGSTOP to the postmaster and every process
// it started. Such a server still accepts TCP (the kernel completes the
// handshake) but answers nothing: the "node not answering" case, unlike a
// stopped node, which refuses at once. Returns the stopped pids, postmaster
// included. Throws SandboxError when no server runs there.
std::vector<pid_t> freezeServer(const std::filesystem::path& dataDir);
// SIGCONT to each of `pids`, last first (the postmaster before its children
// when given freezeServer()'s list). Never throws.
void continueProcesses(const std::vector<pid_t>& pids) noexcept;
// SIGCONT to the postmaster of `dataDir` and every process it started, found
// afresh (the freezing may have happened in another process). Returns how
// many processes were signalled; 0 when no server runs there.
std::size_t thawServer(const std::filesystem::path& dataDir);

// What killServer() found and did.
struct KilledServer {
    pid_t postmaster = 0;
    std::size_t children = 0; // processes the postmaster had started
    std::size_t childrenForced = 0; // children still alive after the grace period, then SIGKILLed
    std::chrono::milliseconds waited {0}; // until every process was gone
};

// The crash case: SIGKILL to the postmaster of `dataDir` (no shutdown, no
// checkpoint). Its children notice the postmaster's death and exit on their
// own; this waits for that (up to `grace`), SIGKILLs any that did not, and
// removes the stale postmaster.pid once every process is gone, so a later
// start runs crash recovery even where the killed postmaster's zombie is
// never reaped (a container's init). Throws SandboxError when no server runs
// there or a process survives SIGKILL.
KilledServer killServer(
    const std::filesystem::path& dataDir, std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

} // namespace pulse
