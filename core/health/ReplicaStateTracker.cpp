#include "health/ReplicaStateTracker.hpp"

#include "health/LagFormat.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace pulse {
namespace {

double secondsBetween(ReplicaStateTracker::Clock::time_point from, ReplicaStateTracker::Clock::time_point to)
{
    return std::max(0.0, std::chrono::duration<double>(to - from).count());
}

std::optional<double> maxKnown(std::optional<double> a, std::optional<double> b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    return std::max(*a, *b);
}

std::optional<std::int64_t> bytesBetween(std::uint64_t ahead, std::uint64_t behind)
{
    // LSNs of the primary and the replica are read at slightly different
    // moments, so the replica can appear ahead: that is 0, never negative.
    return ahead > behind ? static_cast<std::int64_t>(ahead - behind) : 0;
}

// "3.2 MB (12 s) behind"
std::string behindText(std::int64_t bytes, std::optional<double> seconds)
{
    if (seconds)
        return fmt::format("{} ({}) behind", formatLagBytes(bytes), formatLagSeconds(*seconds));
    return fmt::format("{} behind", formatLagBytes(bytes));
}

}  // namespace

ReplicaStateTracker::ReplicaStateTracker(std::chrono::milliseconds stallAfter, std::chrono::seconds history)
    : m_stallAfter(stallAfter)
    , m_history(history)
{
}

void ReplicaStateTracker::recordPrimaryLsn(std::uint64_t lsn, Clock::time_point now)
{
    // A primary LSN going backwards is another cluster (rebuilt or failed
    // over to a node that was behind): old positions say nothing about it.
    if (!m_primarySamples.empty() && lsn < m_primarySamples.back().primaryLsn)
        m_primarySamples.clear();
    if (m_primarySamples.empty() || lsn != m_primarySamples.back().primaryLsn)
        m_primarySamples.push_back({now, lsn});
    // Keep the newest sample at or before the horizon too: it tells where
    // the primary stood at the horizon, so the window covers all of m_history.
    const auto horizon = now - m_history;
    while (m_primarySamples.size() >= 2 && m_primarySamples[1].time <= horizon)
        m_primarySamples.pop_front();
}

std::optional<double> ReplicaStateTracker::secondsBehind(const ReplicaObservation& observation,
                                                         std::uint64_t replayLsn, Clock::time_point now) const
{
    // The samples are ordered by LSN as well as by time (a decrease clears
    // them), so the first sample past the replay position is a binary search.
    const auto passed = std::upper_bound(m_primarySamples.begin(), m_primarySamples.end(), replayLsn,
                                         [](std::uint64_t lsn, const Sample& s) { return lsn < s.primaryLsn; });
    std::optional<double> seconds;
    if (passed != m_primarySamples.end() && passed != m_primarySamples.begin()) {
        // The sample before it was at or below the replay position: the
        // primary passed it between the two, so this is the age of the oldest
        // WAL not yet replayed, to within one monitor cycle.
        seconds = secondsBetween(passed->time, now);
    } else {
        // History too short (tracker just started, or behind by more than
        // m_history). The replica's last replay timestamp bounds the age from
        // above; the oldest sample past the replay position, if any, from below.
        seconds = observation.secondsSinceLastReplay ? observation.secondsSinceLastReplay
                                                     : observation.replayLagSeconds;
        if (passed != m_primarySamples.end())
            seconds = maxKnown(seconds, secondsBetween(passed->time, now));
    }
    // replay_lag is measured by the primary itself; our estimate can lag
    // behind it by a monitor cycle, never the other way round.
    return maxKnown(seconds, observation.replayLagSeconds);
}

ReplicaAssessment ReplicaStateTracker::assess(const ReplicaObservation& observation, Clock::time_point now)
{
    // The primary's position is history even in a cycle where this replica
    // is down: when it is back, its lag must still be measurable.
    if (observation.primaryLsn)
        recordPrimaryLsn(*observation.primaryLsn, now);

    ReplicaAssessment out;
    if (!observation.reachable) {
        out.state = ReplicaState::Down;
        out.detail = "not reachable";
        m_lastReplayLsn.reset();  // the stall clock starts afresh when it is back
        return out;
    }
    if (!observation.inRecovery) {
        // Promoted (or never a standby): it follows nobody, so no lag to
        // speak of, and it must not pass for a caught-up replica.
        out.state = ReplicaState::Disconnected;
        out.detail = "not in recovery (promoted?): no longer replicating";
        m_lastReplayLsn.reset();
        return out;
    }

    const bool streaming = observation.receiverStatus == "streaming";
    if (observation.replayLsn) {
        const std::uint64_t replay = *observation.replayLsn;
        if (observation.primaryLsn) {
            out.lagBytes = bytesBetween(*observation.primaryLsn, replay);
            // No receiver: even with nothing to replay now, the next write will
            // not arrive, so "0" would be a promise it cannot keep.
            if (!streaming && *out.lagBytes == 0)
                out.lagBytes.reset();
        } else if (observation.receiveLsn) {
            out.lagBytes = bytesBetween(*observation.receiveLsn, replay);
            // Without a receiver the receive position is frozen where the
            // stream broke: "all of it replayed" is not "caught up".
            if (!streaming && *out.lagBytes == 0)
                out.lagBytes.reset();
        }
        if (out.lagBytes && *out.lagBytes == 0)
            out.lagSeconds = 0.0;  // idle primary: 0, however old the last replayed transaction is
        else if (out.lagBytes)
            out.lagSeconds = secondsBehind(observation, replay, now);
    }
    if (!out.lagBytes)
        out.lagSeconds = observation.replayLagSeconds;

    const bool waiting = out.lagBytes && *out.lagBytes > 0;
    if (!observation.replayLsn || !waiting || !m_lastReplayLsn || *observation.replayLsn != *m_lastReplayLsn) {
        m_lastReplayLsn = observation.replayLsn;
        m_replayLastMoved = now;
    }
    const auto stillFor = now - m_replayLastMoved;
    const std::string behind = waiting ? behindText(*out.lagBytes, out.lagSeconds) : std::string();

    if (!streaming) {
        out.state = ReplicaState::Disconnected;
        out.detail = observation.receiverStatus.empty()
            ? "no WAL receiver (status: none)"
            : fmt::format("WAL receiver not streaming (status: {})", observation.receiverStatus);
        if (waiting)
            out.detail += ", " + behind;
    } else if (observation.replayPaused) {
        out.state = ReplicaState::ReplayPaused;
        out.detail = waiting ? behind + ", replay paused" : "replay paused, nothing waiting yet";
    } else if (waiting && stillFor >= m_stallAfter) {
        out.state = ReplicaState::ReplayStalled;
        out.detail = fmt::format("{}, replay not moving for {}", behind,
                                 formatLagSeconds(std::chrono::duration<double>(stillFor).count()));
    } else if (waiting) {
        out.state = ReplicaState::Lagging;
        out.detail = behind;
    } else {
        out.state = ReplicaState::CaughtUp;
        out.detail = out.lagBytes ? "caught up" : "streaming, replay position unknown";
    }
    return out;
}

}  // namespace pulse
