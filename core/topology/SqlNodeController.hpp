#pragma once
// Node actions that are SQL functions, so they need no access to the host:
//   pause_replay       SELECT pg_wal_replay_pause() on a replica; returns once
//                      replay is actually paused (bounded wait)
//   resume_replay      SELECT pg_wal_replay_resume()
//   promote            SELECT pg_promote(true, 30): waits up to 30 s for the
//                      promotion to finish
//   terminate_backends pg_terminate_backend() of every session whose
//                      application_name starts with 'pulse/' (the engine's
//                      pools and monitor), except this controller's own;
//                      the outcome's `affected` says how many
// The role needs the right to call them (a superuser, or EXECUTE on the
// functions and membership of pg_signal_backend). Not here: the process
// actions (stop, kill, freeze, ...) and rebuild, which need the host (a
// rebuild replaces a data directory).
//
// Each action opens its own connection (so a broken one never lingers) and
// every statement has a client-side deadline: a frozen node makes the action
// fail with NodeActionError within the deadline instead of hanging.
//
// Thread-safe: nothing is shared between calls.

#include "pg/ConnectionParams.hpp"
#include "topology/NodeController.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace pulse {

class PgConnection;

class SqlNodeController final : public NodeController {
public:
    static constexpr std::chrono::milliseconds kDefaultStatementDeadline {10'000};
    static constexpr int kPromoteWaitSeconds = 30; // pg_promote's wait_seconds

    // One entry per node, named by ConnectionParams::nodeName() ("primary",
    // "replica", ...), e.g. Engine::connectionParams(settings, node, "nodectl").
    explicit SqlNodeController(
        std::vector<ConnectionParams> nodes, std::chrono::milliseconds statementDeadline = kDefaultStatementDeadline);

    std::string describe() const override;
    // pause_replay, resume_replay, promote, terminate_backends on a known node.
    // Whether the node is a replica is the server's answer, at perform().
    bool supports(NodeAction action, const std::string& node) const override;
    NodeActionOutcome perform(NodeAction action, const std::string& node) override;

private:
    const ConnectionParams* find(const std::string& node) const;
    std::unique_ptr<PgConnection> connect(const ConnectionParams& params, NodeAction action) const;

    std::vector<ConnectionParams> m_nodes;
    std::chrono::milliseconds m_deadline;
    std::shared_ptr<spdlog::logger> m_log;
};

} // namespace pulse
