#pragma once
// The one facade an application embeds: settings, the primary and replica
// pools, the router with its flags and decision log, and topology status.
// pulsectl and pulse-console each own one Engine.
//
// Thread contract: every method is thread-safe. status() blocks on the
// network (bounded by the connect timeout): the UI must call latestStatus(),
// which returns the snapshot published by the background poller.

#include "config/Settings.hpp"
#include "engine/NodeProber.hpp"
#include "engine/TopologyStatus.hpp"
#include "pool/ConnectionPool.hpp"
#include "routing/Router.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>

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

    // Probes every node now (in parallel, on dedicated connections).
    TopologyStatus status();

    // Background polling for UIs: status() every `interval` on a core thread;
    // latestStatus() returns the newest snapshot (null before the first).
    void startPolling(std::chrono::milliseconds interval);
    void stopPolling();
    void refreshNow();
    std::shared_ptr<const TopologyStatus> latestStatus() const;

    // libpq parameters for a node, tagged "pulse/<node>" (purpose appended).
    static ConnectionParams connectionParams(const Settings& settings, Target node, const std::string& purpose = {});

private:
    void pollLoop(std::stop_token stop, std::chrono::milliseconds interval);

    const Settings m_settings;
    std::unique_ptr<Router> m_router;
    std::unique_ptr<NodeProber> m_primaryProber;
    std::unique_ptr<NodeProber> m_replicaProber;

    mutable std::mutex m_statusMutex;
    std::shared_ptr<const TopologyStatus> m_latest;
    std::condition_variable_any m_wake;
    bool m_refreshRequested = false;
    std::jthread m_poller;
};

}  // namespace pulse
