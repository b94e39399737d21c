#pragma once
// One probe of one node on the monitor's own connection: role, version,
// timeline, WAL positions, receiver state and replay pause in one round
// trip, plus pg_stat_replication (empty on a standby without cascading).
// Bounded by the deadline whatever the node does.
#include "monitor/NodeObservation.hpp"
#include "monitor/ProbeConnection.hpp"

namespace pulse {

class NodeProbe {
public:
    explicit NodeProbe(ConnectionParams params) : m_connection(std::move(params)) {}
    NodeObservation run(std::chrono::steady_clock::time_point deadline);
    const ConnectionParams& params() const { return m_connection.params(); }

private:
    ProbeConnection m_connection;
};

}  // namespace pulse
