#pragma once

#include "health/CircuitBreaker.hpp"
#include "health/ReplicaState.hpp"
#include "monitor/NodeObservation.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
    int timeline = 0;             // 0: unknown
    std::optional<std::uint64_t> lsn;         // primary: current WAL LSN; replica: replay LSN
    std::optional<std::uint64_t> receiveLsn;  // replica
    bool replayPaused = false;                // replica
    std::optional<double> secondsSinceLastReplay;  // replica: now() - last replayed commit
    std::optional<ReplicaAssessment> replication;  // replica: state, lag in bytes and seconds
    std::vector<ReplicationRow> replicationRows;   // primary: pg_stat_replication
    BreakerSnapshot breaker;
    bool lagAdmitted = true;      // replica: the lag gate lets reads in
    std::string lagReason;        // why not
    bool isReplica() const { return name != "primary"; }
};

}  // namespace pulse
