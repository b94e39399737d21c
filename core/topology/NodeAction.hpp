#pragma once
// What a drill can do to one node of the topology, and which of those things
// can lose data or availability (destructive) and so need an explicit
// confirmation, and on a real topology explicit configuration (see
// NodeActionPolicy).

#include <array>
#include <optional>
#include <string_view>

namespace pulse {

enum class NodeAction {
    Stop, // clean shutdown (fast mode)
    StopImmediate, // no checkpoint: the next start runs crash recovery
    Start,
    Restart,
    Kill, // SIGKILL of the postmaster: the crash case
    Freeze, // SIGSTOP: accepts TCP, answers nothing
    Thaw, // SIGCONT: undoes freeze
    Promote, // a replica becomes a primary (a new timeline)
    PauseReplay, // the replica receives WAL but stops applying it: lag grows
    ResumeReplay,
    TerminateBackends, // ends the application's sessions (application_name 'pulse/...')
    Rebuild, // the node's data is replaced: it becomes a streaming replica of the current primary
};

// Appended, never reordered: the order is the one of messages and listings.
inline constexpr std::array<NodeAction, 12> kAllNodeActions {NodeAction::Stop, NodeAction::StopImmediate,
    NodeAction::Start, NodeAction::Restart, NodeAction::Kill, NodeAction::Freeze, NodeAction::Thaw, NodeAction::Promote,
    NodeAction::PauseReplay, NodeAction::ResumeReplay, NodeAction::TerminateBackends, NodeAction::Rebuild};

// "stop", "stop_immediate", ...: drill files, journals, CLI output. The upper
// case form is the <ACTION> part of DRILL_COMMAND_<ACTION>_<NODE>.
constexpr std::string_view nodeActionName(NodeAction action) noexcept
{
    switch (action) {
    case NodeAction::Stop:
        return "stop";
    case NodeAction::StopImmediate:
        return "stop_immediate";
    case NodeAction::Start:
        return "start";
    case NodeAction::Restart:
        return "restart";
    case NodeAction::Kill:
        return "kill";
    case NodeAction::Freeze:
        return "freeze";
    case NodeAction::Thaw:
        return "thaw";
    case NodeAction::Promote:
        return "promote";
    case NodeAction::PauseReplay:
        return "pause_replay";
    case NodeAction::ResumeReplay:
        return "resume_replay";
    case NodeAction::TerminateBackends:
        return "terminate_backends";
    case NodeAction::Rebuild:
        return "rebuild";
    }
    return "stop";
}

// The action named `name` (lower case, exactly as nodeActionName() spells it).
constexpr std::optional<NodeAction> parseNodeAction(std::string_view name) noexcept
{
    for (const NodeAction action : kAllNodeActions) {
        if (nodeActionName(action) == name)
            return action;
    }
    return std::nullopt;
}

// Destructive: the node (or its role) is lost until someone acts, and a
// write in flight may be lost; rebuild throws away whatever the node had that
// the current primary has not (a split brain's writes). Not destructive: start and thaw only undo,
// replay pause/resume only delays the replica, and terminate_backends only
// ends sessions: the pools notice and the sessions reconnect, no data and no
// node is lost.
constexpr bool isDestructive(NodeAction action) noexcept
{
    switch (action) {
    case NodeAction::Stop:
    case NodeAction::StopImmediate:
    case NodeAction::Restart:
    case NodeAction::Kill:
    case NodeAction::Freeze:
    case NodeAction::Promote:
    case NodeAction::Rebuild:
        return true;
    case NodeAction::Start:
    case NodeAction::Thaw:
    case NodeAction::PauseReplay:
    case NodeAction::ResumeReplay:
    case NodeAction::TerminateBackends:
        return false;
    }
    return true;
}

} // namespace pulse
