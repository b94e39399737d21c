#pragma once
// What can act on a node of the topology: the sandbox's processes
// (SandboxNodeController), SQL functions that need no host access
// (SqlNodeController), commands an operator configured per node and action
// (ShellNodeController), or the first of those able to do it
// (CompositeNodeController).
//
// A controller only acts; whether an action is allowed at all (confirmation,
// DRILL_ALLOW_DESTRUCTIVE, a configured command) is NodeActionPolicy's call,
// made by the caller before perform().
//
// Thread contract: perform() blocks (processes, the network; each is bounded
// by the controller's own timeouts), so call it from a worker thread, never
// from a UI thread. Every implementation here may be called from several
// threads; calls on one node are not coordinated beyond that (a drill runs
// its steps one after another).

#include "topology/NodeAction.hpp"
#include "topology/NodeActionOutcome.hpp"

#include <string>

namespace pulse {

class NodeController {
public:
    virtual ~NodeController() = default;

    // One line for logs and journals: "sandbox in /tmp/...", "SQL on primary,
    // replica", "shell commands (3 configured)".
    virtual std::string describe() const = 0;
    // Whether perform(action, node) can be attempted here (it may still fail
    // at run time: a node that is down cannot pause replay). Never blocks.
    virtual bool supports(NodeAction action, const std::string& node) const = 0;
    // Does it and returns what was done once the action took effect (a stop
    // returns once the server is down, a pause once replay stopped, ...).
    // Throws NodeActionError naming the node, the action and a fix; also for
    // an action this controller does not support.
    virtual NodeActionOutcome perform(NodeAction action, const std::string& node) = 0;

protected:
    NodeController() = default;
    NodeController(const NodeController&) = default;
    NodeController& operator=(const NodeController&) = default;
};

} // namespace pulse
