#include "engine/TopologyStatus.hpp"

namespace pulse {

std::string healthName(Health health)
{
    switch (health) {
    case Health::Healthy: return "healthy";
    case Health::Degraded: return "degraded";
    case Health::Down: return "down";
    }
    return "down";
}

const NodeStatus* TopologyStatus::node(const std::string& name) const
{
    for (const auto& n : nodes)
        if (n.name == name)
            return &n;
    return nullptr;
}

const PoolStats* TopologyStatus::pool(const std::string& name) const
{
    for (const auto& p : pools)
        if (p.name == name)
            return &p;
    return nullptr;
}

void TopologyStatus::judge()
{
    // Health and detail are decided together; the one-line verdict is
    // composed from them, so no reader has to take the string apart again.
    auto set = [this](Health h, std::string text) {
        health = h;
        detail = std::move(text);
        verdict = healthName(h) + ": " + detail;
    };
    const NodeStatus* primary = node("primary");
    const NodeStatus* replica = node("replica");
    if (!primary || !primary->reachable) {
        set(Health::Down, "primary unreachable" + (primary && !primary->error.empty() ? " (" + primary->error + ")" : ""));
        return;
    }
    if (primary->inRecovery) {
        set(Health::Degraded, "the primary is in recovery (read-only); writes will fail");
        return;
    }
    if (!replica || !replica->configured) {
        set(Health::Healthy, "single database (no replica configured)");
        return;
    }
    if (!replica->reachable) {
        set(Health::Degraded, flags.replicaFallbackEnabled ? "replica unreachable; reads fall back to the primary"
                                                           : "replica unreachable and fallback is off; replica reads fail");
        return;
    }
    if (!replica->inRecovery) {
        set(Health::Degraded, "the replica is not in recovery (promoted?); it no longer follows the primary");
        return;
    }
    if (replica->walReceiverStatus != "streaming") {
        set(Health::Degraded, "replica is not streaming from the primary (wal receiver: " +
                                  (replica->walReceiverStatus.empty() ? std::string("none") : replica->walReceiverStatus) +
                                  ")");
        return;
    }
    set(Health::Healthy, flags.useReadReplica ? "primary + replica streaming; reads on the replica"
                                              : "primary + replica streaming; single-database mode (USE_READ_REPLICA off)");
}

}  // namespace pulse
