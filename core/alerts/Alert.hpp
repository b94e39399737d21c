#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace pulse {

enum class AlertSeverity { Warning, Critical };
std::string severityName(AlertSeverity severity);  // "WARNING", "CRITICAL"

// One alert occurrence: raised at `raisedAt`, active until `clearedAt` is set.
struct Alert {
    std::uint64_t id = 0;       // increases by one per raised alert
    std::string rule;           // "replication_lag", "replica_down", "replica_disconnected",
                                // "replay_paused", "pool_utilisation", "query_timeout_rate"
    std::string subject;        // node or pool name: "replica", "primary pool"
    AlertSeverity severity = AlertSeverity::Warning;
    std::string message;        // "replica lag 6.2 s > 5 s (ALERT_LAG_WARNING_SECONDS)"
    double value = 0;           // the value that raised it (worst seen while active)
    double threshold = 0;
    std::chrono::system_clock::time_point raisedAt{};
    std::chrono::system_clock::time_point clearedAt{};  // epoch while active
    bool active() const { return clearedAt == std::chrono::system_clock::time_point{}; }
};

// A raised or cleared event, as logged and shown in histories.
struct AlertEvent {
    enum class Kind { Raised, Cleared, Escalated };  // Escalated: WARNING -> CRITICAL on the same subject
    Kind kind = Kind::Raised;
    Alert alert;  // state after the event
    std::chrono::system_clock::time_point time{};
};
std::string alertEventKindName(AlertEvent::Kind kind);  // "raised", "cleared", "escalated"

}  // namespace pulse
