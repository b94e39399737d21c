#include "etl/LoadControl.hpp"

namespace pulse {

void LoadControl::pause()
{
    std::lock_guard lock(m_mutex);
    m_paused = true;
}

void LoadControl::unpause()
{
    {
        std::lock_guard lock(m_mutex);
        m_paused = false;
    }
    m_changed.notify_all();
}

bool LoadControl::paused() const
{
    std::lock_guard lock(m_mutex);
    return m_paused;
}

bool LoadControl::sleepUntil(Clock::time_point until)
{
    std::unique_lock lock(m_mutex);
    // The stop token wakes the wait; the predicate never ends it early.
    m_changed.wait_until(lock, m_stop.get_token(), until, [] { return false; });
    return !m_stop.stop_requested();
}

bool LoadControl::waitUnpaused(Clock::time_point until)
{
    std::unique_lock lock(m_mutex);
    return m_changed.wait_until(lock, m_stop.get_token(), until, [this] { return !m_paused; });
}

}  // namespace pulse
