#include "Interrupt.hpp"

#include <csignal>
#include <thread>

namespace pulsectl {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void onSignal(int)
{
    g_interrupted = 1;
}

}  // namespace

void installInterruptHandler()
{
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

bool interrupted()
{
    return g_interrupted != 0;
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
