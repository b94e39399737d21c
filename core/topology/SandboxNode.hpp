#pragma once
// The two servers of a sandbox topology. Named by their role at creation:
// after Sandbox::promoteReplica() the Replica node is a primary too, but it
// keeps its name (and its data directory).

#include <string_view>

namespace pulse {

// Unscoped on purpose (the published API); write SandboxNode::Primary.
enum SandboxNode { Primary, Replica };

// "primary" / "replica": for logs, messages, file and directory names.
constexpr std::string_view sandboxNodeName(SandboxNode node) noexcept
{
    return node == SandboxNode::Primary ? "primary" : "replica";
}

} // namespace pulse
