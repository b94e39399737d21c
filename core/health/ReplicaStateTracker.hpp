#pragma once
// Turns a replica's observations, cycle after cycle, into a state and a lag
// that do not lie (REFERENCE.md "Replication lag: measure it right"):
//
//  - bytes: primaryLsn - replayLsn when the primary answered, else
//    receiveLsn - replayLsn; never negative.
//  - seconds: 0 when nothing is left to replay (replayLsn >= primaryLsn, or
//    >= receiveLsn without a primary). Otherwise the age of the oldest WAL
//    not yet replayed, from the tracker's own history of primaryLsn samples
//    (the time the primary first passed the replica's replay position),
//    but at least pg_stat_replication.replay_lag; when the history does not
//    reach back far enough, now() - last replay timestamp bounds it. So an
//    idle primary shows 0, not a growing number, and a paused replay shows
//    a lag that grows in real time.
//  - state: Down if unreachable; Disconnected if reachable and still in
//    recovery but no receiver is "streaming" (lag bytes/seconds still
//    reported when computable, never 0 by default); ReplayPaused if paused;
//    ReplayStalled if WAL is waiting and replayLsn has not moved for
//    `stallAfter`; Lagging if bytes > 0; else CaughtUp.
//
// Not thread-safe: owned by the monitor thread.
#include "health/ReplicaState.hpp"

#include <chrono>
#include <deque>
#include <optional>

namespace pulse {

class ReplicaStateTracker {
public:
    using Clock = std::chrono::steady_clock;
    explicit ReplicaStateTracker(std::chrono::milliseconds stallAfter = std::chrono::milliseconds(3000),
                                 std::chrono::seconds history = std::chrono::seconds(3600));

    ReplicaAssessment assess(const ReplicaObservation& observation, Clock::time_point now = Clock::now());

private:
    struct Sample {
        Clock::time_point time;
        std::uint64_t primaryLsn;
    };
    void recordPrimaryLsn(std::uint64_t lsn, Clock::time_point now);
    std::optional<double> secondsBehind(const ReplicaObservation& observation, std::uint64_t replayLsn,
                                        Clock::time_point now) const;

    const std::chrono::milliseconds m_stallAfter;
    const std::chrono::seconds m_history;
    std::deque<Sample> m_primarySamples;  // bounded by m_history; only LSN changes are kept
    std::optional<std::uint64_t> m_lastReplayLsn;
    // Last time replay made progress or had nothing to do: the stall clock
    // starts when WAL starts waiting, not when the primary last went idle.
    Clock::time_point m_replayLastMoved{};
};

}  // namespace pulse
