#pragma once
// Node actions on a real topology through commands an operator configured,
// one per action and node (DRILL_COMMAND_<ACTION>_<NODE>, e.g.
// DRILL_COMMAND_STOP_REPLICA="docker compose -f docker-compose.db.yml stop
// postgres-replica"). Each runs as `/bin/sh -c <command>` in its own process
// group, with PULSE_DRILL_ACTION and PULSE_DRILL_NODE in its environment,
// bounded by DRILL_COMMAND_TIMEOUT_SECONDS (then the whole group is killed);
// the last kMaxOutputBytes of stdout and of stderr are kept.
//
// Exit 0 is success; anything else throws NodeActionError with the exit code
// (or the signal, or the timeout) and the tail of stderr. Commands are logged
// and reported as written, except what follows "password=" (any case) or the
// password of a URL: maskCommandSecrets().
//
// Thread-safe: the command table is fixed at construction.

#include "config/DrillCommandKey.hpp"
#include "topology/NodeController.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace pulse {

struct Settings;

class ShellNodeController final : public NodeController {
public:
    static constexpr std::size_t kMaxOutputBytes = 64 * 1024;
    static constexpr std::size_t kErrorTailChars = 2000; // of stderr, in an error message

    ShellNodeController(std::map<DrillCommandKey, std::string> commands, std::chrono::milliseconds timeout);
    // Settings::drillCommands and DRILL_COMMAND_TIMEOUT_SECONDS.
    explicit ShellNodeController(const Settings& settings);

    std::string describe() const override;
    // A non-empty command is configured for this action and node.
    bool supports(NodeAction action, const std::string& node) const override;
    NodeActionOutcome perform(NodeAction action, const std::string& node) override;

private:
    std::map<DrillCommandKey, std::string> m_commands;
    std::chrono::milliseconds m_timeout;
    std::shared_ptr<spdlog::logger> m_log;
};

} // namespace pulse
