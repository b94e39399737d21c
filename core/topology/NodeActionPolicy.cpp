#include "topology/NodeActionPolicy.hpp"

#include "common/Errors.hpp"
#include "config/Settings.hpp"

namespace pulse {

NodeActionPolicy::NodeActionPolicy(
    bool sandboxTopology, bool allowDestructive, std::set<DrillCommandKey> configured, std::string confirmationFlag)
    : m_sandbox(sandboxTopology)
    , m_allowDestructive(allowDestructive)
    , m_configured(std::move(configured))
    , m_confirmationFlag(std::move(confirmationFlag))
{ }

NodeActionPolicy NodeActionPolicy::fromSettings(const Settings& settings, bool sandboxTopology)
{
    std::set<DrillCommandKey> configured;
    for (const auto& [key, command] : settings.drillCommands) {
        if (!command.empty())
            configured.insert(key);
    }
    return NodeActionPolicy(sandboxTopology, settings.drillAllowDestructive, std::move(configured));
}

NodeActionDecision NodeActionPolicy::decide(NodeAction action, const std::string& node, bool confirmed) const
{
    NodeActionDecision decision;
    if (!isDestructive(action)) {
        // Not destructive, but on a real topology felt by a real application:
        // its sessions end (terminate_backends), or a replica falls behind
        // without bound if the drill dies before resuming (pause_replay).
        // Confirmed there like a destructive action; free on the sandbox.
        const bool felt = action == NodeAction::PauseReplay || action == NodeAction::TerminateBackends;
        if (!felt || m_sandbox || confirmed)
            return decision;
        const std::string actionName(nodeActionName(action));
        decision.allowed = false;
        decision.missing.push_back(m_confirmationFlag);
        decision.reason = "refused: " + actionName +
                          " affects the application on a topology that is not the sandbox (missing: " +
                          m_confirmationFlag + ")";
        decision.fix = "confirm with " + m_confirmationFlag;
        return decision;
    }

    const DrillCommandKey key {action, node};
    std::vector<std::string> fixes;
    if (!confirmed) {
        decision.missing.push_back(m_confirmationFlag);
        fixes.push_back("confirm with " + m_confirmationFlag);
    }
    if (!m_sandbox) {
        if (!m_allowDestructive) {
            decision.missing.push_back("DRILL_ALLOW_DESTRUCTIVE=true");
            fixes.push_back("set DRILL_ALLOW_DESTRUCTIVE=true");
        }
        if (!m_configured.contains(key)) {
            decision.missing.push_back(key.key());
            fixes.push_back("set " + key.key() + " to the command that does it in your environment");
        }
    }
    if (decision.missing.empty())
        return decision;

    decision.allowed = false;
    const std::string actionName(nodeActionName(action));
    std::string missing;
    for (const auto& item : decision.missing)
        missing += (missing.empty() ? "" : ", ") + item;
    decision.reason = m_sandbox
        ? "refused: " + actionName + " is destructive and was not confirmed (missing: " + missing + ")"
        : "refused: " + actionName + " is destructive and the topology is not the sandbox (missing: " + missing + ")";
    for (const auto& fix : fixes)
        decision.fix += (decision.fix.empty() ? "" : "; ") + fix;
    return decision;
}

void NodeActionPolicy::enforce(NodeAction action, const std::string& node, bool confirmed) const
{
    const NodeActionDecision decision = decide(action, node, confirmed);
    if (!decision.allowed)
        throw NodeActionError(node, std::string(nodeActionName(action)), decision.reason, decision.fix);
}

} // namespace pulse
