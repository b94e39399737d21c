#pragma once
// An immutable snapshot of the whole topology for the CLI and the UI: nodes,
// pools, flags, and a verdict first ("healthy", "degraded: ...").

#include "alerts/Alert.hpp"
#include "engine/NodeStatus.hpp"
#include "pool/PoolStats.hpp"
#include "routing/FeatureFlags.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

enum class Health { Healthy, Degraded, Down };

struct TopologyStatus {
    std::chrono::system_clock::time_point time;
    std::vector<NodeStatus> nodes;   // primary first
    std::vector<PoolStats> pools;    // same order as nodes (configured ones)
    FlagValues flags;
    Health health = Health::Down;
    std::string verdict;             // one line a person reads first: "<health>: <detail>"
    std::string detail;              // the verdict without its health word
    std::vector<Alert> alerts;       // active alerts, most severe first
    std::uint64_t cycle = 0;         // monitor cycle number (0: a one-off probe)
    double cycleMs = 0;              // how long the monitor cycle took

    const NodeStatus* node(const std::string& name) const;
    std::vector<const NodeStatus*> replicas() const;
    const PoolStats* pool(const std::string& name) const;
    // Computes health and verdict from nodes and flags.
    void judge();
};

std::string healthName(Health health);

}  // namespace pulse
