#pragma once
// Evaluates the plan's alert rules on every monitor cycle and keeps active
// alerts and a bounded history. Defaults are the plan's thresholds:
//   replication lag > 5 s WARNING, > 30 s CRITICAL   (ALERT_LAG_*_SECONDS)
//   pool utilisation > 90 % WARNING                  (ALERT_POOL_UTILISATION_PERCENT)
//   query timeout rate > 5 % over a sliding window   (ALERT_TIMEOUT_RATE_PERCENT,
//                                                      ALERT_TIMEOUT_WINDOW_SECONDS)
//   replica disconnected or down CRITICAL, replay paused WARNING.
//
// No flapping: a condition raises at once, but clears only after it has
// stayed clear for `clearAfter` (ALERT_CLEAR_SECONDS), and numeric rules
// clear below threshold * (1 - hysteresis) only. A lag alert moves between
// WARNING and CRITICAL as one alert (escalated / de-escalated in place).
// Every event is logged (spdlog logger "alerts").
//
// Thread-safe: evaluate() from the monitor thread, the readers from anywhere.
#include "alerts/Alert.hpp"
#include "health/ReplicaState.hpp"

#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pulse {

struct AlertThresholds {
    double lagWarningSeconds = 5;
    double lagCriticalSeconds = 30;
    double poolUtilisationPercent = 90;
    double timeoutRatePercent = 5;
    std::chrono::milliseconds timeoutWindow{60'000};
    std::chrono::milliseconds clearAfter{5000};
    double hysteresis = 0.1;             // numeric rules clear below threshold * 0.9
    std::uint64_t minQueriesForRate = 20;  // no timeout-rate verdict on fewer queries in the window
    size_t historyCapacity = 500;
};

// What one monitor cycle feeds the engine.
struct AlertInputs {
    struct Replica {
        std::string name;
        ReplicaState state = ReplicaState::Down;
        std::optional<double> lagSeconds;
        std::optional<std::int64_t> lagBytes;
    };
    struct Pool {
        std::string name;          // "primary", "replica"
        double utilisationPercent = 0;  // checked out / (size + max_overflow)
        int checkedOut = 0;
        int capacity = 0;
    };
    std::chrono::system_clock::time_point time{};
    std::vector<Replica> replicas;
    std::vector<Pool> pools;
    std::uint64_t queriesTotal = 0;   // cumulative, all targets
    std::uint64_t timeoutsTotal = 0;  // cumulative statement + client-deadline timeouts
};

class AlertEngine {
public:
    explicit AlertEngine(AlertThresholds thresholds = {});

    // Returns the events this evaluation produced (also kept in history()).
    std::vector<AlertEvent> evaluate(const AlertInputs& inputs);

    std::vector<Alert> active() const;          // most severe first, then oldest
    std::vector<AlertEvent> history() const;    // oldest first, at most historyCapacity
    std::vector<AlertEvent> historySince(std::uint64_t afterSequence, std::uint64_t* lastSequence) const;
    const AlertThresholds& thresholds() const { return m_thresholds; }

private:
    using Key = std::pair<std::string, std::string>;  // (rule, subject)
    using TimePoint = std::chrono::system_clock::time_point;
    // One cycle's verdict on one (rule, subject); all with m_mutex held.
    void fire(const Key& key, AlertSeverity severity, double value, double threshold, std::string message,
              TimePoint now, std::vector<AlertEvent>& events);
    void hold(const Key& key, std::optional<double> value);
    void clearing(const Key& key, std::optional<double> value, TimePoint now, std::vector<AlertEvent>& events);
    void numericRule(const Key& key, double value, double threshold, std::string message, TimePoint now,
                     std::vector<AlertEvent>& events);
    void evaluateLag(const AlertInputs::Replica& replica, TimePoint now, std::vector<AlertEvent>& events);
    std::optional<std::pair<double, std::uint64_t>> timeoutRate(const AlertInputs& inputs);  // (percent, queries)
    void record(AlertEvent::Kind kind, const Alert& alert, TimePoint now, std::vector<AlertEvent>& events);

    const AlertThresholds m_thresholds;
    mutable std::mutex m_mutex;
    std::map<Key, Alert> m_active;
    std::map<Key, TimePoint> m_clearSince;
    std::deque<AlertEvent> m_history;
    std::uint64_t m_historySequence = 0;  // events ever recorded
    std::uint64_t m_nextId = 1;
    std::deque<std::pair<std::chrono::system_clock::time_point, std::pair<std::uint64_t, std::uint64_t>>>
        m_rateSamples;  // (time, (queriesTotal, timeoutsTotal)) within the window
};

}  // namespace pulse
