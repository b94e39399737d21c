#include "loadtest/PhaseSampler.hpp"

#include "common/StopSleep.hpp"
#include "engine/Engine.hpp"
#include "workload/LatencySamples.hpp"

#include <algorithm>

namespace pulse {
PhaseSampler::PhaseSampler(Engine& engine, std::chrono::milliseconds poolInterval)
    : m_engine(engine), m_poolInterval(poolInterval)
{
    for (const auto& replica : engine.settings().replicas()) {
        m_replicaOrder.push_back(replica.name);
        m_lag[replica.name];
    }
}

PhaseSampler::~PhaseSampler()
{
    stop();
}

void PhaseSampler::start()
{
    if (m_thread.joinable())
        return;
    {
        // The last status before the phase is not part of it.
        std::lock_guard lock(m_mutex);
        if (const auto status = m_engine.latestStatus())
            m_lastCycle = status->cycle;
    }
    samplePools();
    m_thread = std::jthread([this](std::stop_token stop) {
        auto nextPools = std::chrono::steady_clock::now() + m_poolInterval;
        while (sleepUnlessStopped(kStatusPoll, stop)) {
            sampleLag();
            if (std::chrono::steady_clock::now() >= nextPools) {
                nextPools += m_poolInterval;
                samplePools();
            }
        }
    });
}

void PhaseSampler::stop()
{
    if (!m_thread.joinable())
        return;
    m_thread.request_stop();
    m_thread.join();
    // The state at the end belongs to the phase too.
    samplePools();
    sampleLag();
}

void PhaseSampler::samplePools()
{
    const auto pools = m_engine.poolStats();  // copies under each pool's lock; no network
    std::lock_guard lock(m_mutex);
    for (const auto& p : pools) {
        auto [it, inserted] = m_pools.try_emplace(p.name);
        auto& s = it->second;
        if (inserted) {
            m_poolOrder.push_back(p.name);
            s.timeoutsAtStart = p.timeouts;
        }
        s.capacity = p.capacity();
        ++s.samples;
        s.sumPercent += p.utilisationPercent;
        s.peakPercent = std::max(s.peakPercent, p.utilisationPercent);
        s.peakCheckedOut = std::max(s.peakCheckedOut, p.checkedOut);
        s.peakWaiters = std::max(s.peakWaiters, p.waiters);
        s.timeoutsNow = p.timeouts;
    }
}

void PhaseSampler::sampleLag()
{
    const auto status = m_engine.latestStatus();
    std::lock_guard lock(m_mutex);
    if (!status || status->cycle == m_lastCycle)
        return;  // lag changes only with a monitor cycle: one sample per cycle
    m_lastCycle = status->cycle;
    for (const NodeStatus* node : status->replicas()) {
        const auto it = m_lag.find(node->name);
        if (it == m_lag.end())
            continue;  // not a configured replica
        auto& s = it->second;
        const auto& r = node->replication;
        if (!r || !r->lagSeconds || !r->lagBytes) {
            ++s.unknown;
            continue;
        }
        s.seconds.push_back(*r->lagSeconds);
        s.bytes.push_back(*r->lagBytes);
    }
}

std::vector<PoolUsage> PhaseSampler::pools() const
{
    std::lock_guard lock(m_mutex);
    std::vector<PoolUsage> out;
    for (const auto& name : m_poolOrder) {
        const auto& s = m_pools.at(name);
        PoolUsage u;
        u.pool = name;
        u.capacity = s.capacity;
        u.peakPercent = s.peakPercent;
        u.meanPercent = s.samples ? s.sumPercent / static_cast<double>(s.samples) : 0.0;
        u.peakCheckedOut = s.peakCheckedOut;
        u.peakWaiters = s.peakWaiters;
        u.timeouts = s.timeoutsNow - s.timeoutsAtStart;
        out.push_back(u);
    }
    return out;
}

std::vector<LagUsage> PhaseSampler::lag() const
{
    std::lock_guard lock(m_mutex);
    std::vector<LagUsage> out;
    for (const auto& name : m_replicaOrder) {
        const auto& s = m_lag.at(name);
        LagUsage u;
        u.replica = name;
        u.samples = s.seconds.size() + s.unknown;
        u.unknownSamples = s.unknown;
        if (!s.seconds.empty()) {
            // The same nearest-rank quantiles as the dashboard latencies.
            const auto seconds = LatencySamples::summarize(s.seconds);
            const auto bytes = LatencySamples::summarize(std::vector<double>(s.bytes.begin(), s.bytes.end()));
            u.maxSeconds = seconds.maxSeconds;
            u.p95Seconds = seconds.p95Seconds;
            u.maxBytes = static_cast<std::int64_t>(bytes.maxSeconds);
            u.p95Bytes = static_cast<std::int64_t>(bytes.p95Seconds);
        }
        out.push_back(u);
    }
    return out;
}

}  // namespace pulse
