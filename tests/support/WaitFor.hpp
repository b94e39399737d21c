#pragma once
// Bounded polling of a condition that becomes true outside the test's control
// (on the server, in another thread): the test waits for the condition, not
// for a fixed time, and fails if it never comes.

#include <chrono>
#include <thread>

template <typename Predicate>
bool waitFor(Predicate predicate, std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000))
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (predicate())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return predicate();
}
