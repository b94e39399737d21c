#pragma once
// The one facade an application embeds: settings, the primary and replica
// pools, the router with its flags and decision log, the health monitor with
// its breakers, lag gates, alerts and chart series, and query metrics.
// pulsectl and pulse-console each own one Engine.
//
// Thread contract: every method is thread-safe. status() blocks on the
// network (bounded by MONITOR_PROBE_TIMEOUT_MS): the UI must call
// latestStatus(), which returns the snapshot published by the monitor thread.
#include "alerts/AlertEngine.hpp"
#include "config/Settings.hpp"
#include "etl/EtlRunner.hpp"
#include "engine/TopologyStatus.hpp"
#include "metrics/QueryMetrics.hpp"
#include "metrics/SeriesStore.hpp"
#include "monitor/HealthMonitor.hpp"
#include "pool/ConnectionPool.hpp"
#include "routing/HealthBoard.hpp"
#include "routing/Router.hpp"

#include <memory>

namespace pulse {

class Engine {
public:
    explicit Engine(Settings settings);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

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

    // libpq parameters for a node, tagged "pulse/<node>" (purpose appended).
    static ConnectionParams connectionParams(const Settings& settings, Target node, const std::string& purpose = {});
    static ConnectionParams connectionParams(const Settings& settings, const ReplicaEndpoint& replica,
                                             const std::string& purpose = {});

private:
    const Settings m_settings;
    std::shared_ptr<HealthBoard> m_board;
    std::shared_ptr<QueryMetrics> m_metrics;
    std::shared_ptr<AlertEngine> m_alerts;
    std::shared_ptr<SeriesStore> m_series;
    std::unique_ptr<Router> m_router;
    std::unique_ptr<HealthMonitor> m_monitor;
};

}  // namespace pulse
