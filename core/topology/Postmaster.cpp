#include "topology/Postmaster.hpp"

#include "common/Errors.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

using namespace std::chrono_literals;

namespace pulse {

std::optional<pid_t> postmasterPid(const std::filesystem::path& dataDir)
{
    std::ifstream in(dataDir / "postmaster.pid");
    long pid = 0;
    if (!(in >> pid) || pid <= 0)
        return std::nullopt;
    return static_cast<pid_t>(pid);
}

bool processAlive(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line))
        return false;
    // The state follows the command name, which may itself contain ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size())
        return false;
    const char status = line[close + 2];
    return status != 'Z' && status != 'X';
}

bool killPostmaster(pid_t pid)
{
    if (!processAlive(pid))
        return true;
    ::kill(pid, SIGQUIT);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (processAlive(pid) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    if (processAlive(pid))
        ::kill(pid, SIGKILL);
    return !processAlive(pid);
}

namespace {

// Parent pid from /proc/<pid>/stat; 0 when the process is gone. The command
// name may contain spaces and ')', so parse after its last ')'.
pid_t parentOf(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line))
        return 0;
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size())
        return 0;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    return ppid;
}

std::optional<pid_t> runningPostmaster(const std::filesystem::path& dataDir)
{
    const std::optional<pid_t> pid = postmasterPid(dataDir);
    if (!pid || !processAlive(*pid))
        return std::nullopt;
    // A stale postmaster.pid (the server died without removing it) may name
    // a pid that now belongs to another process: signalling that one would
    // freeze or kill a stranger. The postmaster runs with the data directory
    // as its working directory; anything else is not this server.
    std::error_code ec;
    const auto cwd = std::filesystem::read_symlink("/proc/" + std::to_string(*pid) + "/cwd", ec);
    const auto data = std::filesystem::weakly_canonical(dataDir, ec);
    if (!cwd.empty() && cwd != data)
        return std::nullopt;
    return pid;
}

// Stops the children of `postmaster` not yet in `stopped`; adds them there.
void stopChildren(pid_t postmaster, std::vector<pid_t>& stopped)
{
    for (const pid_t pid : childProcesses(postmaster)) {
        if (std::find(stopped.begin(), stopped.end(), pid) == stopped.end() && ::kill(pid, SIGSTOP) == 0)
            stopped.push_back(pid);
    }
}

bool anyAlive(const std::vector<pid_t>& pids)
{
    return std::any_of(pids.begin(), pids.end(), [](pid_t pid) { return processAlive(pid); });
}

// Polls until none of `pids` is alive or `until` passes.
bool waitGone(const std::vector<pid_t>& pids, std::chrono::steady_clock::time_point until)
{
    while (anyAlive(pids)) {
        if (std::chrono::steady_clock::now() >= until)
            return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

// postmaster.pid lines 4 and 5: port and first socket directory.
void removeStaleLocks(const std::filesystem::path& dataDir, pid_t postmaster)
{
    std::vector<std::string> lines;
    {
        std::ifstream in(dataDir / "postmaster.pid");
        for (std::string line; std::getline(in, line);)
            lines.push_back(line);
    }
    std::error_code ec;
    if (lines.size() >= 5 && !lines[4].empty()) {
        const std::filesystem::path lock = std::filesystem::path(lines[4]) / (".s.PGSQL." + lines[3] + ".lock");
        std::ifstream in(lock);
        long owner = 0;
        if (in >> owner && owner == postmaster)
            std::filesystem::remove(lock, ec);
    }
    // Only the killed server's file: a server started since then owns a new one.
    if (!lines.empty() && lines[0] == std::to_string(postmaster))
        std::filesystem::remove(dataDir / "postmaster.pid", ec);
}

} // namespace

std::vector<pid_t> childProcesses(pid_t parent)
{
    std::vector<pid_t> children;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const pid_t pid = static_cast<pid_t>(std::stol(name));
        if (parentOf(pid) == parent)
            children.push_back(pid);
    }
    return children;
}

std::vector<pid_t> freezeServer(const std::filesystem::path& dataDir)
{
    const std::optional<pid_t> postmaster = runningPostmaster(dataDir);
    if (!postmaster)
        throw SandboxError("no running server in " + dataDir.string() + " to freeze");
    std::vector<pid_t> stopped;
    // Children first, so none of them sees a stopped postmaster and reacts
    // to it; then once more after the postmaster, for a child it forked in
    // between (a stopped postmaster forks no more).
    stopChildren(*postmaster, stopped);
    if (::kill(*postmaster, SIGSTOP) != 0) {
        const int error = errno;
        continueProcesses(stopped);
        throw SandboxError(fmt::format(
            "cannot stop the postmaster (pid {}) of {}: {}", *postmaster, dataDir.string(), std::strerror(error)));
    }
    stopChildren(*postmaster, stopped);
    // continueProcesses() walks backwards: with the postmaster at the end it
    // is woken first, then its children.
    stopped.erase(std::remove(stopped.begin(), stopped.end(), *postmaster), stopped.end());
    stopped.push_back(*postmaster);
    return stopped;
}

void continueProcesses(const std::vector<pid_t>& pids) noexcept
{
    for (auto it = pids.rbegin(); it != pids.rend(); ++it)
        ::kill(*it, SIGCONT);
}

std::size_t thawServer(const std::filesystem::path& dataDir)
{
    const std::optional<pid_t> postmaster = runningPostmaster(dataDir);
    if (!postmaster)
        return 0;
    std::size_t signalled = ::kill(*postmaster, SIGCONT) == 0 ? 1 : 0;
    for (const pid_t pid : childProcesses(*postmaster)) {
        if (::kill(pid, SIGCONT) == 0)
            ++signalled;
    }
    return signalled;
}

KilledServer killServer(const std::filesystem::path& dataDir, std::chrono::milliseconds grace)
{
    const std::optional<pid_t> postmaster = runningPostmaster(dataDir);
    if (!postmaster)
        throw SandboxError("no running server in " + dataDir.string() + " to kill");
    const auto started = std::chrono::steady_clock::now();
    KilledServer killed;
    killed.postmaster = *postmaster;
    // Listed before the kill: afterwards they are re-parented and can no
    // longer be told from other processes.
    const std::vector<pid_t> children = childProcesses(*postmaster);
    killed.children = children.size();
    if (::kill(*postmaster, SIGKILL) != 0) {
        const int error = errno;
        throw SandboxError(fmt::format(
            "cannot kill the postmaster (pid {}) of {}: {}", *postmaster, dataDir.string(), std::strerror(error)));
    }
    // A frozen child would never notice the death; wake them all.
    continueProcesses(children);
    if (!waitGone({*postmaster}, started + grace))
        throw SandboxError(
            fmt::format("the postmaster (pid {}) of {} survived SIGKILL", *postmaster, dataDir.string()));
    if (!waitGone(children, started + grace)) {
        for (const pid_t pid : children) {
            if (processAlive(pid) && ::kill(pid, SIGKILL) == 0)
                ++killed.childrenForced;
        }
        if (!waitGone(children, std::chrono::steady_clock::now() + grace))
            throw SandboxError(fmt::format("processes of the killed server in {} survived SIGKILL; the next "
                                           "start will refuse while they hold its shared memory",
                dataDir.string()));
    }
    // Nothing of the server runs: its lock files are stale. The next
    // postmaster would take them over itself, unless the old pid is an
    // unreaped zombie or was reused (kill(pid, 0) succeeds on either): then it
    // refuses to start. So remove them, the socket's lock only if it is ours.
    removeStaleLocks(dataDir, *postmaster);
    killed.waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return killed;
}

} // namespace pulse
