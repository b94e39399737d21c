#include "drills/PoolExhaustion.hpp"

#include "common/Errors.hpp"
#include "pool/ConnectionPool.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace pulse {

PoolExhaustionResult exhaustPool(ConnectionPool& pool, int sessions, std::chrono::milliseconds hold,
                                 std::stop_token stop)
{
    using Clock = std::chrono::steady_clock;
    PoolExhaustionResult result;
    result.asked = sessions;
    std::mutex mutex;
    std::condition_variable_any answered;
    int answers = 0;
    const auto started = Clock::now();
    const auto holdUntil = started + hold;

    auto settle = [&](auto&& record) {
        std::lock_guard lock(mutex);
        record();
        ++answers;
        answered.notify_all();
    };
    {
        std::vector<std::jthread> threads;
        threads.reserve(static_cast<size_t>(sessions));
        for (int i = 0; i < sessions; ++i) {
            threads.emplace_back([&] {
                try {
                    PoolLease lease = pool.acquire();
                    settle([&] { ++result.granted; });
                    std::unique_lock lock(mutex);
                    // Every request answered and the hold served, or an abort.
                    answered.wait(lock, stop, [&] { return answers >= sessions; });
                    answered.wait_until(lock, stop, holdUntil, [] { return false; });
                } catch (const PoolTimeoutError& e) {
                    settle([&] {
                        if (result.timeoutMessage.empty())
                            result.timeoutMessage = e.what();
                        ++result.timedOut;
                    });
                } catch (const std::exception& e) {
                    settle([&] {
                        if (result.failureMessage.empty())
                            result.failureMessage = e.what();
                        ++result.failed;
                    });
                }
            });
        }
    }  // joins: every lease is back in the pool
    result.heldSeconds = std::chrono::duration<double>(Clock::now() - started).count();
    return result;
}

}  // namespace pulse
