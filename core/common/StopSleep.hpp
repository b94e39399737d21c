#pragma once
// Sleeping that a stop request ends at once: the waits between a drill's
// steps, between probe retries, between service checks. Returns false when
// stop was requested (before or during the sleep), true when the whole
// duration passed.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace pulse {

inline bool sleepUnlessStopped(std::chrono::milliseconds duration, std::stop_token stop)
{
    if (duration.count() > 0) {
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock lock(m);
        cv.wait_for(lock, stop, duration, [] { return false; });
    }
    return !stop.stop_requested();
}

}  // namespace pulse
