#include "topology/NodeControl.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "topology/PortAllocator.hpp"
#include "topology/Postmaster.hpp"
#include "topology/PrivateFiles.hpp"
#include "topology/SandboxClient.hpp"
#include "topology/SandboxStateFile.hpp"
#include "topology/ServerLog.hpp"
#include "topology/ServerTools.hpp"

#include <chrono>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <thread>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace pulse {
namespace {

constexpr auto kStartTimeout = 30s; // pg_ctl -t

} // namespace

NodeControl::NodeControl(detail::SandboxState& state)
    : m_state(state)
    , m_log(logger("sandbox"))
{ }

bool NodeControl::isRunning(SandboxNode node) const
{
    const fs::path dir = m_state.layout().dataDir(node);
    std::error_code ec;
    // No pid file: certainly down, and no process to start for the answer.
    if (!fs::exists(dir / "postmaster.pid", ec))
        return false;
    return ServerTools(m_state).run("pg_ctl", {"status", "-D", dir.string()}, {}, 15s).ok();
}

void NodeControl::start(SandboxNode node, bool mayChangePort)
{
    const fs::path dir = m_state.layout().dataDir(node);
    const fs::path logPath = m_state.layout().logFile(node);
    const ServerLog log(logPath);
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw SandboxError(fmt::format("cannot start the sandbox {}: {} does not exist (the sandbox was removed?). "
                                       "Rebuild it: pulsectl sandbox down && pulsectl sandbox up",
            sandboxNodeName(node), dir.string()));
    // Ports are picked free but only bound here: another program may take one
    // in between. During create() that is retried on a new port.
    constexpr int kAttempts = 5;
    for (int attempt = 1;; ++attempt) {
        const std::uintmax_t offset = log.size();
        const ProcessResult result = ServerTools(m_state).run("pg_ctl",
            {"-D", dir.string(), "-l", logPath.string(), "-w", "-t",
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kStartTimeout).count()), "start"},
            {}, kStartTimeout + 30s);
        if (result.ok())
            break;
        const std::string newLog = log.tail(200, offset);
        if (mayChangePort && attempt < kAttempts && newLog.find("Address already in use") != std::string::npos) {
            PortAllocator allocator(detail::SandboxState::kHost);
            int port = allocator.next();
            while (port == m_state.ports[0] || port == m_state.ports[1])
                port = allocator.next();
            m_log->info("port {} of the sandbox {} was taken meanwhile; retrying on {}", m_state.ports[node],
                sandboxNodeName(node), port);
            m_state.ports[node] = port;
            PrivateFiles::append(dir / "postgresql.conf",
                fmt::format("# the port picked first was taken by another program\nport = {}\n", port));
            SandboxStateFile::write(m_state);
            continue;
        }
        throw SandboxError(fmt::format("could not start the sandbox {} (port {}, data directory {}): {}{}\nFix: {}",
            sandboxNodeName(node), m_state.ports[node], dir.string(),
            result.timedOut ? std::string("pg_ctl timed out") : result.combinedOutput(), log.section(offset),
            ServerLog::hintFor(newLog + result.combinedOutput(), m_state.baseDir)));
    }

    // pg_ctl -w already waited for the "ready" mark; make sure TCP answers too.
    const SandboxClient client(m_state);
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (!client.accepts(node)) {
        if (std::chrono::steady_clock::now() > deadline)
            throw SandboxError(fmt::format("the sandbox {} started but does not accept connections on {}:{}{}\nFix: {}",
                sandboxNodeName(node), detail::SandboxState::kHost, m_state.ports[node], log.section(),
                ServerLog::hintFor(log.tail(200), m_state.baseDir)));
        std::this_thread::sleep_for(20ms);
    }
    m_log->debug("sandbox {} accepts connections on {}:{}", sandboxNodeName(node), detail::SandboxState::kHost,
        m_state.ports[node]);
}

void NodeControl::stop(SandboxNode node, StopMode mode)
{
    if (!isRunning(node)) {
        m_log->debug("sandbox {} is not running; nothing to stop", sandboxNodeName(node));
        return;
    }
    const ServerLog log(m_state.layout().logFile(node));
    const std::uintmax_t offset = log.size();
    const ProcessResult result = ServerTools(m_state).run("pg_ctl",
        {"stop", "-D", m_state.layout().dataDir(node).string(), "-m", std::string(stopModeName(mode)), "-w", "-t",
            "60"},
        {}, 90s);
    if (result.ok() || !isRunning(node)) {
        m_log->info("sandbox {} stopped ({})", sandboxNodeName(node), stopModeName(mode));
        return;
    }
    throw SandboxError(fmt::format("could not stop the sandbox {} ({} mode): {}{}\nFix: {}", sandboxNodeName(node),
        stopModeName(mode), result.combinedOutput(), log.section(offset),
        mode == StopMode::Smart ? "smart mode waits for every client to disconnect: "
                                  "close them or use fast mode"
                                : "retry with immediate mode"));
}

void NodeControl::promote(SandboxNode node)
{
    const std::string_view name = sandboxNodeName(node);
    if (!isRunning(node))
        throw SandboxError(fmt::format("cannot promote the sandbox {}: it is not running (start it first)", name));
    const ServerLog log(m_state.layout().logFile(node));
    const std::uintmax_t offset = log.size();
    const ProcessResult result = ServerTools(m_state).run(
        "pg_ctl", {"promote", "-D", m_state.layout().dataDir(node).string(), "-w", "-t", "60"}, {}, 90s);
    if (!result.ok())
        throw SandboxError(fmt::format("could not promote the sandbox {}: {}{}\nFix: only a node in recovery (a "
                                       "standby) can be promoted; a primary cannot be promoted again: rebuild the "
                                       "other node as its replica instead (node action rebuild)",
            name, result.timedOut ? std::string("pg_ctl timed out") : result.combinedOutput(), log.section(offset)));
    m_log->info("sandbox {} promoted: it is a primary now", name);
}

std::optional<std::string> NodeControl::forceStop(SandboxNode node)
{
    const fs::path dir = m_state.layout().dataDir(node);
    std::error_code ec;
    if (!fs::exists(dir / "postmaster.pid", ec))
        return std::nullopt;
    const std::optional<pid_t> pid = postmasterPid(dir);
    try {
        ServerTools(m_state).run("pg_ctl", {"stop", "-D", dir.string(), "-m", "immediate", "-w", "-t", "30"}, {}, 45s);
    } catch (const std::exception& error) {
        m_log->warn("pg_ctl stop of the sandbox {} failed: {}", sandboxNodeName(node), error.what());
    }
    // pg_ctl only reports the pid file; make sure the postmaster is gone
    // before its directory is removed under it.
    if (pid && !killPostmaster(*pid))
        return fmt::format("the sandbox {} (pid {}) is still running", sandboxNodeName(node), *pid);
    return std::nullopt;
}

} // namespace pulse
