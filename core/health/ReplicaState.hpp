#pragma once
// What the monitor observes about one replica in one cycle, and what it makes
// of it (see ReplicaStateTracker and REFERENCE.md "Replication lag: measure it
// right").
#include <cstdint>
#include <optional>
#include <string>

namespace pulse {

enum class ReplicaState {
    CaughtUp,       // streaming, nothing left to replay (idle primary: lag 0, never a growing number)
    Lagging,        // streaming, WAL received but not yet replayed
    ReplayPaused,   // pg_is_wal_replay_paused()
    ReplayStalled,  // WAL waiting, replay LSN not moving for stallAfter, not paused
    Disconnected,   // reachable but no streaming WAL receiver: never shown as lag 0
    Down,           // not reachable
};
std::string replicaStateName(ReplicaState state);  // "caught up", "lagging", "replay paused",
                                                   // "replay stalled", "disconnected", "down"
bool replicaStateIsAlarming(ReplicaState state);   // paused, stalled, disconnected, down

// Raw facts from one monitor cycle. LSNs as 64-bit positions (pg_lsn).
struct ReplicaObservation {
    bool reachable = false;
    bool inRecovery = true;                         // false: it was promoted
    std::string receiverStatus;                     // pg_stat_wal_receiver.status; empty: no receiver
    std::optional<std::uint64_t> receiveLsn;        // pg_last_wal_receive_lsn()
    std::optional<std::uint64_t> replayLsn;         // pg_last_wal_replay_lsn()
    bool replayPaused = false;                      // pg_is_wal_replay_paused()
    std::optional<double> secondsSinceLastReplay;   // now() - pg_last_xact_replay_timestamp()
    // From the primary in the same cycle (nullopt when the primary is down):
    std::optional<std::uint64_t> primaryLsn;        // pg_current_wal_lsn()
    std::optional<double> replayLagSeconds;         // pg_stat_replication.replay_lag (NULL when idle)
    bool listedOnPrimary = false;                   // a pg_stat_replication row matched this replica
};

struct ReplicaAssessment {
    ReplicaState state = ReplicaState::Down;
    std::optional<std::int64_t> lagBytes;  // nullopt when unknown (down, disconnected without LSNs)
    std::optional<double> lagSeconds;      // nullopt when unknown
    std::string detail;                    // "replay paused, 3.2 MB behind", "no WAL receiver", ...
};

}  // namespace pulse
