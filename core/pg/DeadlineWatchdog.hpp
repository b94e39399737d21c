#pragma once
// Enforces the client-side deadline of running queries from one background
// thread, so the query path itself never arms a kernel timer.
//
// Why: a bounded poll() costs an hrtimer set-up and cancel on every query
// (about 3 us here, 5% of a SELECT 1 on loopback). Instead each connection
// publishes its deadline in an atomic slot and waits without a timeout; this
// thread looks at every slot every kTick and, when a deadline has passed,
// shuts the socket down, which wakes the waiting poll() at once. The
// connection then reports QueryTimeoutError and is never reused.
//
// Thread contract: add()/remove() are thread-safe; a slot's deadline is
// written by its connection's thread and read here. Each slot holds its own
// duplicate of the socket, closed only after remove(), so a shutdown can
// never hit a reused descriptor.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pulse {

class DeadlineWatchdog {
public:
    static constexpr std::chrono::milliseconds kTick{50};

    struct Slot {
        Slot(int socket, std::string nodeName) : fd(socket), node(std::move(nodeName)) {}
        const int fd;
        const std::string node;
        // steady_clock ns since epoch while a query is in flight (INT64_MAX:
        // in flight without a deadline); 0 = idle.
        std::atomic<std::int64_t> deadlineNs{0};
        std::atomic<bool> fired{false};
        std::atomic<bool> abandoned{false};  // fired by abandonNode(), not by the deadline
    };

    // The process-wide watchdog; its thread starts with the first slot.
    static DeadlineWatchdog& instance();

    std::shared_ptr<Slot> add(int fd, std::string node);
    void remove(const std::shared_ptr<Slot>& slot);
    // The health monitor found `node` not answering: every query in flight on
    // it is abandoned now instead of at its own deadline, so a read stuck on
    // a frozen replica is retried on the primary within a monitor cycle.
    // Returns how many were abandoned.
    int abandonNode(const std::string& node);

    static std::int64_t toNs(std::chrono::steady_clock::time_point time)
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
    }

private:
    DeadlineWatchdog() = default;
    void run();

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<std::shared_ptr<Slot>> m_slots;
    bool m_started = false;
};

}  // namespace pulse
