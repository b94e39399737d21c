#pragma once
// What the router consults about each node before it leases: the node's
// circuit breaker and, for replicas, the lag gate and the replay position the
// monitor saw last. The monitor writes it every cycle; pool and query errors
// feed the breakers too. Reads on the hot path are atomic loads.
#include "health/CircuitBreaker.hpp"
#include "health/LagGate.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pulse {

struct NodeHealth {
    NodeHealth(std::string nodeName, BreakerConfig breakerConfig, LagLimits limits)
        : name(std::move(nodeName)), breaker(name, breakerConfig), lagGate(limits)
    {
    }
    const std::string name;
    CircuitBreaker breaker;
    LagGate lagGate;                              // replicas only
    std::atomic<std::uint64_t> replayLsn{0};      // replicas: last replay LSN seen (0: unknown)
    std::atomic<std::int64_t> lagBytes{-1};       // replicas: -1 unknown
};

class HealthBoard {
public:
    // nodes: the primary first, then the replicas, by name.
    HealthBoard(const std::vector<std::string>& nodes, BreakerConfig breaker, LagLimits limits);
    NodeHealth* find(std::string_view name);  // nullptr when unknown
    const NodeHealth* find(std::string_view name) const;
    std::vector<const NodeHealth*> all() const;
    // Forgets every verdict about the node, as when the board was built: the
    // breaker closes, the lag gate admits, replay position and lag become
    // unknown. For when the name now stands for another server
    // (Engine::repoint): the old verdicts were about the old one. The monitor's
    // next cycle judges the new server. Returns false when the name is unknown.
    bool reset(std::string_view name);
    // The lag limits of every node's gate (all nodes share one set). A
    // change applies at each gate's next monitor observation (LagGate::setLimits).
    void setLagLimits(LagLimits limits);
    LagLimits lagLimits() const;
    // Set while a HealthMonitor feeds the board. Without one, nothing would
    // ever probe an open breaker, so the router lets a half-open breaker's
    // node take one checkout as the trial instead.
    void setMonitored(bool monitored) { m_monitored.store(monitored, std::memory_order_release); }
    bool monitored() const { return m_monitored.load(std::memory_order_acquire); }

private:
    std::vector<std::unique_ptr<NodeHealth>> m_nodes;  // never resized after construction
    std::atomic<bool> m_monitored{false};
    mutable std::mutex m_limitsMutex;  // one setLagLimits() at a time, so the gates never disagree for long
    LagLimits m_lagLimits;              // guarded by m_limitsMutex
};

}  // namespace pulse
