#include "topology/CompositeNodeController.hpp"

#include "common/Errors.hpp"
#include "config/DrillCommandKey.hpp"
#include "config/Settings.hpp"
#include "topology/SandboxNodeController.hpp"
#include "topology/ShellNodeController.hpp"
#include "topology/SqlNodeController.hpp"

namespace pulse {

CompositeNodeController::CompositeNodeController(std::vector<std::unique_ptr<NodeController>> controllers)
    : m_controllers(std::move(controllers))
{
    std::erase(m_controllers, nullptr);
}

std::unique_ptr<CompositeNodeController> CompositeNodeController::forTopology(
    Sandbox* sandbox, const Settings& settings, std::vector<ConnectionParams> sqlNodes)
{
    std::vector<std::unique_ptr<NodeController>> chain;
    if (sandbox != nullptr)
        chain.push_back(std::make_unique<SandboxNodeController>(*sandbox));
    chain.push_back(std::make_unique<ShellNodeController>(settings));
    if (!sqlNodes.empty())
        chain.push_back(std::make_unique<SqlNodeController>(std::move(sqlNodes)));
    return std::make_unique<CompositeNodeController>(std::move(chain));
}

std::string CompositeNodeController::describe() const
{
    std::string text;
    for (const auto& controller : m_controllers)
        text += (text.empty() ? "" : ", then ") + controller->describe();
    return text.empty() ? "no node controller" : text;
}

NodeController* CompositeNodeController::choose(NodeAction action, const std::string& node) const
{
    for (const auto& controller : m_controllers) {
        if (controller->supports(action, node))
            return controller.get();
    }
    return nullptr;
}

bool CompositeNodeController::supports(NodeAction action, const std::string& node) const
{
    return choose(action, node) != nullptr;
}

NodeActionOutcome CompositeNodeController::perform(NodeAction action, const std::string& node)
{
    if (NodeController* controller = choose(action, node))
        return controller->perform(action, node);
    const bool sql = action == NodeAction::PauseReplay || action == NodeAction::ResumeReplay
        || action == NodeAction::Promote || action == NodeAction::TerminateBackends;
    // A rebuild needs the host (a data directory replaced): no SQL can do
    // it, and what the command must do is less obvious than for a stop.
    const char* rebuildHint = " (make the node a streaming replica of the current primary: pg_rewind or a fresh "
                              "pg_basebackup from it, standby.signal and primary_conninfo, then start it)";
    throw NodeActionError(node, std::string(nodeActionName(action)),
        "nothing here can do it (tried: " + describe() + ")",
        "set " + DrillCommandKey {action, node}.key() + " to the command that does it"
            + (sql ? ", or make the node reachable over SQL" : "")
            + (action == NodeAction::Rebuild ? rebuildHint : ""));
}

} // namespace pulse
