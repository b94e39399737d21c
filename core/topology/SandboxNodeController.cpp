#include "topology/SandboxNodeController.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "topology/Postmaster.hpp"
#include "topology/Sandbox.hpp"

#include <chrono>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace pulse {
namespace {

constexpr auto kKillGrace = std::chrono::milliseconds(5000); // children's own exit after the postmaster's death

std::string fixFor(NodeAction action)
{
    switch (action) {
    case NodeAction::Promote:
        return "only a node in recovery can be promoted: a primary cannot be promoted again; make it a replica "
               "again with rebuild (of this node, from the other), or recreate the sandbox "
               "(pulsectl sandbox down && pulsectl sandbox up)";
    case NodeAction::Rebuild:
        return "the other node must run and be the primary (start it; promote it if it is a replica); pulsectl "
               "sandbox status shows each node's role";
    case NodeAction::PauseReplay:
    case NodeAction::ResumeReplay:
        return "start the replica first; a promoted replica has no replay to pause (rebuild the sandbox)";
    case NodeAction::Kill:
    case NodeAction::Freeze:
        return "start the node first (pulsectl sandbox up)";
    default:
        return "see the server log named above; pulsectl sandbox status shows both nodes";
    }
}

} // namespace

SandboxNodeController::SandboxNodeController(Sandbox& sandbox)
    : m_sandbox(sandbox)
    , m_log(logger("nodectl"))
{ }

SandboxNodeController::~SandboxNodeController()
{
    for (const SandboxNode node : m_frozen) {
        const std::size_t woken = thawServer(m_sandbox.dataDir(node));
        m_log->warn("sandbox {} was left frozen; thawed {} processes", sandboxNodeName(node), woken);
    }
}

std::string SandboxNodeController::describe() const
{
    return "sandbox processes (" + m_sandbox.baseDir().string() + ")";
}

std::optional<SandboxNode> SandboxNodeController::sandboxNode(const std::string& node)
{
    if (node == sandboxNodeName(SandboxNode::Primary))
        return SandboxNode::Primary;
    if (node == sandboxNodeName(SandboxNode::Replica))
        return SandboxNode::Replica;
    return std::nullopt;
}

bool SandboxNodeController::supports(NodeAction action, const std::string& node) const
{
    const std::optional<SandboxNode> target = sandboxNode(node);
    if (!target)
        return false;
    switch (action) {
    case NodeAction::TerminateBackends:
        return false; // SQL
    case NodeAction::PauseReplay:
    case NodeAction::ResumeReplay:
        return *target == SandboxNode::Replica;
    default:
        return true;
    }
}

NodeActionOutcome SandboxNodeController::perform(NodeAction action, const std::string& node)
{
    const std::string actionName(nodeActionName(action));
    if (!supports(action, node))
        throw NodeActionError(node, actionName, "the sandbox cannot do this on this node",
            action == NodeAction::TerminateBackends
                ? "terminate_backends is SQL: use the SQL controller (pg_terminate_backend)"
                : "the sandbox has a primary and a replica; pause_replay and resume_replay act on the replica");
    const SandboxNode target = *sandboxNode(node);

    const std::lock_guard lock(m_mutex);
    const auto started = std::chrono::steady_clock::now();
    NodeActionOutcome outcome;
    outcome.action = action;
    outcome.node = node;
    outcome.controller = describe();
    try {
        auto [what, output] = act(action, target);
        outcome.what = std::move(what);
        outcome.output = std::move(output);
    } catch (const NodeActionError&) {
        throw;
    } catch (const Error& error) {
        throw NodeActionError(node, actionName, error.what(), fixFor(action));
    }
    outcome.duration
        = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    m_log->info("sandbox {}: {} done in {} ms", node, actionName, outcome.duration.count());
    return outcome;
}

