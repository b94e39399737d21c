#include "routing/DecisionLog.hpp"

#include <algorithm>

namespace pulse {

DecisionLog::DecisionLog(size_t capacity) : m_capacity(std::max<size_t>(1, capacity))
{
    m_ring.reserve(m_capacity);
}

RoutingDecision DecisionLog::record(RoutingDecision decision)
{
    std::lock_guard lock(m_mutex);
    decision.sequence = ++m_total;
    if (m_ring.size() < m_capacity) {
        m_ring.push_back(decision);
    } else {
        m_ring[m_next] = decision;
        m_next = (m_next + 1) % m_capacity;
    }
    return decision;
}

std::vector<RoutingDecision> DecisionLog::snapshot(size_t limit) const
{
    std::lock_guard lock(m_mutex);
    std::vector<RoutingDecision> out;
    out.reserve(m_ring.size());
    // m_next is the oldest entry once the ring has wrapped.
    for (size_t i = 0; i < m_ring.size(); ++i)
        out.push_back(m_ring[(m_next + i) % m_ring.size()]);
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
