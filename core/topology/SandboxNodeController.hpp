#pragma once
// Node actions on a sandbox topology (Sandbox.hpp), through its processes:
//   stop            pg_ctl stop -m fast
//   stop_immediate  pg_ctl stop -m immediate (the next start runs crash recovery)
//   start, restart  pg_ctl start (-w, then waits for TCP) / stop fast + start
//   kill            SIGKILL to the postmaster; its children exit on their own
//                   (checked, and killed if they do not); start() recovers it
//   freeze, thaw    SIGSTOP / SIGCONT to the postmaster and every child
//   promote         pg_ctl promote on either node, if it is in recovery
//   rebuild         Sandbox::rebuildAsReplica(): the node becomes a streaming
//                   replica of the other (the current primary); the outcome's
//                   `what` says how (pg_rewind, or a fresh base backup and why)
//   pause_replay, resume_replay   on the replica (pause returns once paused)
// Nodes: "primary" and "replica", the physical nodes: after a failover the
// "replica" is the primary until a switchover back. terminate_backends is not
// done here (it is SQL: SqlNodeController). Stopping, restarting or
// rebuilding a node this controller froze thaws it first (a stopped
// postmaster would never see pg_ctl's signal).
//
// Works as root (the servers then run as `postgres`; root may signal them)
// and as a normal user (they run as ourselves).
//
// Thread-safe: calls are serialised (Sandbox is not thread-safe). The
// Sandbox must outlive this object. A node this controller froze and did
// not thaw is thawed by its destructor, so an aborted drill never leaves a
// server stopped behind it.

#include "topology/NodeController.hpp"
#include "topology/SandboxNode.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace spdlog {
class logger;
}

namespace pulse {

class Sandbox;

class SandboxNodeController final : public NodeController {
public:
    explicit SandboxNodeController(Sandbox& sandbox);
    ~SandboxNodeController() override;
    SandboxNodeController(const SandboxNodeController&) = delete;
    SandboxNodeController& operator=(const SandboxNodeController&) = delete;

    std::string describe() const override;
    bool supports(NodeAction action, const std::string& node) const override;
    NodeActionOutcome perform(NodeAction action, const std::string& node) override;

    // "primary" -> Primary, "replica" -> Replica; std::nullopt otherwise.
    static std::optional<SandboxNode> sandboxNode(const std::string& node);

private:
    // Does the action; returns what was done and its output.
    std::pair<std::string, std::string> act(NodeAction action, SandboxNode node);

    Sandbox& m_sandbox;
    std::mutex m_mutex;
    std::set<SandboxNode> m_frozen; // frozen by us and not thawed yet
    std::shared_ptr<spdlog::logger> m_log;
};

} // namespace pulse
