#pragma once
// Samples what the load test judges while a phase runs, on its own thread:
// every pool's utilisation every 100 ms (a peak between two monitor cycles
// must not be missed), and each configured replica's lag once per monitor
// cycle from the engine's published status (the monitor must be running).
// The status is looked at every 20 ms: cycles are at least 50 ms apart
// (MONITOR_INTERVAL_MS), so none is overwritten unseen. A replica with no
// sample at all is still listed (samples 0): "not measured" is not "no lag".

#include "loadtest/LoadTestReport.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace pulse {

class Engine;

class PhaseSampler {
public:
    explicit PhaseSampler(Engine& engine, std::chrono::milliseconds poolInterval = std::chrono::milliseconds(100));
    ~PhaseSampler();  // stop()
    PhaseSampler(const PhaseSampler&) = delete;
    PhaseSampler& operator=(const PhaseSampler&) = delete;

    void start();
    void stop();
    std::vector<PoolUsage> pools() const;
    std::vector<LagUsage> lag() const;

private:
    struct PoolSamples {
        int capacity = 0;
        std::uint64_t samples = 0;
        double sumPercent = 0;
        double peakPercent = 0;
        int peakCheckedOut = 0;
        int peakWaiters = 0;
        std::uint64_t timeoutsAtStart = 0;
        std::uint64_t timeoutsNow = 0;
    };
    struct LagSamples {
        std::uint64_t unknown = 0;
        std::vector<double> seconds;
        std::vector<std::int64_t> bytes;
    };

    void samplePools();
    void sampleLag();

    static constexpr std::chrono::milliseconds kStatusPoll{20};

    Engine& m_engine;
    const std::chrono::milliseconds m_poolInterval;
    mutable std::mutex m_mutex;
    std::map<std::string, PoolSamples> m_pools;
    std::vector<std::string> m_poolOrder;
    std::map<std::string, LagSamples> m_lag;
    std::vector<std::string> m_replicaOrder;
    std::uint64_t m_lastCycle = 0;
    std::jthread m_thread;
};

}  // namespace pulse
