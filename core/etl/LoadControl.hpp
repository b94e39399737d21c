#pragma once
// The controls of one ETL load, shared by the EtlRunner (any thread) and the
// loader (its worker thread): pause and cancel. Every wait of the loader
// (throttle, pause, lag brake, retry backoff) goes through here, so cancel()
// ends it at once instead of at the next poll.
//
// Thread contract: every method is thread-safe.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace pulse {

class LoadControl {
public:
    using Clock = std::chrono::steady_clock;

    void pause();
    void unpause();
    bool paused() const;
    void cancel() { m_stop.request_stop(); }
    bool cancelled() const { return m_stop.stop_requested(); }
    std::stop_token token() const { return m_stop.get_token(); }

    // Sleeps until `until`; returns false, early, when cancelled.
    bool sleepUntil(Clock::time_point until);
    // Waits until unpaused, cancelled or `until`; returns !paused().
    bool waitUnpaused(Clock::time_point until);

private:
    std::stop_source m_stop;
    mutable std::mutex m_mutex;
    std::condition_variable_any m_changed;
    bool m_paused = false;
};

}  // namespace pulse
