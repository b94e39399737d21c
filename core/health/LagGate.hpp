#pragma once
// Lag-aware admission of one replica for replica-eligible reads (pgpool-II's
// delay_threshold / delay_threshold_by_time, ProxySQL's
// max_replication_lag). Above either limit the replica is excluded at once;
// it is admitted again only after its lag has stayed under both limits for
// `readmitAfter` without a break, so a replica hovering at the limit does not
// flap between targets.
//
// Thread-safe: update() from the monitor, admitted() from the router (one
// atomic load), setLimits() from anywhere (the console's flags panel).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace pulse {

struct LagLimits {
    double maxSeconds = 2.0;           // REPLICA_MAX_LAG_SECONDS; <= 0: no time limit
    std::int64_t maxBytes = 16 << 20;  // REPLICA_MAX_LAG_BYTES; <= 0: no byte limit
    std::chrono::milliseconds readmitAfter{5000};  // REPLICA_READMIT_SECONDS
};

class LagGate {
public:
    using Clock = std::chrono::steady_clock;
    explicit LagGate(LagLimits limits);

    // One monitor observation. Unknown lag (nullopt: replica down or
    // disconnected) leaves admission as it is: the breaker handles that.
    void update(std::optional<double> lagSeconds, std::optional<std::int64_t> lagBytes,
                Clock::time_point now = Clock::now());

    // Back to the state of a new gate (admitted, no readmit clock running):
    // for when the replica behind it is another server (Engine::repoint).
    void reset();

    bool admitted() const { return m_admitted.load(std::memory_order_acquire); }
    // Why it is excluded, for the decision log: "lag 6.2 s > REPLICA_MAX_LAG_SECONDS 2 s"
    // or "lag back under the limits for 1.5 s of the 5 s readmit time"; empty when admitted.
    std::string reason() const;
    // A copy: the limits may change at any time.
    LagLimits limits() const;
    // Changes the limits while the monitor and the router run. The verdict
    // is not re-judged here (the gate keeps no lag of its own): the change
    // applies at the next monitor observation, which excludes at once on a
    // lower limit and starts the readmit clock on a higher one.
    void setLimits(LagLimits limits);

private:
    LagLimits m_limits;  // guarded by m_mutex
    std::atomic<bool> m_admitted{true};
    mutable std::mutex m_mutex;
    std::string m_reason;
    std::optional<Clock::time_point> m_underSince;  // while excluded: since when lag is under the limits
};

}  // namespace pulse
