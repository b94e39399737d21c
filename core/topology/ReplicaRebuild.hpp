#pragma once
// The steps of Sandbox::rebuildAsReplica(): one node becomes a streaming
// standby of the other (the source, which must be a running primary),
// whatever it was before: a killed or cleanly stopped former primary, the
// losing side of a split brain, or a healthy standby.
//
//  1. the source runs and is not in recovery (else SandboxError naming it);
//  2. the node is stopped: fast, immediate when fast fails. A frozen node is
//     the caller's to thaw first (SandboxNodeController does);
//  3. on the source: the passfile names both ports, a CHECKPOINT (pg_rewind
//     reads the source's timeline from its pg_control, which a promotion
//     updates only at its first checkpoint), the slot "pulse_replica"
//     (slots are not replicated: a promoted replica has none);
//  4. pg_rewind from the source over the private socket. It refuses while
//     the source runs with full_page_writes = off, which the sandbox does
//     for write speed (SandboxBuilder says why); then, or when the rewound
//     node does not come up streaming, a fresh base backup replaces the
//     data directory (emptied as the server account, never as root);
//  5. the standby configuration (StandbyConfig), start, and a bounded wait
//     until the source lists the node as streaming; a slot the node kept
//     from its time as a primary is dropped (it would hold WAL forever).
//
// Every wait is bounded; every error quotes the server logs and names a fix.
// Not thread-safe, like Sandbox.

#include "topology/SandboxNode.hpp"
#include "topology/SandboxState.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace spdlog {
class logger;
}

namespace pulse {

class ReplicaRebuild {
public:
    // Keeps a reference: `state` must outlive this object.
    ReplicaRebuild(detail::SandboxState& state, SandboxNode node);

    // Does it; returns how, one line: "pg_rewind from replica (port N)" or
    // "fresh base backup from replica (port N): pg_rewind refused: <why>".
    // Throws SandboxError.
    std::string run();

private:
    void checkSource() const;
    void stopNode() const;
    void prepareSource() const;
    // std::nullopt when pg_rewind succeeded, else why not (one line).
    std::optional<std::string> rewind() const;
    void freshBaseBackup() const;
    void emptyDataDir() const;
    // Standby configuration, start, wait until the source streams to the node.
    void startAsStandby(std::chrono::milliseconds streamingTimeout) const;
    void dropStaleSlot() const;

    detail::SandboxState& m_state;
    SandboxNode m_node;
    SandboxNode m_source;
    std::shared_ptr<spdlog::logger> m_log;
};

} // namespace pulse
