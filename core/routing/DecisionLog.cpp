#include "routing/DecisionLog.hpp"

#include <algorithm>
#include <utility>

namespace pulse {

DecisionLog::DecisionLog(size_t capacity) : m_capacity(std::max<size_t>(1, capacity))
{
    m_ring.reserve(m_capacity);
}

std::shared_ptr<const RoutingDecision> DecisionLog::record(RoutingDecision decision)
{
    auto entry = std::make_shared<RoutingDecision>(std::move(decision));  // allocated outside the lock
    std::shared_ptr<const RoutingDecision> evicted;  // freed outside the lock too
    std::lock_guard lock(m_mutex);
    entry->sequence = ++m_total;
    if (m_ring.size() < m_capacity) {
        m_ring.push_back(entry);
    } else {
        evicted = std::exchange(m_ring[m_next], entry);
        m_next = (m_next + 1) % m_capacity;
    }
    return entry;
}

std::vector<RoutingDecision> DecisionLog::snapshot(size_t limit) const
{
    std::lock_guard lock(m_mutex);
    std::vector<RoutingDecision> out;
    out.reserve(m_ring.size());
    // m_next is the oldest entry once the ring has wrapped.
    for (size_t i = 0; i < m_ring.size(); ++i)
        out.push_back(*m_ring[(m_next + i) % m_ring.size()]);
    if (limit > 0 && out.size() > limit)
        out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
    return out;
}

std::vector<RoutingDecision> DecisionLog::since(std::uint64_t after) const
{
    // Polled by the UI a few times a second: copy only the new entries, which
    // are the newest, so walk back from the newest and stop at the first old one.
    std::lock_guard lock(m_mutex);
    std::vector<RoutingDecision> out;
    const size_t size = m_ring.size();
    for (size_t i = 0; i < size; ++i) {
        const auto& entry = m_ring[(m_next + size - 1 - i) % size];
        if (entry->sequence <= after)
            break;
        out.push_back(*entry);
    }
    std::reverse(out.begin(), out.end());  // oldest first
    return out;
}

std::uint64_t DecisionLog::total() const
{
    std::lock_guard lock(m_mutex);
    return m_total;
}

}  // namespace pulse
