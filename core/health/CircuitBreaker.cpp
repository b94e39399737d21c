#include "health/CircuitBreaker.hpp"

#include "common/Logging.hpp"

#include <algorithm>
#include <regex>
#include <spdlog/spdlog.h>
#include <utility>

namespace pulse {
namespace {

BreakerConfig sanitised(BreakerConfig config)
{
    // A threshold of 0 would trip on nothing and a zero open period would
    // never keep the node out: clamp instead of trusting every caller.
    config.failureThreshold = std::max(1, config.failureThreshold);
    config.openFor = std::max(config.openFor, std::chrono::milliseconds(1));
    config.maxOpenFor = std::max(config.maxOpenFor, config.openFor);
    return config;
}

// Failure reasons come from libpq and drivers and end up in logs, the UI and
// JSON exports; a conninfo or URI echoed in an error must not carry its
// password along.
std::string redacted(const std::string& reason)
{
    static const std::regex keyValue(R"((password\s*=\s*)('[^']*'|\S+))", std::regex::icase);
    static const std::regex uriUserInfo(R"((postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@)", std::regex::icase);
    std::string out = std::regex_replace(reason, keyValue, "$1***");
    return std::regex_replace(out, uriUserInfo, "$1***@");
}

}  // namespace

std::string breakerStateName(BreakerState state)
{
    switch (state) {
    case BreakerState::Closed:
        return "closed";
    case BreakerState::Open:
        return "open";
    case BreakerState::HalfOpen:
        return "half-open";
    }
    return "unknown";
}

CircuitBreaker::CircuitBreaker(std::string node, BreakerConfig config)
    : m_node(std::move(node))
    , m_config(sanitised(config))
    , m_currentOpenFor(m_config.openFor)
{
}

BreakerState CircuitBreaker::advanceLocked(Clock::time_point now) const
{
    // Half-open needs no timer thread: whoever looks after nextProbe sees it.
    if (m_state.load(std::memory_order_relaxed) == BreakerState::Open && now >= m_nextProbeAt)
        m_state.store(BreakerState::HalfOpen, std::memory_order_release);
    return m_state.load(std::memory_order_relaxed);
}

BreakerState CircuitBreaker::state(Clock::time_point now) const
{
    std::lock_guard lock(m_mutex);
    return advanceLocked(now);
}

void CircuitBreaker::recordSuccess(const std::string& source, Clock::time_point now)
{
    std::unique_lock lock(m_mutex);
    switch (advanceLocked(now)) {
    case BreakerState::Closed:
        m_failures = 0;
        return;
    case BreakerState::Open:
        // Before nextProbe the node sits out its full period, even if a probe
        // happens to get through: that is what keeps a flapping node out.
        return;
    case BreakerState::HalfOpen:
        // Only the monitor's probe is the trial; a late success from traffic
        // that was in flight when the breaker opened proves nothing.
        if (source != "probe")
            return;
        m_failures = 0;
        m_currentOpenFor = m_config.openFor;
        m_state.store(BreakerState::Closed, std::memory_order_release);
        break;
    }
    lock.unlock();
    logger("health")->info("breaker for {} closed: {} succeeded after the open period", m_node, source);
}

bool CircuitBreaker::recordFailure(const std::string& source, const std::string& reason, Clock::time_point now)
{
    std::unique_lock lock(m_mutex);
    ++m_failures;
    switch (advanceLocked(now)) {
    case BreakerState::Open:
        // Already out until nextProbe; extending the period on every failure
        // would keep a node out for as long as stragglers keep failing.
        return false;
    case BreakerState::Closed:
        if (m_failures < m_config.failureThreshold)
            return false;
        m_currentOpenFor = m_config.openFor;
        break;
    case BreakerState::HalfOpen:
        // The trial failed: back off harder so a node that keeps failing is
        // probed less and less often, up to the cap.
        m_currentOpenFor = std::min(m_currentOpenFor * 2, m_config.maxOpenFor);
        break;
    }
    m_reason = redacted(reason);
    m_source = source;
    m_trippedAt = now;
    m_nextProbeAt = now + m_currentOpenFor;
    ++m_trips;
    m_state.store(BreakerState::Open, std::memory_order_release);
    const std::string loggedReason = m_reason;
    const auto openFor = m_currentOpenFor;
    const int failures = m_failures;
    lock.unlock();
    logger("health")->warn("breaker for {} opened after {} consecutive failure(s) ({}: {}); next probe in {} ms",
                           m_node, failures, source, loggedReason, openFor.count());
    return true;
}

void CircuitBreaker::reset()
{
    std::unique_lock lock(m_mutex);
    const BreakerState previous = m_state.load(std::memory_order_relaxed);
    m_failures = 0;
    m_currentOpenFor = m_config.openFor;
    m_nextProbeAt = {};
    // trips, the last reason and trippedAt stay: they are history, and the
    // operator who reset it may still want to know why it had opened.
    m_state.store(BreakerState::Closed, std::memory_order_release);
    lock.unlock();
    if (previous != BreakerState::Closed)
        logger("health")->info("breaker for {} reset to closed by the operator (was {})", m_node,
                               breakerStateName(previous));
}

BreakerSnapshot CircuitBreaker::snapshot(Clock::time_point now) const
{
    std::lock_guard lock(m_mutex);
    BreakerSnapshot out;
    out.node = m_node;
    out.state = advanceLocked(now);
    out.tripReason = m_reason;
    out.tripSource = m_source;
    out.trippedAt = m_trippedAt;
    out.nextProbeAt = m_nextProbeAt;
    out.consecutiveFailures = m_failures;
    out.trips = m_trips;
    return out;
}

}  // namespace pulse
