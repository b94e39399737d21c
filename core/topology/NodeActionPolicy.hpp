#pragma once
// Whether a node action may run at all, before any controller acts:
// - a non-destructive action (start, thaw, resume_replay) is allowed
//   anywhere; pause_replay and terminate_backends too on the sandbox, but on
//   a real topology an application feels them (its sessions end, a replica
//   falls behind), so there they need the confirmation;
// - a destructive one (stop, stop_immediate, restart, kill, freeze, promote,
//   rebuild) needs the caller's explicit confirmation (pulsectl's --yes, a
//   dialog in the console), and on a topology that is not the sandbox also
//   DRILL_ALLOW_DESTRUCTIVE=true and a DRILL_COMMAND_<ACTION>_<NODE> for that
//   node and action: the operator wrote down what "stop the replica" means
//   in their environment, nothing is guessed.
// A refusal names every missing flag or setting, so one fix is enough.
//
// Immutable after construction; thread-safe.

#include "config/DrillCommandKey.hpp"
#include "topology/NodeAction.hpp"

#include <set>
#include <string>
#include <vector>

namespace pulse {

struct Settings;

struct NodeActionDecision {
    bool allowed = true;
    // What is missing, in the order to fix: "--yes", "DRILL_ALLOW_DESTRUCTIVE=true",
    // "DRILL_COMMAND_KILL_REPLICA". Empty when allowed.
    std::vector<std::string> missing;
    std::string reason; // the refusal, one sentence; empty when allowed
    std::string fix; // how to get past it; empty when allowed
};

class NodeActionPolicy {
public:
    // `configured`: the actions and nodes with a shell command.
    // `confirmationFlag`: how the caller's confirmation is spelled in messages.
    NodeActionPolicy(bool sandboxTopology, bool allowDestructive, std::set<DrillCommandKey> configured,
        std::string confirmationFlag = "--yes");
    // DRILL_ALLOW_DESTRUCTIVE and the non-empty DRILL_COMMAND_* of `settings`.
    static NodeActionPolicy fromSettings(const Settings& settings, bool sandboxTopology);

    NodeActionDecision decide(NodeAction action, const std::string& node, bool confirmed) const;
    // decide(), and NodeActionError(node, action, reason, fix) when refused.
    void enforce(NodeAction action, const std::string& node, bool confirmed) const;

    bool sandboxTopology() const { return m_sandbox; }

private:
    bool m_sandbox;
    bool m_allowDestructive;
    std::set<DrillCommandKey> m_configured;
    std::string m_confirmationFlag;
};

} // namespace pulse
