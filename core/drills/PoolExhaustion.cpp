#include "drills/PoolExhaustion.hpp"

#include "common/Errors.hpp"
#include "pool/ConnectionPool.hpp"

#include <condition_variable>
#include <mutex>
#include <system_error>
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
        auto request = [&] {
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
        };
        for (int i = 0; i < sessions; ++i) {
            try {
                threads.emplace_back(request);
            } catch (const std::system_error& e) {
                // Out of threads (a pids limit): the requests already out are
                // all there will be; the held sessions must not wait for the rest.
                std::lock_guard lock(mutex);
                result.failureMessage = std::string("could not start more than ") + std::to_string(i) +
                                        " concurrent requests: " + e.what();
                result.asked = sessions = i;
                answered.notify_all();
                break;
            }
        }
    }  // joins: every lease is back in the pool
    result.heldSeconds = std::chrono::duration<double>(Clock::now() - started).count();
    return result;
}

}  // namespace pulse
