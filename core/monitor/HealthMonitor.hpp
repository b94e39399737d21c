#pragma once
// The health monitor: every MONITOR_INTERVAL_MS, on its own thread and its
// own connections (never the application pools: an exhausted pool must not
// blind it), probes every node in parallel, each bounded by
// MONITOR_PROBE_TIMEOUT_MS, and then
//   - turns replica observations into a state and a lag (ReplicaStateTracker),
//   - feeds the breakers and lag gates the router consults (HealthBoard),
//   - evaluates the alert rules (AlertEngine),
//   - samples the chart series once per second (SeriesStore),
//   - publishes an immutable TopologyStatus for the CLI and the UI.
//
// Thread contract: runCycle() and retarget() may be called from any thread
// (cycles and retargets are serialised); latest() is cheap and never blocks
// on the network.
#include "alerts/AlertEngine.hpp"
#include "engine/TopologyStatus.hpp"
#include "health/ReplicaStateTracker.hpp"
#include "metrics/QueryMetrics.hpp"
#include "metrics/SeriesStore.hpp"
#include "monitor/ProbeWorker.hpp"
#include "pool/PoolStats.hpp"
#include "routing/HealthBoard.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace pulse {

struct MonitorConfig {
    std::chrono::milliseconds interval{500};
    std::chrono::milliseconds probeTimeout{400};
    std::chrono::milliseconds stallAfter{3000};  // replay LSN frozen this long with WAL waiting: stalled
};

struct MonitorStats {
    std::uint64_t cycles = 0;
    double lastCycleMs = 0;     // wall time of the last cycle
    double lastCycleCpuMs = 0;  // CPU of the last cycle: monitor thread + probe workers
    double totalCpuMs = 0;
};

class HealthMonitor {
public:
    struct Wiring {
        std::shared_ptr<HealthBoard> board;                       // required
        std::shared_ptr<AlertEngine> alerts;                      // optional
        std::shared_ptr<SeriesStore> series;                      // optional
        std::shared_ptr<QueryMetrics> metrics;                    // optional
        std::function<std::vector<PoolStats>()> pools;            // optional
        std::function<FlagValues()> flags;                        // optional
    };
    // nodes: the primary first, then the replicas; names as in the board.
    HealthMonitor(MonitorConfig config, std::vector<ConnectionParams> nodes, Wiring wiring);
    ~HealthMonitor();
    HealthMonitor(const HealthMonitor&) = delete;
    HealthMonitor& operator=(const HealthMonitor&) = delete;

    // One cycle now, on the calling thread (probes still run in parallel).
    std::shared_ptr<const TopologyStatus> runCycle();

    // Points the probes at other servers (Engine::repoint): `nodes` in the
    // constructor's order, same count and names. Waits for a cycle under way,
    // so every later cycle sees the new endpoints only. For each node whose
    // parameters changed: its probe reconnects on its next cycle, its board
    // entry (breaker, lag gate, replay position) is reset and, for a replica,
    // its state tracking starts afresh; a new primary resets every replica's
    // tracking too (their lag history is measured against the primary).
    // Throws Error (and changes nothing) when count or names differ.
    void retarget(std::vector<ConnectionParams> nodes);

    void start();
    void stop();
    bool running() const { return m_thread.joinable(); }
    void refreshNow();  // the next cycle starts at once
    std::shared_ptr<const TopologyStatus> latest() const;
    // Called on the monitor's thread after each published cycle.
    void setListener(std::function<void(const std::shared_ptr<const TopologyStatus>&)> listener);
    MonitorStats stats() const;
    const MonitorConfig& config() const { return m_config; }

private:
    void loop(std::stop_token stop);
    NodeStatus primaryStatus(const NodeObservation& o, const ConnectionParams& params);
    NodeStatus replicaStatus(size_t index, const NodeObservation& o, const NodeObservation& primary,
                             const ConnectionParams& params, bool onlyReplica);
    void sampleSeries(const TopologyStatus& status);

    const MonitorConfig m_config;
    std::vector<ConnectionParams> m_nodes;  // guarded by m_cycleMutex (retarget replaces entries)
    Wiring m_wiring;
    std::vector<std::unique_ptr<ProbeWorker>> m_workers;
    std::vector<ReplicaStateTracker> m_trackers;  // one per replica (m_nodes[1..]); m_cycleMutex

    std::mutex m_cycleMutex;  // one cycle (or retarget) at a time
    mutable std::mutex m_mutex;
    std::shared_ptr<const TopologyStatus> m_latest;
    std::function<void(const std::shared_ptr<const TopologyStatus>&)> m_listener;
    MonitorStats m_stats;
    bool m_refresh = false;
    std::condition_variable_any m_wake;
    std::jthread m_thread;

    // Series sampling: once per second, rates from the previous sample.
    std::int64_t m_lastSampleSecond = 0;
    std::chrono::steady_clock::time_point m_lastSampleTime{};
    std::map<std::string, LatencyHistogram::Snapshot> m_lastTotals;  // per target
    std::int64_t m_lastEtlRows = 0;
    bool m_etlWasLoading = false;
    // (time, engine's ETL rows) per sample, covering the last kEtlRateWindow.
    static constexpr std::chrono::seconds kEtlRateWindow{3};
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::int64_t>> m_etlRowsSeen;
};

}  // namespace pulse
