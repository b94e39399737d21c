#include "Interrupt.hpp"

#include <atomic>
#include <csignal>
#include <thread>

namespace pulsectl {
namespace {

// Read by worker threads too (a load test's stop watcher): a lock-free
// atomic is both async-signal-safe and race-free, where a volatile
// sig_atomic_t is only the former.
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void onSignal(int)
{
    g_interrupted.store(true, std::memory_order_relaxed);
}

}  // namespace

void installInterruptHandler()
{
    struct sigaction action {};
    action.sa_handler = onSignal;
    // The first signal asks for a clean stop; the handler then resets, so a
    // second Ctrl+C ends the process at once (a long DELETE cannot be waited out).
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

bool interrupted()
{
    return g_interrupted.load(std::memory_order_relaxed);
}

bool sleepUnlessInterrupted(std::chrono::milliseconds duration)
{
    // Short slices: a signal does not wake a sleeping std::this_thread, and
    // Ctrl+C should feel immediate.
    const auto end = std::chrono::steady_clock::now() + duration;
    while (!interrupted()) {
        const auto left = end - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero())
            return true;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
    }
    return false;
}

}  // namespace pulsectl
