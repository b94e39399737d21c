#pragma once

#include <chrono>
#include <string>

namespace pulse {

// What a probe learned about one node, on a dedicated connection.
struct NodeStatus {
    std::string name;             // "primary", "replica"
    std::string endpoint;         // "127.0.0.1:5432" (never a password)
    bool configured = true;
    bool reachable = false;
    bool inRecovery = false;      // pg_is_in_recovery()
    std::string role;             // "primary", "replica" (from pg_is_in_recovery), "unknown"
    std::string serverVersion;    // "15.20 (Debian 15.20-0+deb12u1)"
    std::string walReceiverStatus;  // replica: pg_stat_wal_receiver.status ("streaming"), empty if none
    double roundTripMs = 0;       // the probe query's round trip
    std::string error;            // why unreachable
};

}  // namespace pulse
