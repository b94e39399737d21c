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
    if (!isDestructive(action))
        return decision;

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
