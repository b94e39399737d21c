#pragma once
// Raw facts of one probe of one node (see NodeProbe for the queries).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pulse {

// One row of the primary's pg_stat_replication.
struct ReplicationRow {
    std::string applicationName;
    std::string clientAddress;  // "127.0.0.1", "local" for a unix socket
    std::string state;          // "streaming", "catchup", ...
    std::string syncState;      // "async", "sync", ...
    std::optional<std::uint64_t> sentLsn, writeLsn, flushLsn, replayLsn;
    std::optional<double> writeLagSeconds, flushLagSeconds, replayLagSeconds;  // NULL when caught up and idle
};

struct NodeObservation {
    bool reachable = false;
    std::string error;             // why not reachable
    bool timedOut = false;         // no answer by the monitor's deadline (frozen, not refused)
    double roundTripMs = 0;        // the probe's round trip (connect excluded)
    bool inRecovery = false;
    std::string serverVersion;
    std::string clusterName;
    int timeline = 0;              // 0: unknown
    std::optional<std::uint64_t> currentLsn;  // primary: pg_current_wal_lsn()
    // Standby side
    std::string receiverStatus;    // pg_stat_wal_receiver.status, empty: no receiver
    std::optional<std::uint64_t> receiveLsn, replayLsn;
    bool replayPaused = false;
    std::optional<double> secondsSinceLastReplay;
    // Primary side
    std::vector<ReplicationRow> replication;
};

// "0/3000060" for an LSN position.
std::string formatLsn(std::uint64_t lsn);
// Parses "0/3000060"; std::nullopt when malformed.
std::optional<std::uint64_t> parseLsn(std::string_view text);

}  // namespace pulse
