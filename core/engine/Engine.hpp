#pragma once
// The one facade an application embeds: settings, the primary and replica
// pools, the router with its flags and decision log, the health monitor with
// its breakers, lag gates, alerts and chart series, and query metrics.
// pulsectl and pulse-console each own one Engine.
//
// Thread contract: every method is thread-safe. status() blocks on the
// network (bounded by MONITOR_PROBE_TIMEOUT_MS): the UI must call
// latestStatus(), which returns the snapshot published by the monitor thread.
// repoint() may run while sessions, an ETL and the monitor are active; it
// waits for a monitor cycle under way (bounded like status()).
#include "alerts/AlertEngine.hpp"
#include "config/Settings.hpp"
#include "etl/EtlRunner.hpp"
#include "engine/NodeEndpoint.hpp"
#include "engine/TopologyStatus.hpp"
#include "metrics/QueryMetrics.hpp"
#include "metrics/SeriesStore.hpp"
#include "monitor/HealthMonitor.hpp"
#include "pool/ConnectionPool.hpp"
#include "routing/HealthBoard.hpp"
#include "routing/Router.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

namespace pulse {

class Engine {
public:
    explicit Engine(Settings settings);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // As configured: repoint() changes where the roles connect, not the settings.
    const Settings& settings() const { return m_settings; }
    Router& router() { return *m_router; }
    FeatureFlags& flags() { return m_router->flags(); }
    const std::shared_ptr<ConnectionPool>& primaryPool() const { return m_router->primaryPool(); }
    const std::shared_ptr<ConnectionPool>& replicaPool() const { return m_router->replicaPool(); }
    std::vector<PoolStats> poolStats() const;  // primary first, then each replica

    // One monitor cycle now (probes every node in parallel on the monitor's
    // own connections). Also feeds the breakers, lag gates and alerts.
    TopologyStatus status();
    // The monitor thread, every MONITOR_INTERVAL_MS (or `interval` when given).
    void startMonitor();
    void stopMonitor();
    void refreshNow();
    std::shared_ptr<const TopologyStatus> latestStatus() const;

    // Runtime routing settings (the console's flags panel), as configured
    // until changed. They only change where reads go, never what a write does.
    // REPLICA_MAX_LAG_SECONDS (0-86400, 0 = no time limit) and
    // REPLICA_MAX_LAG_BYTES (0-2^40, 0 = no byte limit) for every replica's
    // lag gate; REPLICA_READMIT_SECONDS stays as configured. Applies at the
    // next monitor observation. Throws InvalidParameterError (and changes
    // nothing) for a value outside those ranges or NaN.
    void setLagLimits(double maxSeconds, std::int64_t maxBytes);
    LagLimits lagLimits() const;
    // READ_YOUR_WRITES_WAIT_MS (0-60000): applies to the next read that
    // waits. Throws InvalidParameterError outside that range.
    void setReadYourWritesWait(std::chrono::milliseconds wait);
    std::chrono::milliseconds readYourWritesWait() const;

    HealthMonitor& monitor() { return *m_monitor; }
    HealthBoard& healthBoard() { return *m_board; }
    AlertEngine& alerts() { return *m_alerts; }
    SeriesStore& series() { return *m_series; }
    QueryMetrics& queryMetrics() { return *m_metrics; }

    // Options for an EtlRunner on this engine's router: ETL_RETRY_SECONDS,
    // and the lag brake (ETL_LAG_BRAKE_SECONDS) judged from the monitor's
    // latest status, so it needs startMonitor() to act. The brake refers to
    // this Engine: a runner given these options must not outlive it.
    EtlOptions etlOptions() const;

    // Where a role's connections go now: as configured until repoint().
    NodeEndpoint endpoint(Target role) const;  // Target::Primary or Target::Replica (first replica)
    // libpq parameters for a role as it is now (after any repoint), tagged like connectionParams().
    ConnectionParams currentParams(Target role, const std::string& purpose = {}) const;
    // Points the primary role at `primary` and the first replica role at `replica`, while sessions,
    // the ETL and the monitor keep running: new connections go to the new endpoints at once; idle
    // connections are closed and checked-out ones are closed when returned (never reused); the
    // monitor's probes reconnect on their next cycle and the replica's state tracking starts fresh;
    // both roles' breakers and lag gates are reset (the old verdicts were about other servers).
    // Logs one line (spdlog, no password) and bumps a counter repoints() for observers.
    // A role whose endpoint does not change keeps its connections and verdicts. Without a replica
    // configured only endpoint(Target::Replica) records `replica`. Throws Error (and changes
    // nothing) for an empty host or a port outside 1-65535. Concurrent calls run one after another.
    void repoint(const NodeEndpoint& primary, const NodeEndpoint& replica);
    // Completed repoints: once it has moved, endpoint(), currentParams() and
    // the pools already reflect that repoint.
    std::uint64_t repoints() const;

    // libpq parameters for a node, tagged "pulse/<node>" (purpose appended).
    // As configured: these static ones never follow repoint(); use currentParams().
    static ConnectionParams connectionParams(const Settings& settings, Target node, const std::string& purpose = {});
    static ConnectionParams connectionParams(const Settings& settings, const ReplicaEndpoint& replica,
                                             const std::string& purpose = {});

private:
    // The monitor's nodes (primary, then every replica) with the two roles at
    // the given endpoints.
    std::vector<ConnectionParams> monitorNodes(const NodeEndpoint& primary, const NodeEndpoint& replica) const;

    const Settings m_settings;
    mutable std::mutex m_endpointMutex;  // guards the two endpoints; never held across I/O
    NodeEndpoint m_primaryEndpoint;
    NodeEndpoint m_replicaEndpoint;
    std::mutex m_repointMutex;  // one repoint at a time, so pools and monitor never disagree
    std::atomic<std::uint64_t> m_repoints{0};
    std::shared_ptr<HealthBoard> m_board;
    std::shared_ptr<QueryMetrics> m_metrics;
    std::shared_ptr<AlertEngine> m_alerts;
    std::shared_ptr<SeriesStore> m_series;
    std::unique_ptr<Router> m_router;
    std::unique_ptr<HealthMonitor> m_monitor;
};

}  // namespace pulse
