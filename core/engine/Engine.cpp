#include "engine/Engine.hpp"

#include "common/Logging.hpp"

#include <future>

namespace pulse {
namespace {

PoolConfig poolConfig(const Settings& s, Target node)
{
    PoolConfig config;
    const bool primary = node == Target::Primary;
    const PoolSettings& pool = primary ? s.primaryPool : s.replicaPool;
    config.name = std::string(targetName(node));
    config.params = Engine::connectionParams(s, node);
    config.size = pool.size;
    config.maxOverflow = pool.maxOverflow;
    config.timeout = pool.timeout;
    config.recycle = pool.recycle;
    config.prePing = s.poolPrePing;
    config.sizingHint = primary ? "DB_POOL_SIZE / DB_MAX_OVERFLOW" : "DB_REPLICA_POOL_SIZE / DB_REPLICA_MAX_OVERFLOW";
    return config;
}

}  // namespace

ConnectionParams Engine::connectionParams(const Settings& s, Target node, const std::string& purpose)
{
    const bool primary = node == Target::Primary;
    ConnectionParams params;
    params.node(std::string(targetName(node)))
        .host(primary ? s.primaryHost : s.replicaHost)
        .port(primary ? s.primaryPort : s.replicaPort)
        .user(s.user)
        .password(s.password)
        .database(s.database)
        .connectTimeout(s.connectTimeout)
        .applicationName("pulse/" + std::string(targetName(node)) + (purpose.empty() ? "" : "/" + purpose));
    return params;
}

Engine::Engine(Settings settings) : m_settings(std::move(settings))
{
    auto primary = ConnectionPool::create(poolConfig(m_settings, Target::Primary));
    std::shared_ptr<ConnectionPool> replica;
    if (m_settings.replicaConfigured())
        replica = ConnectionPool::create(poolConfig(m_settings, Target::Replica));
    m_router = std::make_unique<Router>(std::move(primary), std::move(replica),
                                        FlagValues{m_settings.useReadReplica, m_settings.replicaFallbackEnabled},
                                        RouterOptions::fromSettings(m_settings));
    const auto probeDeadline = std::chrono::milliseconds(std::chrono::seconds(m_settings.connectTimeout));
    m_primaryProber = std::make_unique<NodeProber>("primary", connectionParams(m_settings, Target::Primary, "monitor"),
                                                   probeDeadline);
    if (m_settings.replicaConfigured())
        m_replicaProber = std::make_unique<NodeProber>(
            "replica", connectionParams(m_settings, Target::Replica, "monitor"), probeDeadline);
}

Engine::~Engine()
{
    stopPolling();
}

TopologyStatus Engine::status()
{
    TopologyStatus status;
    // Both nodes at once: a node that does not answer costs its own timeout,
    // not the other's.
    auto replicaFuture = m_replicaProber
                             ? std::async(std::launch::async, [this] { return m_replicaProber->probe(); })
                             : std::future<NodeStatus>();
    status.nodes.push_back(m_primaryProber->probe());
    if (replicaFuture.valid()) {
        status.nodes.push_back(replicaFuture.get());
    } else {
        NodeStatus none;
        none.name = "replica";
        none.configured = false;
        none.role = "none";
        status.nodes.push_back(none);
    }
    status.pools.push_back(primaryPool()->stats());
    if (replicaPool())
        status.pools.push_back(replicaPool()->stats());
    status.flags = m_router->flags().values();
    status.time = std::chrono::system_clock::now();
    status.judge();
    return status;
}

void Engine::startPolling(std::chrono::milliseconds interval)
{
    stopPolling();
    m_poller = std::jthread([this, interval](std::stop_token stop) { pollLoop(stop, interval); });
}

void Engine::stopPolling()
{
    if (m_poller.joinable()) {
        m_poller.request_stop();
        m_wake.notify_all();
        m_poller.join();
    }
}

void Engine::refreshNow()
{
    {
        std::lock_guard lock(m_statusMutex);
        m_refreshRequested = true;
    }
    m_wake.notify_all();
}

std::shared_ptr<const TopologyStatus> Engine::latestStatus() const
{
    std::lock_guard lock(m_statusMutex);
    return m_latest;
}

void Engine::pollLoop(std::stop_token stop, std::chrono::milliseconds interval)
{
    while (!stop.stop_requested()) {
        {
            // Cleared before probing: a request made during the probe asks
            // for a snapshot that starts after it, so it must survive.
            std::lock_guard lock(m_statusMutex);
            m_refreshRequested = false;
        }
        auto snapshot = std::make_shared<const TopologyStatus>(status());
        std::unique_lock lock(m_statusMutex);
        m_latest = std::move(snapshot);
        m_wake.wait_for(lock, stop, interval, [this] { return m_refreshRequested; });
    }
}

}  // namespace pulse
