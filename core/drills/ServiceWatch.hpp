#pragma once
// Answers "how long until reads (or writes) worked again?" for a drill: a
// thread that tries one small operation every `interval` (a replica-eligible
// SELECT 1 through the router, a txid_current() on the primary) and keeps
// every attempt's start, end and outcome. The dashboard readers cannot
// answer it alone: they think between page loads, and a page load mixes
// several queries.
//
// Thread contract: start()/stop() from one thread; the queries from any.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pulse {

class ServiceWatch {
public:
    using Clock = std::chrono::steady_clock;
    // `attempt` runs one operation; it throws to say the operation failed.
    ServiceWatch(std::string name, std::function<void()> attempt, std::chrono::milliseconds interval);
    ~ServiceWatch();  // stop()
    ServiceWatch(const ServiceWatch&) = delete;
    ServiceWatch& operator=(const ServiceWatch&) = delete;

    void start();
    // Waits for an attempt in progress: each is bounded by the session's
    // deadlines, so this is too.
    void stop();

    // Seconds from `fault` (the moment the fault was in place) until the
    // service worked again: the end of the first success that started at or
    // after it. Failures in between are the outage; when there were none,
    // this is how long one operation took (a frozen server's timeout and the
    // retry on the primary included). nullopt: no success since (yet).
    std::optional<double> backAfter(Clock::time_point fault) const;
    std::uint64_t attempts() const;
    std::uint64_t failures() const;
    std::string lastError() const;

private:
    struct Attempt {
        Clock::time_point start;
        Clock::time_point end;
        bool ok = false;
    };
    void loop(std::stop_token stop);

    const std::string m_name;
    const std::function<void()> m_attempt;
    const std::chrono::milliseconds m_interval;
    mutable std::mutex m_mutex;
    std::vector<Attempt> m_attempts;  // bounded: see kMaxAttempts
    std::uint64_t m_count = 0;
    std::uint64_t m_failures = 0;
    std::string m_lastError;
    std::jthread m_thread;
};

}  // namespace pulse
