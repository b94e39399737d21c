#include "pg/DeadlineWatchdog.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <thread>

namespace pulse {

DeadlineWatchdog& DeadlineWatchdog::instance()
{
    // Never destroyed: connections may still close during static destruction,
    // and the thread must not be joined at exit (it would only delay it).
    static auto* watchdog = new DeadlineWatchdog();
    return *watchdog;
}

std::shared_ptr<DeadlineWatchdog::Slot> DeadlineWatchdog::add(int fd, std::string node)
{
    auto slot = std::make_shared<Slot>(fd, std::move(node));
    std::lock_guard lock(m_mutex);
    m_slots.push_back(slot);
    if (!m_started) {
        m_started = true;
        std::thread([this] { run(); }).detach();
    }
    m_wake.notify_one();
    return slot;
}

void DeadlineWatchdog::remove(const std::shared_ptr<Slot>& slot)
{
    std::lock_guard lock(m_mutex);
    m_slots.erase(std::remove(m_slots.begin(), m_slots.end(), slot), m_slots.end());
}

int DeadlineWatchdog::abandonNode(const std::string& node)
{
    int abandoned = 0;
    std::lock_guard lock(m_mutex);  // remove() cannot close a descriptor meanwhile
    for (const auto& slot : m_slots) {
        if (slot->node != node || slot->fd < 0 || slot->deadlineNs.load(std::memory_order_acquire) == 0)
            continue;
        slot->abandoned.store(true, std::memory_order_release);
        if (!slot->fired.exchange(true)) {
            ::shutdown(slot->fd, SHUT_RDWR);
            ++abandoned;
        }
    }
    return abandoned;
}

void DeadlineWatchdog::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        // No connections, no wake-ups.
        m_wake.wait(lock, [this] { return !m_slots.empty(); });
        const std::int64_t now = toNs(std::chrono::steady_clock::now());
        for (const auto& slot : m_slots) {
            const std::int64_t deadline = slot->deadlineNs.load(std::memory_order_acquire);
            if (deadline != 0 && deadline <= now && slot->fd >= 0 && !slot->fired.exchange(true)) {
                // Under the lock: remove() cannot let the descriptor be closed
                // (and reused) while we shut it down.
                ::shutdown(slot->fd, SHUT_RDWR);
            }
        }
        m_wake.wait_for(lock, kTick);
    }
}

}  // namespace pulse
