#pragma once
// The controller a drill uses: several controllers asked in order, the first
// that supports an action on a node does it. forTopology() builds the usual
// chain: the sandbox's processes when the topology is the sandbox, then the
// configured shell commands, then SQL for the SQL-capable actions
// (pause_replay, resume_replay, promote, terminate_backends).
//
// Thread-safe when its controllers are (all of this module's are); the chain
// is fixed at construction.

#include "pg/ConnectionParams.hpp"
#include "topology/NodeController.hpp"

#include <memory>
#include <string>
#include <vector>

namespace pulse {

class Sandbox;
struct Settings;

class CompositeNodeController final : public NodeController {
public:
    explicit CompositeNodeController(std::vector<std::unique_ptr<NodeController>> controllers);

    // `sandbox`: the topology's sandbox, or nullptr when the topology is not
    // the sandbox (it must outlive the result). `sqlNodes`: connection
    // parameters per node for the SQL actions (empty: none).
    static std::unique_ptr<CompositeNodeController> forTopology(
        Sandbox* sandbox, const Settings& settings, std::vector<ConnectionParams> sqlNodes);

    std::string describe() const override; // the chain: "a, then b, then c"
    bool supports(NodeAction action, const std::string& node) const override;
    // Throws NodeActionError naming what would make the action possible when
    // no controller supports it.
    NodeActionOutcome perform(NodeAction action, const std::string& node) override;

    // The controller perform() would use; nullptr when none supports it.
    NodeController* choose(NodeAction action, const std::string& node) const;

private:
    std::vector<std::unique_ptr<NodeController>> m_controllers;
};

} // namespace pulse
