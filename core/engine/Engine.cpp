#include "engine/Engine.hpp"

#include "common/Errors.hpp"
#include "common/Logging.hpp"
#include "config/SettingCatalog.hpp"
#include "health/LagFormat.hpp"

#include <cmath>

namespace pulse {
namespace {

ConnectionParams at(ConnectionParams params, const NodeEndpoint& endpoint)
{
    params.host(endpoint.host).port(endpoint.port);  // replaces the configured ones
    return params;
}

NodeEndpoint endpointOf(const ConnectionParams& params)
{
    return {params.hostName(), params.portNumber()};
}

std::string describe(const NodeEndpoint& endpoint)
{
    return endpoint.host + ':' + std::to_string(endpoint.port);
}

void validate(const NodeEndpoint& endpoint, const char* role)
{
    if (endpoint.host.empty() || endpoint.port < 1 || endpoint.port > 65535)
        throw Error(std::string("repoint: the ") + role + " endpoint '" + describe(endpoint) +
                    "' needs a host and a port from 1 to 65535");
}

// A runtime value checked against the setting's range in the catalogue,
// so the console accepts exactly what the configuration does.
void checkRange(std::string_view key, double value, const std::string& shown)
{
    const SettingDefinition* definition = SettingCatalog::find(key);
    if (!definition)
        throw InvalidParameterError(std::string(key) + " is not a known setting");
    if (std::isnan(value) || value < static_cast<double>(definition->minimum) ||
        value > static_cast<double>(definition->maximum))
        throw InvalidParameterError(std::string(key) + " must be " + definition->expectedForm() + " (got " + shown +
                                    ")");
}

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

Engine::Engine(Settings settings)
    : m_settings(std::move(settings))
    , m_primaryEndpoint(endpointOf(connectionParams(m_settings, Target::Primary)))
    , m_replicaEndpoint(endpointOf(connectionParams(m_settings, Target::Replica)))
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

    auto probes = monitorNodes(m_primaryEndpoint, m_replicaEndpoint);
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

std::vector<ConnectionParams> Engine::monitorNodes(const NodeEndpoint& primary, const NodeEndpoint& replica) const
{
    std::vector<ConnectionParams> nodes{at(connectionParams(m_settings, Target::Primary, "monitor"), primary)};
    const auto replicas = m_settings.replicas();
    for (size_t i = 0; i < replicas.size(); ++i) {
        auto params = connectionParams(m_settings, replicas[i], "monitor");
        nodes.push_back(i == 0 ? at(std::move(params), replica) : std::move(params));
    }
    return nodes;
}

NodeEndpoint Engine::endpoint(Target role) const
{
    std::lock_guard lock(m_endpointMutex);
    return role == Target::Primary ? m_primaryEndpoint : m_replicaEndpoint;
}

ConnectionParams Engine::currentParams(Target role, const std::string& purpose) const
{
    return at(connectionParams(m_settings, role, purpose), endpoint(role));
}

std::uint64_t Engine::repoints() const
{
    return m_repoints.load(std::memory_order_acquire);
}

void Engine::repoint(const NodeEndpoint& primary, const NodeEndpoint& replica)
{
    validate(primary, "primary");
    validate(replica, "replica");
    // Serialised as a whole: two repoints interleaving could leave a pool on
    // one's endpoint and the monitor on the other's.
    std::lock_guard serial(m_repointMutex);
    const NodeEndpoint oldPrimary = endpoint(Target::Primary);
    const NodeEndpoint oldReplica = endpoint(Target::Replica);

    // Pools first: from here on no new connection reaches the old servers.
    // A role that stays put keeps its connections.
    if (primary != oldPrimary)
        m_router->primaryPool()->retarget(at(connectionParams(m_settings, Target::Primary), primary));
    if (const auto& pool = m_router->replicaPool(); pool && replica != oldReplica)
        pool->retarget(at(connectionParams(m_settings, Target::Replica), replica));
    // Then the monitor, which also resets the moved roles' breakers and lag
    // gates under its cycle lock, so no verdict about an old server lands
    // after the reset. Traffic still running on an old connection may yet
    // report a failure; the next probe of the new server corrects it.
    m_monitor->retarget(monitorNodes(primary, replica));

    // Published last: an observer that sees the count move (or the new
    // endpoints) finds the pools and the monitor already pointing there.
    {
        std::lock_guard lock(m_endpointMutex);
        m_primaryEndpoint = primary;
        m_replicaEndpoint = replica;
    }
    const std::uint64_t count = m_repoints.fetch_add(1, std::memory_order_acq_rel) + 1;
    logger("engine")->warn("repoint #{}: primary {} -> {}, replica {} -> {}{}", count, describe(oldPrimary),
                           describe(primary), describe(oldReplica), describe(replica),
                           m_router->replicaPool() ? "" : " (no replica configured: recorded only)");
    // The new servers' first verdicts now rather than up to an interval
    // later (without a monitor thread this only sets a flag).
    m_monitor->refreshNow();
}

void Engine::setLagLimits(double maxSeconds, std::int64_t maxBytes)
{
    checkRange("REPLICA_MAX_LAG_SECONDS", maxSeconds, std::isnan(maxSeconds) ? "NaN" : formatLagSeconds(maxSeconds));
    checkRange("REPLICA_MAX_LAG_BYTES", static_cast<double>(maxBytes), std::to_string(maxBytes));
    LagLimits limits = m_board->lagLimits();
    if (limits.maxSeconds == maxSeconds && limits.maxBytes == maxBytes)
        return;
    limits.maxSeconds = maxSeconds;
    limits.maxBytes = maxBytes;
    m_board->setLagLimits(limits);
    logger("engine")->info("lag limits now REPLICA_MAX_LAG_SECONDS {} REPLICA_MAX_LAG_BYTES {}", maxSeconds, maxBytes);
}

LagLimits Engine::lagLimits() const
{
    return m_board->lagLimits();
}

void Engine::setReadYourWritesWait(std::chrono::milliseconds wait)
{
    checkRange("READ_YOUR_WRITES_WAIT_MS", static_cast<double>(wait.count()), std::to_string(wait.count()) + " ms");
    if (m_router->readYourWritesWait() == wait)
        return;
    m_router->setReadYourWritesWait(wait);
    logger("engine")->info("READ_YOUR_WRITES_WAIT_MS now {}", wait.count());
}

std::chrono::milliseconds Engine::readYourWritesWait() const
{
    return m_router->readYourWritesWait();
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
