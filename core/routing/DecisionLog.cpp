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
    auto all = snapshot();
    all.erase(std::remove_if(all.begin(), all.end(), [after](const auto& d) { return d.sequence <= after; }),
              all.end());
    return all;
}

std::uint64_t DecisionLog::total() const
{
    std::lock_guard lock(m_mutex);
    return m_total;
}

}  // namespace pulse
