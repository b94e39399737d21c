#include "engine/Engine.hpp"

#include "health/LagFormat.hpp"

namespace pulse {
namespace {

PoolConfig poolConfig(const Settings& s, const std::string& name, const ConnectionParams& params, bool primary)
{
    PoolConfig config;
    const PoolSettings& pool = primary ? s.primaryPool : s.replicaPool;
    config.name = name;
    config.params = params;
    config.size = pool.size;
    config.maxOverflow = pool.maxOverflow;
    config.timeout = pool.timeout;
    config.recycle = pool.recycle;
    config.prePing = s.poolPrePing;
    config.sizingHint = primary ? "DB_POOL_SIZE / DB_MAX_OVERFLOW" : "DB_REPLICA_POOL_SIZE / DB_REPLICA_MAX_OVERFLOW";
    return config;
}

AlertThresholds thresholdsFrom(const Settings& s)
{
    AlertThresholds t;
    t.lagWarningSeconds = s.alertLagWarningSeconds;
    t.lagCriticalSeconds = s.alertLagCriticalSeconds;
    t.poolUtilisationPercent = s.alertPoolUtilisationPercent;
    t.timeoutRatePercent = s.alertTimeoutRatePercent;
    t.timeoutWindow = s.alertTimeoutWindow;
    t.clearAfter = s.alertClear;
    return t;
}

}  // namespace

ConnectionParams Engine::connectionParams(const Settings& s, Target node, const std::string& purpose)
{
    if (node == Target::Replica) {
        const auto replicas = s.replicas();
        return connectionParams(s, replicas.empty() ? ReplicaEndpoint{"replica", s.replicaHost, s.replicaPort}
                                                    : replicas.front(),
                                purpose);
    }
    ConnectionParams params;
    params.node("primary")
        .host(s.primaryHost)
        .port(s.primaryPort)
        .user(s.user)
        .password(s.password)
        .database(s.database)
        .connectTimeout(s.connectTimeout)
        .applicationName("pulse/primary" + (purpose.empty() ? "" : "/" + purpose));
    return params;
}

ConnectionParams Engine::connectionParams(const Settings& s, const ReplicaEndpoint& replica, const std::string& purpose)
{
    ConnectionParams params;
    params.node(replica.name)
        .host(replica.host)
        .port(replica.port)
        .user(s.user)
        .password(s.password)
        .database(s.database)
        .connectTimeout(s.connectTimeout)
        .applicationName("pulse/" + replica.name + (purpose.empty() ? "" : "/" + purpose));
    return params;
}

Engine::Engine(Settings settings) : m_settings(std::move(settings))
{
    const auto replicas = m_settings.replicas();
    std::vector<std::string> names{"primary"};
    for (const auto& r : replicas)
        names.push_back(r.name);
    BreakerConfig breaker;
    breaker.failureThreshold = m_settings.breakerFailureThreshold;
    breaker.openFor = m_settings.breakerOpen;
    LagLimits limits;
    limits.maxSeconds = m_settings.replicaMaxLagSeconds;
    limits.maxBytes = m_settings.replicaMaxLagBytes;
    limits.readmitAfter = m_settings.replicaReadmit;
    m_board = std::make_shared<HealthBoard>(names, breaker, limits);
    m_metrics = std::make_shared<QueryMetrics>();
    m_alerts = std::make_shared<AlertEngine>(thresholdsFrom(m_settings));
    m_series = std::make_shared<SeriesStore>(static_cast<size_t>(m_settings.metricsHistory.count()));

    auto primary =
        ConnectionPool::create(poolConfig(m_settings, "primary", connectionParams(m_settings, Target::Primary), true));
    std::vector<ReplicaRoute> routes;
    for (const auto& r : replicas)
        routes.push_back({r.name, ConnectionPool::create(poolConfig(m_settings, r.name,
                                                                    connectionParams(m_settings, r), false))});
    m_router = std::make_unique<Router>(std::move(primary), std::move(routes),
                                        FlagValues{m_settings.useReadReplica, m_settings.replicaFallbackEnabled},
                                        RouterOptions::fromSettings(m_settings), m_board, m_metrics);

    std::vector<ConnectionParams> probes{connectionParams(m_settings, Target::Primary, "monitor")};
    for (const auto& r : replicas)
        probes.push_back(connectionParams(m_settings, r, "monitor"));
    MonitorConfig config;
    config.interval = m_settings.monitorInterval;
    config.probeTimeout = m_settings.monitorProbeTimeout;
    // Stalled = WAL waiting and replay frozen for several cycles, never less than 2 s.
    config.stallAfter = std::max<std::chrono::milliseconds>(std::chrono::milliseconds(2000), 4 * config.interval);
    HealthMonitor::Wiring wiring;
    wiring.board = m_board;
    wiring.alerts = m_alerts;
    wiring.series = m_series;
    wiring.metrics = m_metrics;
    wiring.pools = [this] { return poolStats(); };
    wiring.flags = [this] { return m_router->flags().values(); };
    m_monitor = std::make_unique<HealthMonitor>(config, std::move(probes), std::move(wiring));
}

Engine::~Engine()
{
    m_monitor->stop();
}

std::vector<PoolStats> Engine::poolStats() const
{
    std::vector<PoolStats> out{m_router->primaryPool()->stats()};
    for (const auto& r : m_router->replicas())
        out.push_back(r.pool->stats());
    return out;
}

TopologyStatus Engine::status()
{
    return *m_monitor->runCycle();
}

EtlOptions Engine::etlOptions() const
{
    EtlOptions options;
    options.retryWindow = m_settings.etlRetry;
    const double limit = m_settings.etlLagBrakeSeconds;
    if (limit > 0) {
        // A status older than a few cycles says nothing about the lag now: the
        // brake then releases rather than holding the load on old news. An
        // unknown lag (replica down or disconnected) does not hold it either:
        // slowing the primary does not bring a replica back.
        const auto stale = std::chrono::duration_cast<std::chrono::system_clock::duration>(
            5 * m_settings.monitorInterval + std::chrono::seconds(1));
        options.brake = [this, limit, stale]() -> std::optional<std::string> {
            const auto status = latestStatus();
            if (!status || std::chrono::system_clock::now() - status->time > stale)
                return std::nullopt;
            for (const NodeStatus* replica : status->replicas()) {
                const auto& r = replica->replication;
                if (r && r->lagSeconds && *r->lagSeconds > limit)
                    return replica->name + " lags " + formatLagSeconds(*r->lagSeconds) + " > " +
                           formatLagSeconds(limit) + " (ETL_LAG_BRAKE_SECONDS)";
            }
            return std::nullopt;
        };
    }
    return options;
}

void Engine::startMonitor()
{
    m_monitor->start();
}

void Engine::stopMonitor()
{
    m_monitor->stop();
}

void Engine::refreshNow()
{
    m_monitor->refreshNow();
}

std::shared_ptr<const TopologyStatus> Engine::latestStatus() const
{
    return m_monitor->latest();
}

}  // namespace pulse
