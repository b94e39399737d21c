#include "health/LagGate.hpp"

#include "health/LagFormat.hpp"

#include <fmt/format.h>

namespace pulse {

LagGate::LagGate(LagLimits limits) : m_limits(limits) { }

void LagGate::update(std::optional<double> lagSeconds, std::optional<std::int64_t> lagBytes, Clock::time_point now)
{
    std::lock_guard lock(m_mutex);  // the limits too may change (setLimits)
    const bool limitSeconds = m_limits.maxSeconds > 0;
    const bool limitBytes = m_limits.maxBytes > 0;
    const bool overSeconds = limitSeconds && lagSeconds && *lagSeconds > m_limits.maxSeconds;
    const bool overBytes = limitBytes && lagBytes && *lagBytes > m_limits.maxBytes;
    // Readmission needs proof on every active limit: a known byte lag under
    // its limit says nothing about an unknown time lag.
    const bool underAll = (!limitSeconds || lagSeconds) && (!limitBytes || lagBytes) && !overSeconds && !overBytes;

    if (overSeconds || overBytes) {
        std::string reason;
        if (overSeconds)
            reason = fmt::format("lag {} > REPLICA_MAX_LAG_SECONDS {}", formatLagSeconds(*lagSeconds),
                                 formatLagSeconds(m_limits.maxSeconds));
        if (overBytes)
            reason += fmt::format("{}lag {} > REPLICA_MAX_LAG_BYTES {}", reason.empty() ? "" : ", ",
                                  formatLagBytes(*lagBytes), formatLagBytes(m_limits.maxBytes));
        m_reason = std::move(reason);
        m_underSince.reset();  // any spike restarts the readmit clock
        m_admitted.store(false, std::memory_order_release);
        return;
    }
    if (!underAll) {
        // Unknown lag: keep the verdict (the breaker handles down nodes), but
        // a gap breaks "stayed under the limits without a break".
        if (!m_admitted.load(std::memory_order_relaxed))
            m_underSince.reset();
        return;
    }
    if (m_admitted.load(std::memory_order_relaxed))
        return;

    if (!m_underSince)
        m_underSince = now;
    const auto under = now - *m_underSince;
    if (under >= m_limits.readmitAfter) {
        m_reason.clear();
        m_underSince.reset();
        m_admitted.store(true, std::memory_order_release);
        return;
    }
    const double underSeconds = std::chrono::duration<double>(under).count();
    const double readmitSeconds = std::chrono::duration<double>(m_limits.readmitAfter).count();
    m_reason = fmt::format("lag back under the limits for {} of the {} readmit time", formatLagSeconds(underSeconds),
                           formatLagSeconds(readmitSeconds));
}

void LagGate::reset()
{
    std::lock_guard lock(m_mutex);
    m_reason.clear();
    m_underSince.reset();
    m_admitted.store(true, std::memory_order_release);
}

LagLimits LagGate::limits() const
{
    std::lock_guard lock(m_mutex);
    return m_limits;
}

void LagGate::setLimits(LagLimits limits)
{
    std::lock_guard lock(m_mutex);
    m_limits = limits;
}

std::string LagGate::reason() const
{
    std::lock_guard lock(m_mutex);
    return m_reason;
}

}  // namespace pulse
