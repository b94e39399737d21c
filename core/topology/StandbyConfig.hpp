#pragma once
// What makes a sandbox data directory a streaming standby of the other node,
// written by the sandbox itself rather than left to pg_basebackup -R or
// pg_rewind -R: both copy the source's postgresql.conf and
// postgresql.auto.conf, which carry the source's port and, when the source
// was a standby once, its old primary_conninfo. So every setting that differs
// between the two nodes is written here, for one node, in one place:
//   postgresql.conf       a closing block, replaced on every write (the last
//                         setting wins): port, primary_conninfo, primary_slot_name
//   postgresql.auto.conf  the same keys removed: it is read last and would win
//   standby.signal
// primary_conninfo connects as the replication role over TCP to 127.0.0.1
// with the sandbox's passfile, and with application_name = the node's name,
// so the upstream's pg_stat_replication says which node streams from it.

#include "topology/SandboxNode.hpp"
#include "topology/SandboxState.hpp"

namespace pulse {

class StandbyConfig {
public:
    // Keeps a reference: `state` must outlive this object.
    explicit StandbyConfig(const detail::SandboxState& state);

    // replicator.pgpass (mode 600, the server account's) with a line for
    // each node's port, from the current state: after a failover either node
    // is the upstream. Throws SandboxError.
    void writePassfile() const;
    // Makes the data directory of `node` (stopped) a standby of `upstream`.
    // Throws SandboxError.
    void write(SandboxNode node, SandboxNode upstream) const;

private:
    const detail::SandboxState& m_state;
};

} // namespace pulse
