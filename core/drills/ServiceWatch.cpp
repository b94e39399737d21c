#include "drills/ServiceWatch.hpp"

#include "common/Logging.hpp"
#include "common/StopSleep.hpp"

#include <algorithm>

namespace pulse {
namespace {

// Ten attempts a second for a day; a drill lasts minutes. Past it the oldest
// half goes: a fault that old is no longer being measured.
constexpr size_t kMaxAttempts = 864'000;

}  // namespace

ServiceWatch::ServiceWatch(std::string name, std::function<void()> attempt, std::chrono::milliseconds interval)
    : m_name(std::move(name)), m_attempt(std::move(attempt)), m_interval(interval)
{
}

ServiceWatch::~ServiceWatch()
{
    stop();
}

void ServiceWatch::start()
{
    if (!m_thread.joinable())
        m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
}

void ServiceWatch::stop()
{
    if (m_thread.joinable()) {
        m_thread.request_stop();
        m_thread.join();
    }
}

void ServiceWatch::loop(std::stop_token stop)
{
    while (!stop.stop_requested()) {
        Attempt attempt;
        attempt.start = Clock::now();
        std::string error;
        try {
            m_attempt();
            attempt.ok = true;
        } catch (const std::exception& e) {
            error = e.what();
        }
        attempt.end = Clock::now();
        {
            std::lock_guard lock(m_mutex);
            if (m_attempts.size() >= kMaxAttempts)
                m_attempts.erase(m_attempts.begin(), m_attempts.begin() + kMaxAttempts / 2);
            m_attempts.push_back(attempt);
            ++m_count;
            if (!attempt.ok) {
                ++m_failures;
                m_lastError = error;
            }
        }
        if (!attempt.ok)
            logger("drill")->debug("{} check failed: {}", m_name, error);
        // Interruptible: stop() must not wait out the interval.
        sleepUnlessStopped(std::chrono::ceil<std::chrono::milliseconds>(attempt.start + m_interval - Clock::now()), stop);
    }
}

std::optional<double> ServiceWatch::backAfter(Clock::time_point fault) const
{
    std::lock_guard lock(m_mutex);
    // Attempts run one after another: the first success that started once
    // the fault was in place ends the outage it caused. A later, unrelated
    // failure (the next step of the drill) does not move it.
    const auto back = std::find_if(m_attempts.begin(), m_attempts.end(),
                                   [fault](const Attempt& a) { return a.start >= fault && a.ok; });
    if (back == m_attempts.end())
        return std::nullopt;
    return std::chrono::duration<double>(back->end - fault).count();
}

std::uint64_t ServiceWatch::attempts() const
{
    std::lock_guard lock(m_mutex);
    return m_count;
}

std::uint64_t ServiceWatch::failures() const
{
    std::lock_guard lock(m_mutex);
    return m_failures;
}

std::string ServiceWatch::lastError() const
{
    std::lock_guard lock(m_mutex);
    return m_lastError;
}

}  // namespace pulse