std::pair<std::string, std::string> SandboxNodeController::act(NodeAction action, SandboxNode node)
{
    const std::string dataDir = m_sandbox.dataDir(node).string();
    // A frozen postmaster never handles pg_ctl's shutdown signal: stopping a
    // node we froze wakes it first, or the stop would wait out its timeout.
    if ((action == NodeAction::Stop || action == NodeAction::StopImmediate || action == NodeAction::Restart
            || action == NodeAction::Rebuild)
        && m_frozen.erase(node) > 0) {
        thawServer(m_sandbox.dataDir(node));
        m_log->info("sandbox {} was frozen: thawed before {}", sandboxNodeName(node), nodeActionName(action));
    }
    switch (action) {
    case NodeAction::Stop:
        m_sandbox.stop(node, StopMode::Fast);
        return {"pg_ctl stop -m fast -D " + dataDir, {}};
    case NodeAction::StopImmediate:
        m_sandbox.stop(node, StopMode::Immediate);
        return {"pg_ctl stop -m immediate -D " + dataDir, {}};
    case NodeAction::Start:
        if (m_sandbox.isRunning(node)) {
            // Idempotent, like stop: a rollback "start the replica" after a
            // method that already brought it back must not fail (pg_ctl
            // start would, on the lock file). A node frozen here is thawed.
            const bool wasFrozen = m_frozen.erase(node) > 0;
            if (wasFrozen)
                thawServer(m_sandbox.dataDir(node));
            return {"pg_ctl status -D " + dataDir, wasFrozen ? "was running, frozen: thawed" : "already running"};
        }
        m_sandbox.start(node);
        m_frozen.erase(node);
        return {"pg_ctl start -w -D " + dataDir, fmt::format("accepts connections on port {}", m_sandbox.port(node))};
    case NodeAction::Restart:
        m_sandbox.restart(node);
        m_frozen.erase(node);
        return {"pg_ctl stop -m fast + pg_ctl start -w -D " + dataDir,
            fmt::format("accepts connections on port {}", m_sandbox.port(node))};
    case NodeAction::Kill: {
        const KilledServer killed = killServer(m_sandbox.dataDir(node), kKillGrace);
        m_frozen.erase(node);
        return {fmt::format("kill -KILL {} (postmaster of {})", killed.postmaster, dataDir),
            fmt::format("postmaster {} killed; its {} children were gone after {} ms{}", killed.postmaster,
                killed.children, killed.waited.count(),
                killed.childrenForced == 0
                    ? std::string()
                    : fmt::format(" ({} of them killed after {} ms)", killed.childrenForced, kKillGrace.count()))};
    }
    case NodeAction::Freeze: {
        const std::vector<pid_t> stopped = freezeServer(m_sandbox.dataDir(node));
        m_frozen.insert(node);
        return {fmt::format("kill -STOP {} (postmaster of {}) and its children", stopped.back(), dataDir),
            fmt::format("{} processes stopped", stopped.size())};
    }
    case NodeAction::Thaw: {
        const std::size_t woken = thawServer(m_sandbox.dataDir(node));
        m_frozen.erase(node);
        return {"kill -CONT <postmaster of " + dataDir + "> and its children",
            fmt::format("{} processes continued", woken)};
    }
    case NodeAction::Promote:
        m_sandbox.promote(node);
        return {"pg_ctl promote -w -D " + dataDir,
            fmt::format("the {} is a primary now (new timeline)", sandboxNodeName(node))};
    case NodeAction::Rebuild: {
        std::string how = m_sandbox.rebuildAsReplica(node);
        const SandboxNode source = node == SandboxNode::Primary ? SandboxNode::Replica : SandboxNode::Primary;
        return {std::move(how),
            fmt::format("the {} streams from the {} (port {})", sandboxNodeName(node), sandboxNodeName(source),
                m_sandbox.port(source))};
    }
    case NodeAction::PauseReplay:
        m_sandbox.pauseReplay();
        return {"SELECT pg_catalog.pg_wal_replay_pause()", "replay paused"};
    case NodeAction::ResumeReplay:
        m_sandbox.resumeReplay();
        return {"SELECT pg_catalog.pg_wal_replay_resume()", "replay resumed"};
    case NodeAction::TerminateBackends:
        break;
    }
    throw NodeActionError(std::string(sandboxNodeName(node)), std::string(nodeActionName(action)),
        "the sandbox cannot do this", "use the SQL controller");
}

} // namespace pulse
