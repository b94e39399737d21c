#include "engine/TopologyStatus.hpp"

#include "health/LagFormat.hpp"

#include <algorithm>

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

std::vector<const NodeStatus*> TopologyStatus::replicas() const
{
    std::vector<const NodeStatus*> out;
    for (const auto& n : nodes)
        if (n.isReplica() && n.configured)
            out.push_back(&n);
    return out;
}

namespace {

// What is wrong with one replica, in words; empty when it serves reads normally.
std::string replicaProblem(const NodeStatus& r, const FlagValues& flags)
{
    const std::string fallback = flags.replicaFallbackEnabled ? "reads fall back to the primary"
                                                              : "fallback is off; its reads fail";
    if (!r.reachable)
        return r.name + " down; " + fallback;
    if (!r.inRecovery)
        return r.name + " is not in recovery (promoted?); it no longer follows the primary";
    if (r.replication) {
        const auto& a = *r.replication;
        switch (a.state) {
        case ReplicaState::Disconnected:
            return r.name + " disconnected from the primary (" + a.detail + ")";
        case ReplicaState::ReplayPaused:
            return r.name + " replay paused" + (a.detail.empty() ? "" : " (" + a.detail + ")");
        case ReplicaState::ReplayStalled:
            return r.name + " replay stalled" + (a.detail.empty() ? "" : " (" + a.detail + ")");
        default:
            break;
        }
    } else if (r.walReceiverStatus != "streaming") {
        return r.name + " is not streaming from the primary (wal receiver: " +
               (r.walReceiverStatus.empty() ? std::string("none") : r.walReceiverStatus) + ")";
    }
    if (!r.lagAdmitted)
        return r.name + " " + (r.lagReason.empty() ? std::string("lagging") : r.lagReason) + "; reads on the primary";
    if (r.breaker.state != BreakerState::Closed)
        return r.name + " breaker " + breakerStateName(r.breaker.state) + "; " + fallback;
    return {};
}

}  // namespace

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
    if (!primary || !primary->reachable) {
        set(Health::Down, "primary unreachable" + (primary && !primary->error.empty() ? " (" + primary->error + ")" : ""));
        return;
    }
    if (primary->inRecovery) {
        set(Health::Degraded, "the primary is in recovery (read-only); writes will fail");
        return;
    }
    const auto replicaNodes = replicas();
    if (replicaNodes.empty()) {
        set(Health::Healthy, "single database (no replica configured)");
        return;
    }
    std::string problems;
    for (const NodeStatus* r : replicaNodes) {
        const std::string problem = replicaProblem(*r, flags);
        if (!problem.empty())
            problems += (problems.empty() ? "" : "; ") + problem;
    }
    if (!problems.empty()) {
        set(Health::Degraded, problems);
        return;
    }
    // Lagging but still admitted: healthy, and say how far behind.
    double worst = 0;
    for (const NodeStatus* r : replicaNodes)
        if (r->replication && r->replication->lagSeconds)
            worst = std::max(worst, *r->replication->lagSeconds);
    const std::string streaming = replicaNodes.size() == 1 ? "primary + replica streaming"
                                                           : "primary + " + std::to_string(replicaNodes.size()) +
                                                                 " replicas streaming";
    const std::string lag = worst >= 1 ? " (lag " + formatLagSeconds(worst) + ")" : "";
    set(Health::Healthy, flags.useReadReplica ? streaming + lag + "; reads on the replica" +
                                                    (replicaNodes.size() == 1 ? "" : "s")
                                              : streaming + lag + "; single-database mode (USE_READ_REPLICA off)");
}

}  // namespace pulse
