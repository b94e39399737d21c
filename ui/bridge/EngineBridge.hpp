#pragma once
// The one place where the UI meets the engine.
//
// Thread contract: an EngineBridge lives on the UI thread and never blocks
// it. A timer reads what the engine publishes (latestStatus(), the decision
// log since the last sequence seen, the flag atomics) and hands value copies
// to models and widgets through signals. Commands return at once: flag
// changes are atomic stores; the test read, the only command that talks to
// a server, runs on the bridge's own worker thread and reports back through
// a queued signal.
//
// The bridge does not start or stop the engine's poller (stopMonitor() joins
// a thread that may be waiting on a server): whoever owns the Engine does,
// and the Engine must outlive the bridge.

#include "engine/Engine.hpp"
#include "engine/TopologyStatus.hpp"
#include "routing/RoutingDecision.hpp"

#include <QMetaType>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace pulse::ui {

class EngineBridge : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool paused READ isPaused WRITE setPaused NOTIFY pausedChanged)

public:
    static constexpr std::chrono::milliseconds kDefaultInterval {500};

    explicit EngineBridge(
        Engine& engine, std::chrono::milliseconds interval = kDefaultInterval, QObject* parent = nullptr);
    // Waits for a test read still in flight (it uses the engine).
    ~EngineBridge() override;

    Engine& engine() const { return m_engine; }
    std::chrono::milliseconds interval() const { return m_interval; }
    bool isPaused() const { return m_paused; }
    // The snapshot most recently handed out (null before the first).
    const std::shared_ptr<const TopologyStatus>& lastStatus() const { return m_lastStatus; }
    bool testReadRunning() const { return m_testReadsRunning > 0; }

public Q_SLOTS:
    // While paused, snapshots and decisions are not handed out (the views
    // hold still); flags keep following the engine, commands still work.
    void setPaused(bool paused);
    void setUseReadReplica(bool enabled);
    void setReplicaFallbackEnabled(bool enabled);
    // Asks the engine's poller to probe now instead of at the next interval.
    void refreshNow();
    // Opens one routed read session ("dashboard_metrics" in "dashboard") and
    // runs SELECT 1 on a worker thread; the decision shows up in the log.
    void runTestRead();
    // One timer tick; public so tests can drive it without waiting.
    void poll();

Q_SIGNALS:
    void statusChanged(const pulse::TopologyStatus& status);
    // Oldest first, each decision exactly once.
    void decisionsAppended(const std::vector<pulse::RoutingDecision>& decisions);
    // The engine's flags changed (from here or elsewhere); also sent once at start.
    void flagsChanged(bool useReadReplica, bool replicaFallbackEnabled);
    void pausedChanged(bool paused);
    void testReadFinished(bool ok, const QString& message);

private:
    Engine& m_engine;
    const std::chrono::milliseconds m_interval;
    QTimer m_timer;
    QThreadPool m_workers;
    std::shared_ptr<const TopologyStatus> m_lastStatus;
    std::uint64_t m_lastSequence = 0;
    std::uint64_t m_flagsVersion = 0;
    bool m_flagsKnown = false;
    bool m_paused = false;
    int m_testReadsRunning = 0;
};

// Registers the value types carried by the bridge's signals (idempotent).
void registerMetaTypes();

} // namespace pulse::ui

Q_DECLARE_METATYPE(pulse::TopologyStatus)
Q_DECLARE_METATYPE(std::vector<pulse::RoutingDecision>)
