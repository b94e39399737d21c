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
    const NodeStatus* primary = node("primary");
    const NodeStatus* replica = node("replica");
    if (!primary || !primary->reachable) {
        health = Health::Down;
        verdict = "down: primary unreachable" + (primary && !primary->error.empty() ? " (" + primary->error + ")" : "");
        return;
    }
    if (primary->inRecovery) {
        health = Health::Degraded;
        verdict = "degraded: the primary is in recovery (read-only); writes will fail";
        return;
    }
    if (!replica || !replica->configured) {
        health = Health::Healthy;
        verdict = "healthy: single database (no replica configured)";
        return;
    }
    if (!replica->reachable) {
        health = Health::Degraded;
        verdict = flags.replicaFallbackEnabled ? "degraded: replica unreachable; reads fall back to the primary"
                                               : "degraded: replica unreachable and fallback is off; replica reads fail";
        return;
    }
    if (!replica->inRecovery) {
        health = Health::Degraded;
        verdict = "degraded: the replica is not in recovery (promoted?); it no longer follows the primary";
        return;
    }
    if (replica->walReceiverStatus != "streaming") {
        health = Health::Degraded;
        verdict = "degraded: replica is not streaming from the primary (wal receiver: " +
                  (replica->walReceiverStatus.empty() ? std::string("none") : replica->walReceiverStatus) + ")";
        return;
    }
    health = Health::Healthy;
    verdict = flags.useReadReplica ? "healthy: primary + replica streaming; reads on the replica"
                                   : "healthy: primary + replica streaming; single-database mode (USE_READ_REPLICA off)";
}

}  // namespace pulse
