#pragma once
// An immutable snapshot of the whole topology for the CLI and the UI: nodes,
// pools, flags, and a verdict first ("healthy", "degraded: ...").

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

    const NodeStatus* node(const std::string& name) const;
    const PoolStats* pool(const std::string& name) const;
    // Computes health and verdict from nodes and flags.
    void judge();
};

std::string healthName(Health health);

}  // namespace pulse
