#pragma once
// One circuit breaker per node (closed, open, half-open), modelled on PgCat's
// ban: a node that fails a health probe, a checkout or a query is avoided for
// a while instead of making every caller wait for it to fail again.
//
//  closed    traffic flows; `failureThreshold` consecutive failures trip it.
//  open      the router avoids the node until `nextProbe`.
//  half-open from `nextProbe` on: the monitor's next probe is the trial
//            (application traffic is never the guinea pig). Success closes
//            it; failure opens it again for twice as long (capped).
//
// The router never routes writes around the primary: for the primary the
// breaker only reports. Thread-safe; allows() is one atomic load.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace pulse {

enum class BreakerState { Closed, Open, HalfOpen };
std::string breakerStateName(BreakerState state);  // "closed", "open", "half-open"

struct BreakerConfig {
    int failureThreshold = 1;                      // consecutive failures that trip it
    std::chrono::milliseconds openFor{5000};       // first open period
    std::chrono::milliseconds maxOpenFor{60'000};  // cap of the doubling
};

struct BreakerSnapshot {
    std::string node;
    BreakerState state = BreakerState::Closed;
    std::string tripReason;     // why it last opened ("probe: connection refused"); empty if never
    std::string tripSource;     // "probe", "checkout", "query"
    std::chrono::system_clock::time_point trippedAt{};   // last time it opened (epoch if never)
    std::chrono::system_clock::time_point nextProbeAt{}; // open: when it becomes half-open
    int consecutiveFailures = 0;
    std::uint64_t trips = 0;    // times it has opened
};

class CircuitBreaker {
public:
    using Clock = std::chrono::system_clock;
    CircuitBreaker(std::string node, BreakerConfig config);

    // True when the router may send traffic: closed only.
    bool allows() const { return m_state.load(std::memory_order_acquire) == BreakerState::Closed; }
    BreakerState state(Clock::time_point now = Clock::now()) const;  // open turns half-open at nextProbe

    // source: "probe", "checkout", "query". A success from "probe" closes a
    // half-open breaker; successes from traffic only reset the failure count
    // while closed (traffic cannot reach an open node anyway).
    void recordSuccess(const std::string& source, Clock::time_point now = Clock::now());
    // Returns true when this failure tripped the breaker (closed/half-open -> open).
    bool recordFailure(const std::string& source, const std::string& reason, Clock::time_point now = Clock::now());
    // Operator override (e.g. after a drill): back to closed, counts cleared.
    void reset();

    BreakerSnapshot snapshot(Clock::time_point now = Clock::now()) const;
    const std::string& node() const { return m_node; }

private:
    // Turns open into half-open once nextProbe has passed; m_mutex held.
    BreakerState advanceLocked(Clock::time_point now) const;

    const std::string m_node;
    const BreakerConfig m_config;
    // mutable: state() turns open into half-open lazily, under m_mutex.
    mutable std::atomic<BreakerState> m_state{BreakerState::Closed};
    mutable std::mutex m_mutex;
    int m_failures = 0;
    std::chrono::milliseconds m_currentOpenFor;
    std::string m_reason, m_source;
    Clock::time_point m_trippedAt{}, m_nextProbeAt{};
    std::uint64_t m_trips = 0;
};

}  // namespace pulse
